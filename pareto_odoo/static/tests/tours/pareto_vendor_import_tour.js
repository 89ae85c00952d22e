import {registry} from "@web/core/registry";

/** Put a file in a binary field's hidden input, as choosing it in the browser does. */
function uploadFile(selector, name, content) {
  const input = document.querySelector(selector);
  const transfer = new DataTransfer();
  transfer.items.add(new File([content], name, {type: "text/csv"}));
  input.files = transfer.files;
  input.dispatchEvent(new Event("change", {bubbles: true}));
}

function openConfigurationMenu(xmlid) {
  return [
    {
      content: "Open Purchase > Configuration",
      trigger: ".o_main_navbar [data-menu-xmlid='purchase.menu_purchase_config']",
      run: "click",
    },
    {
      content: `Open ${xmlid}`,
      trigger: `.o-dropdown--menu [data-menu-xmlid='${xmlid}']`,
      run: "click",
    },
  ];
}

/**
 * As a procurement manager: import a vendor list (the test gives its rows
 * in the tour's name-spaced global), preview it, then import it.
 */
registry.category("web_tour.tours").add("pareto_vendor_import_tour", {
  steps: () => [
    ...openConfigurationMenu("pareto_odoo.menu_pareto_vendor_import"),
    {
      content: "Choose the vendor list",
      trigger: ".modal .o_field_widget[name=file]",
      run() {
        uploadFile(
          ".modal .o_field_widget[name=file] input[type=file]",
          "fournisseurs.csv",
          "SIREN;Raison sociale;Taille;Année\n" +
            "310000013;Alpha Industrie;PME;2023\n" +
            "310000047;Delta;GE;2023\n" +
            "310000260;Absente SAS;TPE;2023\n"
        );
      },
    },
    {
      content: "The file is loaded",
      trigger: ".modal .o_field_widget[name=file] .o_clear_file_button",
    },
    {
      content: "Preview",
      trigger: ".modal .modal-footer button[name=action_preview]",
      run: "click",
    },
    {
      content: "One row to update, by SIREN",
      trigger:
        ".modal .o_field_widget[name=matched_line_ids] .o_data_row:contains('Alpha Industrie'):contains('SIREN')",
    },
    {
      content: "Open a row",
      trigger:
        ".modal .o_field_widget[name=matched_line_ids] .o_data_row:contains('Alpha Industrie') .o_data_cell[name=name]",
      run: "click",
    },
    {
      content: "The row opens under a readable name, with its vendor",
      trigger:
        ".modal .o_form_view h2:contains('Row 2: Alpha Industrie'):not(:contains('pareto.'))",
    },
    {
      content: "No raw record reference in the dialog",
      trigger:
        ".modal:has(.o_form_view h2:contains('Row 2')):not(:contains('pareto.vendor.import,'))",
    },
    {
      content: "Close the row",
      trigger: ".modal:has(.o_form_view h2:contains('Row 2')) .modal-header .btn-close",
      run: "click",
    },
    {
      content: "The size set by hand is a conflict",
      trigger: ".modal .nav-link:contains('Conflicts')",
      run: "click",
    },
    {
      content: "Its message says why",
      trigger:
        ".modal .o_field_widget[name=conflict_line_ids] .o_data_row:contains('Delta'):contains('set by hand')",
    },
    {
      content: "The unknown SIREN is listed as unmatched",
      trigger: ".modal .nav-link:contains('Unmatched')",
      run: "click",
    },
    {
      content: "Its row is there",
      trigger:
        ".modal .o_field_widget[name=unmatched_line_ids] .o_data_row:contains('310000260')",
    },
    {
      content: "Import",
      trigger: ".modal .modal-footer button[name=action_import]",
      run: "click",
    },
    {
      content: "Done: one vendor updated",
      trigger:
        ".modal .alert-success:contains('Import done') .o_field_widget[name=updated_count]:contains('1')",
    },
    {
      content: "The report can be downloaded",
      trigger: ".modal .modal-footer button[name=action_download_report]",
    },
    {
      content: "Open the updated vendors",
      trigger: ".modal .modal-footer button[name=action_open_vendors]",
      run: "click",
    },
    {
      content: "The vendor is listed",
      trigger: "body:not(:has(.modal)) .o_data_row:contains('Alpha Industrie')",
    },
  ],
});

/**
 * As a procurement manager: upload an extract of the Sirene stock file and
 * start its import; the test runs the cron, then the tour checks the result.
 */
registry.category("web_tour.tours").add("pareto_sirene_import_tour", {
  steps: () => [
    ...openConfigurationMenu("pareto_odoo.menu_pareto_sirene_job"),
    {
      content: "New import",
      trigger:
        ".o_control_panel:has(.o_breadcrumb:contains('Sirene Stock Imports')) .o_list_button_add",
      run: "click",
    },
    {
      content: "Only administrators give a server path",
      trigger: ".o_form_view .o_field_widget[name=source] input[data-value=path]",
      run: "click",
    },
    {
      content: "The path field is not offered",
      trigger:
        ".o_form_view:contains('Only administrators can give the path'):not(:has(.o_field_widget[name=file_path]))",
    },
    {
      content: "Upload a file instead",
      trigger: ".o_form_view .o_field_widget[name=source] input[data-value=upload]",
      run: "click",
    },
    {
      content: "Choose the extract",
      trigger: ".o_form_view .o_field_widget[name=file]",
      run() {
        uploadFile(
          ".o_form_view .o_field_widget[name=file] input[type=file]",
          "StockUniteLegale_extrait.csv",
          "siren,categorieEntreprise,anneeCategorieEntreprise,trancheEffectifsUniteLegale," +
            "anneeEffectifsUniteLegale,activitePrincipaleUniteLegale," +
            "etatAdministratifUniteLegale\n" +
            "310000013,PME,2022,01,2022,62.01Z,A\n" +
            "310000047,PME,2022,11,2022,43.21A,C\n"
        );
      },
    },
    {
      content: "The file is loaded",
      trigger: ".o_form_view .o_field_widget[name=file] .o_clear_file_button",
    },
    {
      content: "Start",
      trigger: ".o_form_view .o_statusbar_buttons button[name=action_start]",
      run: "click",
    },
    {
      content: "Queued for the scheduled action",
      trigger:
        ".o_form_view .o_statusbar_status .o_arrow_button_current:contains('Queued')",
    },
  ],
});
