from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tools import SQL

from ..engine import compliance, payments, territory
from ..tools import planner_settings
from .account_move import BILL_TYPES


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
        default=payments.DEFAULT_DEPENDENCY_THRESHOLD,
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

    # ------------------------------------------------------------------
    # Statutory late-payment table (Code de commerce art. D.441-6)
    # ------------------------------------------------------------------

    @api.readonly
    def get_pareto_late_payment_table(self, closing_date, sme_only=False):
        """The bills received, unpaid and past due at ``closing_date``, by
        lateness bucket (1-30, 31-60, 61-90, 91+ days): count, amount still
        due including taxes (company currency) and share of the fiscal
        year's purchases including taxes up to the closing date (of SME
        vendors only, with ``sme_only``). Bills in dispute (payment blocked)
        are counted apart, under ``disputed``."""
        self.ensure_one()
        closing = self._pareto_closing_date(closing_date)
        self._pareto_check_payment_access()
        due, disputed = self._pareto_bills_due_at(closing, bool(sme_only))
        table = payments.late_payment_table(
            due, self._pareto_year_purchases(closing, bool(sme_only))
        )
        currency = self.currency_id
        for row in (*table["buckets"], table["total"]):
            row["amount"] = currency.round(row["amount"])
        table["year_purchases"] = currency.round(table["year_purchases"])
        table.update(
            disputed={
                "count": sum(count for _days, count, _amount in disputed),
                "amount": currency.round(sum(amount for _days, _count, amount in disputed)),
            },
            closing_date=fields.Date.to_string(closing),
            fiscal_year_start=fields.Date.to_string(self._pareto_fiscal_year_start(closing)),
            sme_only=bool(sme_only),
            currency_id=currency.id,
            legal_days_from_invoice=payments.LEGAL_DAYS_FROM_INVOICE,
            legal_days_end_of_month=payments.LEGAL_DAYS_END_OF_MONTH,
        )
        return table

    def _pareto_closing_date(self, closing_date):
        try:
            closing = fields.Date.to_date(closing_date)
        except (TypeError, ValueError):
            closing = None
        if not closing:
            raise UserError(
                self.env._("“%(value)s” is not a closing date (YYYY-MM-DD).", value=closing_date)
            )
        return closing

    def _pareto_check_payment_access(self):
        """Vendor bills are read in SQL below: the user must be allowed to
        read them, in this company."""
        self.env["account.move"].check_access("read")
        if not self.env.su and self not in self.env.user.company_ids:
            raise AccessError(self.env._("You are not allowed to access this company's bills."))

    def _pareto_fiscal_year_start(self, day):
        return fields.Date.to_date(self.compute_fiscalyear_dates(day)["date_from"])

    def _pareto_bills_due_at(self, closing, sme_only, later=None):
        """([(days late, bills, amount due)], [(days late, bills, amount due)
        of disputed bills]) per day of lateness: the company's vendor bills
        dated up to ``closing``, past due and not fully paid at that date,
        with what remained due then. That is their total minus the payments
        reconciled up to the closing date or, the same, what remains due
        today plus the payments reconciled after it: whichever reads fewer
        reconciliations (``later``: the second; None: by their count), and
        never each open bill's lines."""
        self.env["account.move"].flush_model()
        self.env["account.partial.reconcile"].flush_model()
        due, payments, sign = self._pareto_payments_side(closing, later)
        # Some 100,000 open bills to group in memory; the plan's cost makes
        # PostgreSQL compile it (JIT), which costs more than the query.
        with planner_settings(self.env.cr, work_mem="64MB", jit="off"):
            self.env.cr.execute(
                SQL(
                    """
                    WITH bill AS MATERIALIZED (
                        SELECT move.id, %(due)s AS amount,
                               %(closing)s::date - move.invoice_date_due AS days_late,
                               move.payment_state = 'blocked' AS disputed
                          FROM account_move move
                          JOIN res_partner vendor ON vendor.id = move.commercial_partner_id
                         WHERE move.company_id = %(company)s AND move.state = 'posted'
                           AND move.move_type = 'in_invoice'
                           AND move.invoice_date <= %(closing)s
                           AND move.invoice_date_due < %(closing)s
                           AND (move.pareto_payment_date IS NULL
                                OR move.pareto_payment_date > %(closing)s)
                           AND (NOT %(sme_only)s OR vendor.pareto_is_sme)
                    ), paid AS (
                        -- The bill's payable line (its payment term line) of each
                        -- reconciliation, read by its id: OFFSET 0 keeps the
                        -- planner from hashing every journal item instead.
                        SELECT line.move_id, SUM(partial.amount) AS amount
                          FROM account_partial_reconcile partial
                         CROSS JOIN LATERAL (
                               SELECT line.move_id FROM account_move_line line
                                WHERE line.id = partial.credit_move_id
                                  AND line.display_type = 'payment_term'
                               OFFSET 0
                         ) line
                         WHERE partial.company_id = %(company)s AND %(payments)s
                         GROUP BY line.move_id
                    ), due AS (
                        SELECT bill.days_late, bill.disputed,
                               bill.amount + %(sign)s * COALESCE(paid.amount, 0) AS amount
                          FROM bill LEFT JOIN paid ON paid.move_id = bill.id
                    )
                    SELECT days_late, disputed, COUNT(*), SUM(amount)::float8
                      FROM due WHERE amount > 0
                     GROUP BY days_late, disputed
                    """,
                    due=due,
                    payments=payments,
                    sign=sign,
                    closing=closing,
                    company=self.id,
                    sme_only=sme_only,
                )
            )
            rows = self.env.cr.fetchall()
        due, disputed = [], []
        for days_late, is_disputed, count, amount in rows:
            (disputed if is_disputed else due).append((days_late, count, amount))
        return due, disputed

    def _pareto_payments_side(self, closing, later=None):
        """(what a bill owes, SQL condition on the payments to read, their
        sign) for :meth:`_pareto_bills_due_at`: the residual today plus the
        payments after ``closing`` (``later``), or the total minus those up
        to it; None: the side with fewer reconciliations."""
        if later is None:
            later = self._pareto_fewer_payments_after(closing)
        if later:
            return SQL("-move.amount_residual_signed"), SQL("partial.max_date > %s", closing), 1
        return SQL("-move.amount_total_signed"), SQL("partial.max_date <= %s", closing), -1

    def _pareto_fewer_payments_after(self, closing):
        """Whether the company has fewer reconciliations after ``closing``
        than up to it (an index-only count)."""
        self.env.cr.execute(
            SQL(
                """SELECT COUNT(*) FILTER (WHERE max_date > %(closing)s),
                          COUNT(*) FILTER (WHERE max_date <= %(closing)s)
                     FROM account_partial_reconcile WHERE company_id = %(company)s""",
                closing=closing,
                company=self.id,
            )
        )
        after, before = self.env.cr.fetchone()
        return after < before

    def _pareto_year_purchases(self, closing, sme_only):
        """The company's posted vendor bills minus refunds, taxes included,
        dated from the start of the fiscal year to ``closing``."""
        self.env.cr.execute(
            SQL(
                """
                SELECT COALESCE(SUM(-move.amount_total_signed), 0)::float8
                  FROM account_move move
                  JOIN res_partner vendor ON vendor.id = move.commercial_partner_id
                 WHERE move.company_id = %(company)s AND move.state = 'posted'
                   AND move.move_type IN %(types)s
                   AND move.invoice_date BETWEEN %(start)s AND %(closing)s
                   AND (NOT %(sme_only)s OR vendor.pareto_is_sme)
                """,
                company=self.id,
                start=self._pareto_fiscal_year_start(closing),
                closing=closing,
                sme_only=sme_only,
                types=BILL_TYPES,
            )
        )
        return self.env.cr.fetchone()[0]
