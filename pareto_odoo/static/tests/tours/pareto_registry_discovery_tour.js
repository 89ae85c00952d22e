import {registry} from "@web/core/registry";

/**
 * On an RFQ (its URL is given by the test), look for local SMEs in the
 * national company registry and create one of the candidates as a vendor.
 */
registry.category("web_tour.tours").add("pareto_registry_discovery_tour", {
  steps: () => [
    {
      content: "Look for local SMEs in the company registry",
      trigger: ".o_form_view .o_statusbar_buttons button:contains('Find local SMEs')",
      run: "click",
    },
    {
      content: "The local SMEs of the order's activities are listed, with their size",
      trigger:
        ".modal .o_data_row:contains('ATELIER GRAPHIQUE DU PARISIS'):contains('Small enterprise (PE)')",
    },
    {
      content: "A company already in the contacts is not listed again",
      trigger: ".modal .o_field_widget[name=known_count]:contains('1')",
    },
    {
      content: "Create the first candidate as a vendor",
      trigger:
        ".modal .o_data_row:contains('ATELIER GRAPHIQUE DU PARISIS') button[name=action_create_vendor]",
      run: "click",
    },
    {
      content: "The candidate now links to its new vendor",
      trigger:
        ".modal .o_data_row:contains('ATELIER GRAPHIQUE DU PARISIS') .o_data_cell[name=partner_id]:contains('ATELIER')",
    },
    {
      content: "Close the list",
      trigger: ".modal .modal-footer button:contains('Close')",
      run: "click",
    },
    {
      content: "Back on the RFQ",
      trigger: "body:not(:has(.modal)) .o_form_view .o_statusbar_buttons",
    },
  ],
});
