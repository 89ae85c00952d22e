import {Component, useState} from "@odoo/owl";
import {formatCurrency} from "@web/core/currency";
import {_t} from "@web/core/l10n/translation";
import {registry} from "@web/core/registry";
import {formatFloat} from "@web/core/utils/numbers";
import {useService} from "@web/core/utils/hooks";
import {useRecordObserver} from "@web/model/relational_model/utils";
import {standardWidgetProps} from "@web/views/widgets/standard_widget_props";

/**
 * SME suggestions on the RFQ form: the vendors that
 * `purchase.order.get_pareto_suggestions()` proposes for the saved order,
 * with "Replace vendor" (draft RFQs) and "Request a quotation" (an
 * alternative RFQ with the same lines, linked to this one).
 *
 * The suggestions come from the saved lines (SQL on the server): the panel
 * reloads them when the order is saved (its write_date changes) or changes
 * state, not on every keystroke.
 */
export class SuggestionsPanel extends Component {
  static template = "pareto_odoo.SuggestionsPanel";
  static props = {...standardWidgetProps, limit: {type: Number, optional: true}};
  static defaultProps = {limit: 5};

  setup() {
    this.orm = useService("orm");
    this.action = useService("action");
    this.state = useState({loading: false, data: null, busy: false});
    this.loadedKey = null;
    useRecordObserver((record) => this.load(record));
  }

  async load(record, force = false) {
    const key = `${record.resId}|${record.data.write_date}|${record.data.state}`;
    if (!force && key === this.loadedKey) {
      return;
    }
    this.loadedKey = key;
    if (!record.resId) {
      this.state.data = null;
      return;
    }
    this.state.loading = true;
    try {
      this.state.data = await this.orm.call(
        "purchase.order",
        "get_pareto_suggestions_panel",
        [[record.resId]],
        {limit: this.props.limit}
      );
    } finally {
      this.state.loading = false;
    }
  }

  get suggestions() {
    return this.state.data?.suggestions || [];
  }

  formatDistance(suggestion) {
    if (suggestion.distance_km === null || suggestion.distance_km === undefined) {
      return "";
    }
    return _t("%(distance)s km", {
      distance: formatFloat(suggestion.distance_km, {digits: [16, 0]}),
    });
  }

  formatPrice(suggestion) {
    if (suggestion.price === null || suggestion.price === undefined) {
      return "";
    }
    return formatCurrency(suggestion.price, this.state.data.currency_id);
  }

  formatVolume(suggestion) {
    if (!suggestion.volume) {
      return "";
    }
    return formatCurrency(suggestion.volume, this.state.data.company_currency_id, {
      digits: [16, 0],
    });
  }

  formatDelay(suggestion) {
    if (suggestion.delay === null || suggestion.delay === undefined) {
      return "";
    }
    return _t("%(days)s days", {days: suggestion.delay});
  }

  async runAction(method, suggestion) {
    if (this.state.busy) {
      return null;
    }
    this.state.busy = true;
    try {
      const record = this.props.record;
      if (!(await record.save())) {
        return null;
      }
      return await this.orm.call("purchase.order", method, [
        [record.resId],
        suggestion.partner_id,
      ]);
    } finally {
      this.state.busy = false;
    }
  }

  async onReplaceVendor(suggestion) {
    const result = await this.runAction("action_pareto_replace_vendor", suggestion);
    if (result) {
      await this.props.record.load();
      await this.load(this.props.record, true);
    }
  }

  async onRequestQuotation(suggestion) {
    const action = await this.runAction("action_pareto_request_quotation", suggestion);
    if (action) {
      await this.action.doAction(action);
    }
  }
}

export const suggestionsPanel = {
  component: SuggestionsPanel,
  extractProps: ({attrs}) => (attrs.limit ? {limit: parseInt(attrs.limit, 10)} : {}),
  fieldDependencies: [
    {name: "write_date", type: "datetime"},
    {name: "state", type: "selection"},
  ],
};

registry.category("view_widgets").add("pareto_suggestions_panel", suggestionsPanel);
