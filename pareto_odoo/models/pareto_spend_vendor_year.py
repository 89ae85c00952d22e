from odoo import fields, models
from odoo.tools import SQL

from ..tools import spend_triggers


class ParetoSpendVendorYear(models.Model):
    """The vendor aggregate's yearly totals: spend per company, purchasing
    family (or none), partner, calendar year (of the aggregate's day) and
    source. A vendor is bought from a few days a year in each family, so
    the daily rows of a year are hardly fewer than its lines: readers of a
    long period take each year mostly inside it from here, minus its days
    outside (:func:`pareto_odoo.tools.spend.year_parts`). Kept by the same
    statement that merges the change log into ``pareto.spend.vendor``."""

    _name = "pareto.spend.vendor.year"
    _inherit = ["pareto.spend.vendor.mixin"]
    _description = "Yearly Spend per Vendor and Purchasing Family"
    _log_access = False
    _order = "day desc, id"

    day = fields.Date(string="Year", help="The first day of the calendar year.")

    # The key, and what the readers of a year take, in an index-only scan.
    _key_uniq = models.UniqueIndex(
        "(company_id, source, day, COALESCE(family_id, 0), partner_id) INCLUDE (family_id, amount)",
        "One yearly row per company, source, year, family and partner.",
    )
    # A vendor's own spend (its dependency on us, in the order widget).
    _partner_day_idx = models.Index("(partner_id, day) INCLUDE (company_id, source, amount)")

    def _fill(self):
        """Recompute the yearly totals from the daily rows (upgrade)."""
        self.env.flush_all()
        self.env.cr.execute(SQL("DELETE FROM pareto_spend_vendor_year"))
        self.env.cr.execute(spend_triggers.yearly_sql(SQL("pareto_spend_vendor")))
        self.invalidate_model()
