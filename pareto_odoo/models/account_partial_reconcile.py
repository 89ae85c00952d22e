from odoo import models


class AccountPartialReconcile(models.Model):
    _inherit = "account.partial.reconcile"

    # The statutory late-payment table counts a company's reconciliations
    # before and after a closing date, to read the fewer of the two.
    _pareto_company_date_idx = models.Index("(company_id, max_date)")
