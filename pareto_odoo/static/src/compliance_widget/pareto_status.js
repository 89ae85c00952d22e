/**
 * How a status looks, the same in the compliance widget and the dashboard.
 *
 * The server sends what to say: each row's `shown_status` (a family without
 * spend shows `no_spend`, not a green "on target", while its `status` stays
 * `ok`) and the labels (`status_labels`: the `purchase.order.pareto_status`
 * selection in the user's language, and "No spend"); only the colours and
 * icons are here.
 */
const STYLES = {
  ok: {badge: "text-bg-success", text: "text-success", icon: "fa-check-circle"},
  warning: {
    badge: "text-bg-warning",
    text: "text-warning",
    icon: "fa-exclamation-circle",
  },
  below: {badge: "text-bg-danger", text: "text-danger", icon: "fa-times-circle"},
  no_spend: {
    badge: "text-bg-light border",
    text: "text-muted",
    icon: "fa-minus-circle",
  },
};
const NONE = {badge: "", text: "", icon: ""};

export function statusStyle(shownStatus) {
  return STYLES[shownStatus] || NONE;
}
