from odoo import models


class PurchaseOrder(models.Model):
    _inherit = "purchase.order"

    # ------------------------------------------------------------------
    # Compliance (SME share per purchasing family)
    # ------------------------------------------------------------------

    # ------------------------------------------------------------------
    # Suggestions of SMEs
    # ------------------------------------------------------------------
