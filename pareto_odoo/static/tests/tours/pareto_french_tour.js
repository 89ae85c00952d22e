import {registry} from "@web/core/registry";

const ROW = ".o_pareto_compliance .o_pareto_family_row";

/** Fails the step when the element's content is wider than the element. */
function fitsInWidth(what) {
  return {
    content: `${what} fits without scrolling sideways`,
    trigger: ".o_pareto_compliance .table-responsive",
    run() {
      const box = this.anchor;
      if (box.scrollWidth > box.clientWidth + 1) {
        throw new Error(
          `${what} is ${box.scrollWidth}px wide in ${box.clientWidth}px (window ${window.innerWidth}px)`
        );
      }
    },
  };
}

/**
 * The compliance widget as a French buyer reads it, in a 1440 px wide window:
 * the family's French name, French numbers, the status names of the screens,
 * the period of "to shift", the "pushes below" warning; headers and badges
 * fit.
 */
registry.category("web_tour.tours").add("pareto_compliance_french_tour", {
  steps: () => [
    {
      content: "The family in French, 100 of SME spend out of 1,000: 10,0 %",
      trigger: `${ROW}:contains('Mobilier et équipement de bureau') .o_pareto_projected_share:contains('10,0 %')`,
    },
    {
      trigger: `${ROW} .o_pareto_share:contains('100,0 %')`,
    },
    {
      content: "The status name of the screens, in French",
      trigger: `${ROW} .o_pareto_status_badge.text-bg-danger:contains("Sous l'objectif")`,
    },
    {
      content: "To shift: the family's period",
      trigger:
        ".o_pareto_compliance th.o_pareto_shift_header:contains('À réorienter sur la période')",
    },
    {
      content: "The order pushes the family below target (it was at 100 %)",
      trigger:
        ".o_pareto_warning .o_pareto_warning_pushes:contains('Cette commande fait passer la part PME sous l')",
    },
    {
      trigger: ".o_pareto_warning:not(:has(.o_pareto_warning_keeps))",
    },
    {
      content: "The period in French dates",
      trigger: ".o_pareto_compliance .o_pareto_period:contains('01/01/')",
    },
    fitsInWidth("The compliance table"),
  ],
});

/** The dashboard as a French procurement head reads it. */
registry.category("web_tour.tours").add("pareto_compliance_dashboard_french_tour", {
  steps: () => [
    {
      content:
        "The family in French, its share in French numbers, the status of the screens",
      trigger:
        ".o_pareto_dashboard tr.o_pareto_family_row[data-family='Services généraux']:contains('10,0 %'):contains(\"Sous l'objectif\")",
    },
    {
      content: "The total row counts the families below target",
      trigger:
        '.o_pareto_dashboard .o_pareto_total_status:contains("familles sous l\'objectif")',
    },
    {
      content: "The period in French dates",
      trigger:
        ".o_pareto_dashboard .o_pareto_period:contains('01/01/'):contains('31/12/')",
    },
    {
      content: "The period's dates are typed in the French format",
      trigger: ".o_pareto_dashboard .o_pareto_date_to input",
      run: `edit 31/03/${new Date().getFullYear()} && press Enter`,
    },
    {
      content: "A custom period, read back in French",
      trigger: `.o_pareto_dashboard .o_pareto_period:contains('01/01/${new Date().getFullYear()} – 31/03/${new Date().getFullYear()}')`,
    },
    {
      trigger:
        ".o_pareto_dashboard .o_pareto_period_select:has(option[value=custom]:selected)",
    },
  ],
});
