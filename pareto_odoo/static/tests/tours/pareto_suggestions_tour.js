import {registry} from "@web/core/registry";

/**
 * Open an RFQ (its URL is given by the test), see the SME suggestions, and
 * request a quotation from the first one, a local SME supplying the product:
 * the new RFQ opens, for that vendor, as an alternative of the original.
 */
registry.category("web_tour.tours").add("pareto_suggestions_tour", {
  steps: () => [
    {
      content: "The suggestions panel lists the local SME first",
      trigger:
        ".o_pareto_suggestions tbody tr.o_pareto_suggestion:first-child .o_pareto_suggestion_name:contains('Atelier Tour Local')",
    },
    {
      content: "It is shown as local, with its distance and price",
      trigger:
        ".o_pareto_suggestion:contains('Atelier Tour Local') .o_pareto_suggestion_local",
    },
    {
      content: "Its distance is shown",
      trigger:
        ".o_pareto_suggestion:contains('Atelier Tour Local') .o_pareto_suggestion_distance:contains('km')",
    },
    {
      content: "The non-local SME comes next",
      trigger:
        ".o_pareto_suggestions tbody tr.o_pareto_suggestion:nth-child(2) .o_pareto_suggestion_name:contains('Lyon Tour Distant')",
    },
    {
      content: "Request a quotation from the local SME",
      trigger:
        ".o_pareto_suggestion:contains('Atelier Tour Local') .o_pareto_request_quotation",
      run: "click",
    },
    {
      content: "The new RFQ is for the suggested SME",
      trigger:
        ".o_form_view .o_field_widget[name=partner_id] input:value(Atelier Tour Local)",
    },
    {
      content: "It is an alternative of the original RFQ",
      trigger:
        ".o_form_view .o_field_widget[name=pareto_origin_order_id]:contains('PARETO-TOUR')",
    },
    {
      content: "It has the laptop line",
      trigger:
        ".o_form_view .o_field_widget[name=order_line] .o_data_row:contains('Laptop')",
    },
  ],
});
