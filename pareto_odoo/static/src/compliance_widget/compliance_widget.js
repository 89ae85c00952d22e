import {Component} from "@odoo/owl";
import {formatCurrency} from "@web/core/currency";
import {deserializeDate, formatDate} from "@web/core/l10n/dates";
import {_t} from "@web/core/l10n/translation";
import {registry} from "@web/core/registry";
import {formatFloat} from "@web/core/utils/numbers";
import {standardFieldProps} from "@web/views/fields/standard_field_props";
import {statusStyle} from "./pareto_status";

/**
 * SME share per purchasing family on the RFQ / purchase order form.
 *
 * Renders the order's `pareto_compliance` field: a non-stored computed JSON
 * field that depends on the order lines, so the form's onchange recomputes
 * it on the server (with the unsaved lines) while the buyer edits: the
 * widget updates before saving, without reloading the page.
 *
 * The status labels and what each row shows (`shown_status`: "No spend" for
 * a family without spend) come from the server, as in the dashboard.
 */
export class ComplianceWidget extends Component {
  static template = "pareto_odoo.ComplianceWidget";
  static props = {...standardFieldProps};

  get data() {
    return this.props.record.data[this.props.name] || null;
  }

  get families() {
    return (this.data && this.data.families) || [];
  }

  get period() {
    const data = this.data;
    if (!data || !data.period_start) {
      return "";
    }
    return `${formatDate(deserializeDate(data.period_start))} – ${formatDate(
      deserializeDate(data.period_end)
    )}`;
  }

  get vendorBadge() {
    const data = this.data;
    if (!data || !data.vendor_name) {
      return null;
    }
    if (data.vendor_excluded) {
      return {label: _t("Excluded from SME shares"), class: "text-bg-secondary"};
    }
    if (data.vendor_is_sme) {
      return {label: _t("SME vendor"), class: "text-bg-success"};
    }
    return {label: _t("Not an SME"), class: "text-bg-danger"};
  }

  status(row) {
    return {
      ...statusStyle(row.shown_status),
      label: this.data.status_labels[row.shown_status] || "",
    };
  }

  /** The families this order pushes below target, and those it keeps below. */
  get warning() {
    return (this.data && this.data.warning) || null;
  }

  /** The vendor's dependency on us (last 12 months, with this order), or null. */
  get dependency() {
    return (this.data && this.data.dependency) || null;
  }

  share(value) {
    if (value === null || value === undefined) {
      return "—";
    }
    return `${formatFloat(value, {digits: [16, 1]})} %`;
  }

  amount(value) {
    return formatCurrency(value || 0, this.data.currency_id);
  }

  /** Width (0-100) of a share in the bar. */
  barWidth(value) {
    if (value === null || value === undefined) {
      return 0;
    }
    return Math.max(0, Math.min(100, value));
  }

  trend(row) {
    if (row.share === null || row.projected_share === null || row.order_total === 0) {
      return "";
    }
    if (row.projected_share > row.share + 0.05) {
      return "fa-arrow-up text-success";
    }
    if (row.projected_share < row.share - 0.05) {
      return "fa-arrow-down text-danger";
    }
    return "";
  }
}

export const complianceWidget = {
  component: ComplianceWidget,
  displayName: _t("SME share per family"),
  supportedTypes: ["json"],
};

registry.category("fields").add("pareto_compliance", complianceWidget);
