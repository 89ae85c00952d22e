import {registry} from "@web/core/registry";

/**
 * The SME compliance dashboard (Purchase > Reporting > SME Compliance): the
 * Facility services family is below its 30 % target with 10 % of SMEs; its
 * figures open the spend lines behind them, and "Where to shift" lists its
 * largest non-SME vendor.
 */
registry.category("web_tour.tours").add("pareto_compliance_dashboard_tour", {
  steps: () => [
    {
      content: "The family shows its SME share and status",
      trigger:
        ".o_pareto_dashboard tr.o_pareto_family_row[data-family='Facility services']:contains('10.0 %'):contains('Below target')",
    },
    {
      content: "Open the family's SME spend",
      trigger:
        ".o_pareto_dashboard tr.o_pareto_family_row[data-family='Facility services'] a.o_pareto_sme",
      run: "click",
    },
    {
      content: "The SME line of the family is listed",
      trigger: ".o_list_view .o_data_row:contains('Atelier Parisien')",
    },
    {
      content: "The non-SME line is not",
      trigger: ".o_list_view:not(:has(.o_data_row:contains('Grand Groupe')))",
    },
    {
      content: "Back to the dashboard",
      trigger: ".o_breadcrumb .breadcrumb-item a",
      run: "click",
    },
    {
      content: "Show where to shift spend",
      trigger:
        ".o_pareto_dashboard tr.o_pareto_family_row[data-family='Facility services'] .o_pareto_where_to_shift",
      run: "click",
    },
    {
      content: "The largest non-SME vendor is listed",
      trigger:
        ".o_pareto_dashboard tr.o_pareto_top_vendors a.o_pareto_vendor:contains('Grand Groupe')",
      run: "click",
    },
    {
      content: "Its lines in the family open",
      trigger: ".o_list_view .o_data_row:contains('Grand Groupe')",
    },
  ],
});
