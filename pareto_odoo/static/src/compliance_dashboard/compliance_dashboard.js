import {Component, onWillStart, useState} from "@odoo/owl";
import {formatCurrency} from "@web/core/currency";
import {DateTimeInput} from "@web/core/datetime/datetime_input";
import {deserializeDate, formatDate, serializeDate} from "@web/core/l10n/dates";
import {_t} from "@web/core/l10n/translation";
import {registry} from "@web/core/registry";
import {formatFloat} from "@web/core/utils/numbers";
import {useService} from "@web/core/utils/hooks";
import {statusStyle} from "@pareto_odoo/compliance_widget/pareto_status";

/**
 * The procurement heads' SME compliance dashboard for any period (the
 * company's, calendar or fiscal year, rolling 12 months, custom dates) and one
 * or several companies (consolidated in the current company's currency), with
 * the same period a year earlier: one row per purchasing family (data from
 * `pareto.compliance.dashboard.get_dashboard_data(options)`, computed by the
 * same engine as the standalone diagnostic). Every figure opens the spend
 * lines behind it (`pareto.spend.report`). Status labels, each row's shown
 * status ("No spend" for a family without spend) and the total row's count of
 * families below target come from the server; dates and numbers are formatted
 * in the user's language.
 */
export class ComplianceDashboard extends Component {
  static template = "pareto_odoo.ComplianceDashboard";
  static components = {DateTimeInput};
  static props = ["*"];

  setup() {
    this.orm = useService("orm");
    this.action = useService("action");
    this.state = useState({data: null, expanded: {}, dependentVendors: []});
    onWillStart(() => this.load());
  }

  async load(options = undefined) {
    const args = options ? [options] : [];
    // The vendors dependent on us come in their own request, beside the
    // figures: the dashboard does not wait for them.
    this.loadDependentVendors(args);
    this.state.data = await this.orm.call(
      "pareto.compliance.dashboard",
      "get_dashboard_data",
      args
    );
  }

  async loadDependentVendors(args) {
    this.state.dependentVendors = await this.orm.call(
      "pareto.compliance.dashboard",
      "get_dependent_vendors",
      args
    );
  }

  // Scope ------------------------------------------------------------

  get options() {
    return this.state.data.options;
  }

  setPeriod(period) {
    return this.load({...this.options, period});
  }

  /** The scope's date ``key`` for Odoo's date input (in the user's format). */
  dateValue(key) {
    return deserializeDate(this.options[key]);
  }

  setDate(key, value) {
    if (value) {
      return this.load({
        ...this.options,
        period: "custom",
        [key]: serializeDate(value),
      });
    }
  }

  toggleCompany(companyId) {
    const ids = this.options.company_ids;
    const next = ids.includes(companyId)
      ? ids.filter((id) => id !== companyId)
      : [...ids, companyId];
    if (next.length) {
      return this.load({...this.options, company_ids: next});
    }
  }

  isSelected(companyId) {
    return this.options.company_ids.includes(companyId);
  }

  // Formatting -------------------------------------------------------

  money(value) {
    if (value === null || value === undefined) {
      return "-";
    }
    return formatCurrency(value, this.state.data.currency_id, {digits: [16, 0]});
  }

  percent(value, digits = 1) {
    return value === null || value === undefined
      ? "-"
      : `${formatFloat(value, {digits: [16, digits]})} %`;
  }

  points(value) {
    if (value === null || value === undefined) {
      return "";
    }
    return `${value > 0 ? "+" : ""}${formatFloat(value, {digits: [16, 1]})}`;
  }

  jobs(value) {
    return formatFloat(value || 0, {digits: [16, 1]});
  }

  date(value) {
    return value ? formatDate(deserializeDate(value)) : "";
  }

  month(value) {
    return formatDate(deserializeDate(value), {format: "LLL yyyy"});
  }

  status(family) {
    return statusStyle(family.shown_status);
  }

  /** The total row: how many families are below target, coloured by the worst. */
  totalStatusClass(total) {
    return statusStyle(total.shown_status).text;
  }

  sizeLabel(size) {
    return size ? this.state.data.size_labels[size] || size : _t("Unknown size");
  }

  /** SVG points of the 12-month share trend (0-100 %), gaps for no spend. */
  sparkline(trend) {
    const width = 96;
    const height = 24;
    const step = width / Math.max(trend.length - 1, 1);
    const segments = [];
    let current = [];
    trend.forEach((value, index) => {
      if (value === null) {
        if (current.length) {
          segments.push(current);
        }
        current = [];
        return;
      }
      const y = height - (Math.min(Math.max(value, 0), 100) / 100) * height;
      current.push(`${(index * step).toFixed(1)},${y.toFixed(1)}`);
    });
    if (current.length) {
      segments.push(current);
    }
    return segments.map((points) => points.join(" "));
  }

  targetY(target) {
    return 24 - (Math.min(Math.max(target || 0, 0), 100) / 100) * 24;
  }

  trendTitle(family) {
    const months = this.state.data.months;
    return family.trend
      .map((value, index) => `${this.month(months[index])}: ${this.percent(value)}`)
      .join("\n");
  }

  // Drill-down -------------------------------------------------------

  periodDomain() {
    const data = this.state.data;
    return [
      ["company_id", "in", this.options.company_ids],
      ["date", ">=", data.period_start],
      ["date", "<=", data.period_end],
    ];
  }

  familyDomain(family) {
    return family ? [["family_id", "=", family.family_id || false]] : [];
  }

  openLines(family, measure, extraDomain = []) {
    const filters = {
      total: [],
      sme_total: [["is_sme", "=", true]],
      local_sme_total: [
        ["is_sme", "=", true],
        ["is_local", "=", true],
      ],
      non_sme: [["is_sme", "=", false]],
      unknown_size: [["pareto_size", "=", false]],
      jobs: [["is_sme", "=", true]],
    };
    const name = family ? family.name : _t("All families");
    return this.action.doAction({
      type: "ir.actions.act_window",
      name: _t("Spend lines: %s", name),
      res_model: "pareto.spend.report",
      views: [
        [false, "list"],
        [false, "pivot"],
        [false, "graph"],
      ],
      domain: [
        ...this.periodDomain(),
        ...this.familyDomain(family),
        ...(filters[measure] || []),
        ...extraDomain,
      ],
      context: measure === "non_sme" ? {search_default_group_partner: 1} : {},
    });
  }

  openVendor(family, vendor) {
    return this.openLines(family, "total", [["partner_id", "=", vendor.partner_id]]);
  }

  openTrend(family) {
    const data = this.state.data;
    return this.action.doAction({
      type: "ir.actions.act_window",
      name: _t("SME share trend: %s", family ? family.name : _t("All families")),
      res_model: "pareto.spend.report",
      views: [
        [data.trend_view_id, "graph"],
        [false, "pivot"],
        [false, "list"],
      ],
      domain: [
        ["company_id", "in", this.options.company_ids],
        ["date", ">=", data.months[0]],
        ...this.familyDomain(family),
      ],
    });
  }

  openUnknownVendors() {
    return this.action.doAction({
      type: "ir.actions.act_window",
      name: _t("Vendors of unknown size"),
      res_model: "res.partner",
      views: [
        [false, "list"],
        [false, "form"],
      ],
      domain: [["id", "in", this.state.data.unknown_size_partner_ids]],
    });
  }

  openPartner(partnerId) {
    return this.action.doAction({
      type: "ir.actions.act_window",
      res_model: "res.partner",
      res_id: partnerId,
      views: [[false, "form"]],
    });
  }

  toggle(family) {
    const key = family.family_id || 0;
    this.state.expanded[key] = !this.state.expanded[key];
  }

  isExpanded(family) {
    return Boolean(this.state.expanded[family.family_id || 0]);
  }

  // Reports ----------------------------------------------------------

  openAnalysis() {
    return this.action.doAction("pareto_odoo.action_pareto_spend_report");
  }

  exportXlsx() {
    return this.doReportAction("action_export_xlsx");
  }

  printSummary() {
    return this.doReportAction("action_print_summary");
  }

  async doReportAction(method) {
    const action = await this.orm.call("pareto.compliance.dashboard", method, [
      this.options,
    ]);
    return this.action.doAction(action);
  }
}

registry
  .category("actions")
  .add("pareto_odoo.compliance_dashboard", ComplianceDashboard);
