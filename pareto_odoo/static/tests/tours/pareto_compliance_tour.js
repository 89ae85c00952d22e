import {registry} from "@web/core/registry";

const ROW = ".o_pareto_compliance .o_pareto_family_row";

registry.category("web_tour.tours").add("pareto_compliance_tour", {
  steps: () => [
    {
      content: "The RFQ has no line yet: no compliance figures",
      trigger:
        ".o_form_view .o_field_widget[name=partner_id]:not(:has(.o_pareto_compliance))",
    },
    {
      trigger: ".o_form_view:not(:has(.o_pareto_compliance))",
    },
    {
      content: "Add a product line",
      trigger: ".o_field_x2many_list_row_add > a",
      run: "click",
    },
    {
      trigger: ".o_data_row [name=product_id] input",
      run: "edit Tour Workstation",
    },
    {
      trigger: ".dropdown-item:contains('Tour Workstation')",
      run: "click",
    },
    {
      trigger: ".o_data_row .o_data_cell[name=price_unit]",
      run: "click",
    },
    {
      trigger: ".o_data_row .o_data_cell[name=price_unit] input",
      run: "edit 300",
    },
    {
      content: "Leave the cell: the line is not saved yet, the order neither",
      trigger: ".o_form_view .oe_title",
      run: "click",
    },
    {
      content: "Before saving: 100 of SME spend out of 400 is 25%, on target (green)",
      trigger: `${ROW}.o_pareto_status_ok .o_pareto_projected_share.text-success:contains('25.0 %')`,
    },
    {
      content: "Not saved: the form still has unsaved changes",
      trigger: ".o_form_status_indicator_buttons .o_form_button_save",
    },
    {
      trigger: `${ROW} .o_pareto_family_name:contains('Tour Office Equipment')`,
    },
    {
      trigger: `${ROW} .o_pareto_target:contains('20.0 %')`,
    },
    {
      trigger: `${ROW} .o_pareto_share:contains('100.0 %')`,
    },
    {
      trigger: `${ROW} .o_pareto_status_badge.text-bg-success`,
    },
    {
      content: "The vendor is not an SME",
      trigger: ".o_pareto_compliance .o_pareto_vendor_badge.text-bg-danger",
    },
    {
      trigger: ".o_data_row .o_data_cell[name=price_unit]",
      run: "click",
    },
    {
      trigger: ".o_data_row .o_data_cell[name=price_unit] input",
      run: "edit 900",
    },
    {
      trigger: ".o_form_view .oe_title",
      run: "click",
    },
    {
      content: "100 out of 1,000 is 10%: below target (red), 100 to shift to SMEs",
      trigger: `${ROW}.o_pareto_status_below .o_pareto_projected_share.text-danger:contains('10.0 %')`,
    },
    {
      trigger: `${ROW} .o_pareto_status_badge.text-bg-danger`,
    },
    {
      trigger: `${ROW} .o_pareto_shift:contains('100.00')`,
    },
    {
      content: "The family was on target: this order pushes it below",
      trigger:
        ".o_pareto_compliance .o_pareto_warning .o_pareto_warning_pushes:contains('Tour Office Equipment')",
    },
    {
      trigger:
        ".o_pareto_compliance th.o_pareto_shift_header:contains('To shift in the period')",
    },
    {
      content: "Confirm the order",
      trigger: ".o_form_view .o_statusbar_buttons button[name=button_confirm]",
      run: "click",
    },
    {
      content: "The justification dialog appears",
      trigger: ".modal .o_field_widget[name=justification] textarea",
      run: "edit No SME can deliver this week",
    },
    {
      trigger: ".modal td:contains('Tour Office Equipment')",
    },
    {
      trigger: ".modal button[name=action_confirm]:contains('justification')",
      run: "click",
    },
    {
      content: "The order is confirmed",
      trigger: ".o_statusbar_status .o_arrow_button_current:contains('Purchase Order')",
    },
    {
      trigger: "body:not(:has(.modal))",
    },
  ],
});

registry.category("web_tour.tours").add("pareto_compliance_confirm_anyway_tour", {
  steps: () => [
    {
      trigger: `${ROW}.o_pareto_status_below`,
    },
    {
      trigger: ".o_form_view .o_statusbar_buttons button[name=button_confirm]",
      run: "click",
    },
    {
      content: "Non-blocking: the warning offers to confirm anyway",
      trigger: ".modal button[name=action_confirm]:contains('Confirm anyway')",
      run: "click",
    },
    {
      trigger: ".o_statusbar_status .o_arrow_button_current:contains('Purchase Order')",
    },
  ],
});
