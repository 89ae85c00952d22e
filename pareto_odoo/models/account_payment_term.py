from odoo import api, fields, models
from odoo.fields import Domain

from ..engine import payments


class AccountPaymentTerm(models.Model):
    _name = "account.payment.term"
    _inherit = ["account.payment.term", "pareto.write.guard"]

    pareto_days_over_legal_cap = fields.Integer(
        string="Days over the Legal Cap",
        compute="_compute_pareto_days_over_legal_cap",
        help="The most days by which a due date of this term exceeds the legal cap on payment "
        "terms between companies (Code de commerce art. L.441-10: 60 days from the invoice "
        "date, or 45 days end of month), over the invoice dates of a whole year. 0 when the "
        "term always keeps within it.",
    )

    @api.depends(
        "line_ids.delay_type", "line_ids.nb_days", "line_ids.days_next_month", "line_ids.value"
    )
    def _compute_pareto_days_over_legal_cap(self):
        invoice_dates = payments.sample_invoice_dates()
        for term in self:
            lines = term.line_ids
            term.pareto_days_over_legal_cap = payments.days_over_legal_cap(
                (day, max(line._get_due_date(day) for line in lines) if lines else None)
                for day in invoice_dates
            )

    @api.model
    def _pareto_terms_over_legal_cap(self):
        """The payment terms the user can read (archived ones included) whose
        due dates can exceed the legal cap: a few records, checked on read."""
        terms = self.with_context(active_test=False).search([])  # pylint: disable=no-search-all
        return terms.filtered("pareto_days_over_legal_cap")

    def _pareto_days_over_cap_for(self, partner):
        """The days this term (one or none) can exceed the legal cap when it
        applies to ``partner``: the cap protects SMEs, so 0 for the others."""
        if not self or not partner.commercial_partner_id.pareto_is_sme:
            return 0
        self.ensure_one()
        return self.pareto_days_over_legal_cap

    @api.model
    def _pareto_over_cap_domain(self, vendor_path, term_path):
        """Records whose SME vendor (``vendor_path``: a path to the vendor
        company) has a term (``term_path``) that can exceed the legal cap."""
        terms = self._pareto_terms_over_legal_cap()
        return Domain(f"{vendor_path}.pareto_is_sme", "=", True) & Domain(
            term_path, "in", terms.ids
        )
