from odoo import api, fields, models
from odoo.exceptions import ValidationError

from ..engine import compliance, territory


class ResCompany(models.Model):
    _name = "res.company"
    _inherit = ["res.company", "pareto.write.guard"]

    pareto_default_target = fields.Float(
        string="Default SME Target (%)",
        digits=(5, 2),
        default=20.0,
        help="Target SME share proposed for new purchasing families.",
    )
    pareto_period = fields.Selection(
        [
            (compliance.CALENDAR_YEAR, "Calendar year"),
            (compliance.FISCAL_YEAR, "Fiscal year"),
            (compliance.ROLLING_12, "Rolling 12 months"),
        ],
        string="Compliance Period",
        default=compliance.CALENDAR_YEAR,
        required=True,
    )
    pareto_local_departments = fields.Char(
        string="Local Départements",
        default=territory.DEFAULT_LOCAL_DEPARTMENTS,
        help="Comma-separated codes of the départements where a vendor counts as "
        "local (default: Île-de-France).",
    )
    pareto_local_radius_km = fields.Float(
        string="Local Radius (km)",
        default=0.0,
        help="Vendors within this distance of the company also count as local, when "
        "both have coordinates. 0 disables it.",
    )
    pareto_warning_margin = fields.Float(
        string="Warning Margin (points)",
        digits=(5, 2),
        default=5.0,
        help="A family whose share is below target by at most this many points is "
        "shown as a warning rather than below target.",
    )
    pareto_spend_basis = fields.Selection(
        [
            (compliance.ORDERED, "Confirmed purchase orders"),
            (compliance.INVOICED, "Posted vendor bills"),
        ],
        string="Spend Basis",
        default=compliance.ORDERED,
        required=True,
        help="What counts as spend in every SME figure of the company: the untaxed amount of "
        "confirmed purchase order lines (dated by confirmation), or of posted vendor bills minus "
        "refunds (dated by invoice date), which also counts purchases billed without an order.",
    )
    pareto_dependency_threshold = fields.Float(
        string="Dependency Threshold (%)",
        digits=(5, 2),
        default=30.0,
        help="A vendor whose turnover comes for more than this share from our purchases over "
        "the last 12 months is flagged as dependent on us.",
    )
    pareto_require_justification = fields.Boolean(
        string="Require a Justification Below Target",
        help="Confirming an order whose non-SME vendor lowers the SME share of a family "
        "below target requires a justification, stored on the order and posted in its "
        "chatter. Otherwise the buyer is only warned.",
    )

    _pareto_default_target_range = models.Constraint(
        "CHECK(pareto_default_target >= 0 AND pareto_default_target <= 100)",
        "The default SME target must be between 0 and 100%.",
    )
    _pareto_warning_margin_range = models.Constraint(
        "CHECK(pareto_warning_margin >= 0 AND pareto_warning_margin <= 100)",
        "The warning margin must be between 0 and 100 points.",
    )
    _pareto_dependency_threshold_range = models.Constraint(
        "CHECK(pareto_dependency_threshold >= 0 AND pareto_dependency_threshold <= 100)",
        "The dependency threshold must be between 0 and 100%.",
    )
    # PostgreSQL orders NaN above every number: ">= 0" alone lets it through.
    _pareto_local_radius_positive = models.Constraint(
        "CHECK(pareto_local_radius_km >= 0 AND pareto_local_radius_km <> 'NaN'::float8 "
        "AND pareto_local_radius_km < 'Infinity'::float8)",
        "The local radius must be a finite number of kilometres, 0 or more.",
    )

    @api.constrains("pareto_local_departments")
    def _check_pareto_local_departments(self):
        for company in self:
            try:
                territory.parse_departments(company.pareto_local_departments)
            except ValueError as error:
                raise ValidationError(
                    self.env._(
                        "“%(code)s” is not a French département code. Use codes such as "
                        "75, 2A or 974, separated by commas.",
                        code=error.args[0],
                    )
                ) from None

    def _pareto_period_bounds(self, day=None, period=None):
        """Inclusive (start, end) dates of the company's compliance period
        (or of ``period``) containing ``day`` (default: today in the user's
        timezone): calendar year, Odoo's fiscal year of the company, or the
        rolling 12 months ending on ``day``."""
        self.ensure_one()
        day = day or fields.Date.context_today(self)
        period = period or self.pareto_period or compliance.CALENDAR_YEAR
        if period == compliance.FISCAL_YEAR:
            dates = self.compute_fiscalyear_dates(day)
            return fields.Date.to_date(dates["date_from"]), fields.Date.to_date(dates["date_to"])
        return compliance.period_bounds(day, period)

    def _pareto_spend_source(self):
        """The source of the spend the company's figures count: ``order``
        (ordered basis) or ``bill`` (invoiced basis)."""
        self.ensure_one()
        return compliance.BASIS_SOURCE[self.pareto_spend_basis or compliance.ORDERED]

    def _pareto_local_department_codes(self):
        self.ensure_one()
        return territory.parse_departments(self.pareto_local_departments)

    def _pareto_is_local(self, partner):
        """Whether the commercial partner of ``partner`` is local to this company."""
        self.ensure_one()
        vendor = partner.commercial_partner_id
        distance = None
        if self.pareto_local_radius_km:
            origin = self.partner_id
            distance = territory.distance_km(
                origin.partner_latitude,
                origin.partner_longitude,
                vendor.partner_latitude,
                vendor.partner_longitude,
            )
        return territory.is_local(
            vendor.pareto_department,
            self._pareto_local_department_codes(),
            distance,
            self.pareto_local_radius_km,
        )
