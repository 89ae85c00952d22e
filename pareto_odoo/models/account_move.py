from odoo import models


class AccountMove(models.Model):
    _inherit = "account.move"

    # The posted vendor bills of a company in a date window, with what the
    # suggestions' history on the invoiced basis needs, in an index-only scan
    # (the twin of purchase.order's on confirmed orders).
    _pareto_bill_company_date_idx = models.Index(
        "(company_id, invoice_date) INCLUDE (id, commercial_partner_id) "
        "WHERE state = 'posted' AND move_type IN ('in_invoice', 'in_refund')"
    )
