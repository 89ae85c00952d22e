from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.exceptions import AccessError
from odoo.fields import Domain
from odoo.tools import SQL

from ..engine import identifiers, payments, sizes, territory
from ..tools import boolean_search, local_sql
from .payment_term_fields import (
    days_over_cap_field,
    over_cap_field,
    search_over_cap,
    set_over_cap,
)

SIZE_SELECTION = [
    (sizes.MICRO, "Micro-enterprise (TPE)"),
    (sizes.SMALL, "Small enterprise (PE)"),
    (sizes.MEDIUM, "Medium-sized enterprise (ME)"),
    (sizes.INTERMEDIATE, "Intermediate-sized enterprise (ETI)"),
    (sizes.LARGE, "Large enterprise (GE)"),
]
SIZE_SOURCE_SELECTION = [
    ("manual", "Set by hand"),
    ("figures", "Computed from figures"),
    ("registry", "National registry"),
    ("import", "Import"),
]


def _size_field(selection, string, **attrs):
    """The size class or its source: computed from the figures, else kept as
    set by hand or by an import, and tracked."""
    return fields.Selection(
        selection,
        string=string,
        compute="_compute_pareto_size",
        store=True,
        readonly=False,
        tracking=True,
        **attrs,
    )


def _derived_code_field(string, compute, **attrs):
    """A code read from another field (zip code, Company ID): stored, and
    indexed where set."""
    return fields.Char(string=string, compute=compute, store=True, index="btree_not_null", **attrs)


# Fields that classify a vendor company: only procurement managers change
# them, and its contacts carry the company's values (commercial fields). The
# names of fields not defined yet are skipped (see _pareto_field_names).
PARETO_CLASSIFICATION_FIELDS = (
    "pareto_size",
    "pareto_size_source",
    "pareto_size_year",
    "pareto_headcount",
    "pareto_turnover",
    "pareto_balance_sheet",
    "pareto_excluded",
    "pareto_naf_code",
    "pareto_net_result",
    "pareto_finance_year",
    "pareto_is_ess",
    "pareto_is_siae",
    "pareto_is_mission",
)
# What only procurement managers change: the classification, and when the
# company was last refreshed from the registry (a later date postpones the
# scheduled refresh).
PARETO_MANAGED_FIELDS = (*PARETO_CLASSIFICATION_FIELDS, "pareto_registry_date")
# What moves a partner under another commercial entity, whose classification
# it then carries.
COMMERCIAL_ENTITY_FIELDS = ("parent_id", "is_company")


class ResPartner(models.Model):
    _name = "res.partner"
    _inherit = ["res.partner", "pareto.write.guard"]

    # The SMEs and their contacts (which carry their company's size), for the
    # purchase history of the SME suggestions (purchase.order): a small partial
    # index instead of reading the whole partner table.
    _pareto_sme_commercial_idx = models.Index(
        "(commercial_partner_id) INCLUDE (id) WHERE pareto_is_sme"
    )

    pareto_size = _size_field(
        SIZE_SELECTION,
        "Company Size",
        help="Size class of the vendor company (EU Recommendation 2003/361/EC, "
        "décret 2008-1354). Empty means unknown, which counts as non-SME.",
    )
    pareto_size_source = _size_field(
        SIZE_SOURCE_SELECTION,
        "Size Source",
        help="A size set by hand is never overwritten by an automatic refresh or import.",
    )
    pareto_is_sme = fields.Boolean(
        string="SME",
        compute="_compute_pareto_is_sme",
        store=True,
        help="TPE/PME: micro, small or medium-sized enterprise.",
    )
    pareto_size_year = fields.Integer(
        string="Size Data Year", help="Year of the data the size class is based on."
    )
    pareto_headcount = fields.Integer(string="Headcount", help="Number of employees.")
    pareto_turnover = fields.Float(string="Turnover (€)", digits=(16, 0))
    pareto_balance_sheet = fields.Float(string="Balance Sheet Total (€)", digits=(16, 0))
    pareto_net_result = fields.Float(string="Net Result (€)", digits=(16, 0))
    pareto_finance_year = fields.Integer(
        string="Financial Year", help="Year of the turnover and net result."
    )
    pareto_is_ess = fields.Boolean(
        string="Social Economy (ESS)",
        help="Enterprise of the social and solidarity economy (économie sociale et solidaire).",
    )
    pareto_is_siae = fields.Boolean(
        string="Work Integration (SIAE)",
        help="Work-integration enterprise (structure d'insertion par l'activité économique).",
    )
    pareto_is_mission = fields.Boolean(
        string="Mission-Driven Company",
        help="Société à mission (loi PACTE).",
    )
    pareto_department = _derived_code_field(
        "Département", "_compute_pareto_department", help="French département, from the zip code."
    )
    pareto_is_local = fields.Boolean(
        string="Local",
        compute="_compute_pareto_is_local",
        search="_search_pareto_is_local",
        help="The vendor company is in one of the current company's local "
        "départements, or within its local radius.",
    )
    pareto_excluded = fields.Boolean(
        string="Excluded from SME Shares",
        tracking=True,
        help="Intra-group vendor, or spend that no SME can take: left out of every share.",
    )
    pareto_naf_code = fields.Char(string="NAF Code", help="Main activity code (APE).")
    pareto_registry_date = fields.Date(
        string="Registry Refresh Date", help="Last refresh from the national registry."
    )
    pareto_siren = _derived_code_field(
        "SIREN",
        "_compute_pareto_siren",
        help="SIREN of a valid SIREN or SIRET in the Company ID.",
    )
    pareto_company_registry_warning = fields.Char(
        compute="_compute_pareto_company_registry_warning"
    )
    pareto_can_edit_size = fields.Boolean(compute="_compute_pareto_can_edit_size")
    # The relationship: how much the vendor depends on us, how we may pay it.
    pareto_dependency = fields.Float(
        string="Dependency on Us (%)",
        compute="_compute_pareto_dependency",
        digits=(16, 1),
        help="Our spend with the vendor company over the last 12 months (the selected "
        "companies, each on its spend basis) in percent of its latest known turnover. "
        "0 when its turnover is unknown.",
    )
    pareto_dependency_known = fields.Boolean(
        string="Dependency Known", compute="_compute_pareto_dependency"
    )
    pareto_is_dependent = fields.Boolean(
        string="Dependent on Us",
        compute="_compute_pareto_dependency",
        search="_search_pareto_is_dependent",
        help="Its dependency on us is above the company's dependency threshold.",
    )
    pareto_payment_term_days_over = days_over_cap_field()
    pareto_payment_term_over_cap = over_cap_field(
        help="An SME vendor whose payment term (for the current company) can exceed the legal "
        "cap of art. L.441-10 (60 days from the invoice date, or 45 days end of month).",
    )

    @api.model
    def _pareto_field_names(self, names):
        """``names`` without those of fields this database does not have."""
        return [fname for fname in names if fname in self._fields]

    @api.model
    def _commercial_fields(self):
        # Contacts show their company's classification.
        return [
            *super()._commercial_fields(),
            *self._pareto_field_names(PARETO_CLASSIFICATION_FIELDS),
        ]

    def _commercial_sync_to_descendants(self, fields_to_sync=None):
        # A contact carries its company's whole classification: when a part of
        # it changes (only changed fields are synced), the rest goes along, so
        # that a size never reaches a contact without its source and year.
        if fields_to_sync is not None:
            classification = self._pareto_field_names(PARETO_CLASSIFICATION_FIELDS)
            if not set(fields_to_sync).isdisjoint(classification):
                fields_to_sync = set(fields_to_sync).union(classification)
        return super()._commercial_sync_to_descendants(fields_to_sync)

    @api.depends("pareto_headcount", "pareto_turnover", "pareto_balance_sheet")
    def _compute_pareto_size(self):
        for partner in self:
            size = sizes.size_from_figures(
                partner.pareto_headcount or None,
                partner.pareto_turnover or None,
                partner.pareto_balance_sheet or None,
            )
            if size:
                partner.pareto_size = size
                partner.pareto_size_source = "figures"
            else:
                # Without a headcount the figures say nothing: keep what is set.
                partner.pareto_size = partner.pareto_size
                partner.pareto_size_source = partner.pareto_size_source

    @api.depends_context("uid")
    def _compute_pareto_can_edit_size(self):
        self.pareto_can_edit_size = self.env.user.has_group("purchase.group_purchase_manager")

    @api.depends("pareto_size")
    def _compute_pareto_is_sme(self):
        for partner in self:
            partner.pareto_is_sme = sizes.is_sme(partner.pareto_size)

    @api.depends("zip", "country_id.code")
    def _compute_pareto_department(self):
        for partner in self:
            partner.pareto_department = (
                territory.department_from_zip(partner.zip, partner.country_id.code or "FR") or False
            )

    @api.depends("company_registry")
    def _compute_pareto_siren(self):
        for partner in self:
            partner.pareto_siren = identifiers.siren_of(partner.company_registry) or False

    @api.depends("company_registry", "country_id.code")
    def _compute_pareto_company_registry_warning(self):
        for partner in self:
            error = None
            if (partner.country_id.code or "FR") in territory.FRENCH_COUNTRY_CODES:
                error = identifiers.registry_number_error(partner.company_registry)
            partner.pareto_company_registry_warning = error and partner._pareto_registry_message(
                error, partner.company_registry
            )

    def _pareto_registry_message(self, error, number):
        if error == identifiers.INVALID_FORMAT:
            return self.env._(
                "The SIREN/SIRET “%s” is not valid: it must contain only digits.", number
            )
        if error == identifiers.INVALID_LENGTH:
            return self.env._(
                "The SIREN/SIRET “%s” is not valid: a SIREN has 9 digits and a SIRET 14.", number
            )
        return self.env._("The SIREN/SIRET “%s” is not valid: its check digit is wrong.", number)

    @api.depends_context("company")
    @api.depends(
        "commercial_partner_id.pareto_department",
        "commercial_partner_id.partner_latitude",
        "commercial_partner_id.partner_longitude",
    )
    def _compute_pareto_is_local(self):
        company = self.env.company
        for partner in self:
            partner.pareto_is_local = company._pareto_is_local(partner)

    def _search_pareto_is_local(self, operator, value):
        company = self.env.company

        def is_local(model, alias, query):
            return local_sql(
                company,
                *(
                    model._field_to_sql(alias, fname, query)
                    for fname in ("pareto_department", "partner_latitude", "partner_longitude")
                ),
            )

        local = Domain.custom(to_sql=is_local)
        return boolean_search(operator, value, Domain("commercial_partner_id", "any", local))

    def _pareto_is_manager(self):
        return self.env.su or self.env.user.has_group("purchase.group_purchase_manager")

    def _pareto_check_managed_fields(self, vals):
        """Buyers read the classification of vendors; only procurement
        managers change it, on companies and contacts alike (the commercial
        sync to contacts runs as superuser). Writing the current value is
        not a change."""
        names = [fname for fname in PARETO_MANAGED_FIELDS if fname in vals]
        if not names or self._pareto_is_manager():
            return
        changed = [
            fname
            for fname in names
            if (
                any((partner[fname] or False) != (vals[fname] or False) for partner in self)
                if self
                else vals[fname]
            )
        ]
        if changed:
            raise AccessError(
                self.env._(
                    "Only procurement managers can change the size classification of "
                    "vendors (%(fields)s).",
                    fields=", ".join(self._fields[fname].string for fname in changed),
                )
            )

    def _pareto_classification_key(self):
        """{partner: what its spend counts as}: its commercial entity and
        that entity's size and exclusion."""
        return {
            partner: (
                partner.commercial_partner_id.id,
                partner.commercial_partner_id.pareto_size,
                partner.commercial_partner_id.pareto_excluded,
            )
            for partner in self
        }

    def _pareto_check_commercial_entity_change(self, before):
        """Moving a vendor under another company (``parent_id``,
        ``is_company``) makes its purchases count with that company's size:
        for a partner on purchase orders, only procurement managers may do
        it when its classification changes."""
        after = self._pareto_classification_key()
        moved = self.filtered(lambda partner: before[partner][1:] != after[partner][1:])
        if not moved:
            return
        orders = self.env["purchase.order"].sudo().with_context(active_test=False)
        if orders.search_count([("partner_id", "child_of", moved.ids)], limit=1):
            raise AccessError(
                self.env._(
                    "Only procurement managers can move %(partners)s under another company: "
                    "its purchases would count with that company's size class.",
                    partners=", ".join(moved.mapped("name")),
                )
            )

    def _pareto_size_source_groups(self, vals):
        """[(partners, vals)]: ``vals`` with the source of the size it writes.

        A size set by a user without saying its source is a size set by hand
        (``manual``). Code that writes the registry's or an import's values
        (the registry button and refresh, the Sirene stock import, the
        commercial sync to contacts) runs as superuser once it has checked
        the user's rights: a size it writes without a source keeps the
        partner's source (only changed fields are written: the registry
        refreshing a size it set writes the size alone), and is ``manual``
        only for a partner that has none. A size cleared clears its source.
        """
        if "pareto_size" not in vals or "pareto_size_source" in vals:
            return [(self, vals)]
        if not vals["pareto_size"]:
            return [(self, dict(vals, pareto_size_source=False))]
        manual = dict(vals, pareto_size_source="manual")
        if not self.env.su:
            return [(self, manual)]
        unsourced = self.filtered(lambda partner: not partner.pareto_size_source)
        groups = [(unsourced, manual), (self - unsourced, vals)]
        return [(partners, values) for partners, values in groups if partners]

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            self._pareto_check_managed_fields(vals)
        # A new partner has no source to keep: a size without one is manual.
        return super().create(
            [
                dict(vals, pareto_size_source="manual" if vals["pareto_size"] else False)
                if "pareto_size" in vals and "pareto_size_source" not in vals
                else vals
                for vals in vals_list
            ]
        )

    def write(self, vals):
        self._pareto_check_managed_fields(vals)
        guard_entity = (
            not set(vals).isdisjoint(COMMERCIAL_ENTITY_FIELDS) and not self._pareto_is_manager()
        )
        before = self._pareto_classification_key() if guard_entity else None
        for partners, values in self._pareto_size_source_groups(vals):
            super(ResPartner, partners).write(values)
        if guard_entity:
            self._pareto_check_commercial_entity_change(before)
        return True

    # Set-based fill of the stored columns (install, upgrade, benchmarks):
    # the engine maps each distinct value once, PostgreSQL updates the rows.

    @api.model
    def _pareto_fill_departments(self):
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                """SELECT DISTINCT partner.zip, partner.country_id, country.code
                     FROM res_partner partner
                     LEFT JOIN res_country country ON country.id = partner.country_id
                    WHERE partner.zip IS NOT NULL"""
            )
        )
        zips, country_ids, departments = [], [], []
        for zip_code, country_id, country_code in self.env.cr.fetchall():
            department = territory.department_from_zip(zip_code, country_code or "FR")
            if department:
                zips.append(zip_code)
                country_ids.append(country_id)
                departments.append(department)
        self.env.cr.execute(
            SQL(
                """UPDATE res_partner partner
                      SET pareto_department = mapping.department
                     FROM unnest(%s::varchar[], %s::int4[], %s::varchar[])
                          AS mapping(zip, country_id, department)
                    WHERE partner.zip = mapping.zip
                      AND partner.country_id IS NOT DISTINCT FROM mapping.country_id
                      AND partner.pareto_department IS DISTINCT FROM mapping.department""",
                zips,
                country_ids,
                departments,
            )
        )
        self.invalidate_model(["pareto_department"])

    @api.model
    def _pareto_fill_sirens(self):
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                """SELECT DISTINCT company_registry FROM res_partner
                    WHERE company_registry IS NOT NULL"""
            )
        )
        numbers, sirens = [], []
        for (number,) in self.env.cr.fetchall():
            siren = identifiers.siren_of(number)
            if siren:
                numbers.append(number)
                sirens.append(siren)
        self.env.cr.execute(
            SQL(
                """UPDATE res_partner partner
                      SET pareto_siren = mapping.siren
                     FROM unnest(%s::varchar[], %s::varchar[]) AS mapping(number, siren)
                    WHERE partner.company_registry = mapping.number
                      AND partner.pareto_siren IS DISTINCT FROM mapping.siren""",
                numbers,
                sirens,
            )
        )
        self.invalidate_model(["pareto_siren"])

    # National company registry

    def action_pareto_registry_update(self):
        """Button "Update from registry": refresh the size class (source
        ``registry``, with its year), address, coordinates and NAF code of the
        vendor company from the national registry, and post what changed in
        its chatter. Explicit, so it also replaces a size set by hand.
        Raises UserError on an invalid SIREN/SIRET or a registry failure,
        writing nothing. See ``pareto.registry._action_update_partners``."""
        return self.env["pareto.registry"]._action_update_partners(self)

    # ------------------------------------------------------------------
    # Dependency on us, legal cap on payment terms
    # ------------------------------------------------------------------

    @api.model
    def _pareto_twelve_month_spend(self, companies, vendors=None):
        """{vendor company id: our spend with it over the last 12 months}
        (today included), ``companies`` each on its spend basis, in the
        current company's currency; of ``vendors`` only, when given."""
        today = fields.Date.context_today(self)
        return self.env["pareto.spend.vendor"]._vendor_spend(
            companies,
            today - relativedelta(years=1, days=-1),
            today,
            vendor_ids=None if vendors is None else vendors.ids,
        )

    @api.model
    def _pareto_dependencies(self, vendors, companies=None):
        """{vendor company id: dependency in percent, or None without a known
        turnover} of ``vendors`` (their commercial partners), on the spend
        of the last 12 months of ``companies`` (default: the user's selected
        ones). Empty for users who may not see purchases: the spend is read
        in SQL."""
        if not self.env.user.has_group("purchase.group_purchase_user"):
            return {}
        vendors = vendors.commercial_partner_id
        with_turnover = vendors.filtered(lambda vendor: vendor.pareto_turnover > 0)
        spend = {}
        if with_turnover:
            spend = self._pareto_twelve_month_spend(companies or self.env.companies, with_turnover)
        return {
            vendor.id: payments.dependency(spend.get(vendor.id, 0.0), vendor.pareto_turnover)
            for vendor in vendors
        }

    @api.depends_context("allowed_company_ids", "uid")
    @api.depends("commercial_partner_id.pareto_turnover")
    def _compute_pareto_dependency(self):
        dependencies = self._pareto_dependencies(self)
        threshold = self.env.company.pareto_dependency_threshold
        for partner in self:
            dependency = dependencies.get(partner.commercial_partner_id.id)
            partner.pareto_dependency = dependency or 0.0
            partner.pareto_dependency_known = dependency is not None
            partner.pareto_is_dependent = payments.is_dependent(dependency, threshold)

    def _search_pareto_is_dependent(self, operator, value):
        if operator != "in":
            return NotImplemented
        vendors = self.with_context(active_test=False).search(
            [("is_company", "=", True), ("pareto_turnover", ">", 0)]
        )
        threshold = self.env.company.pareto_dependency_threshold
        dependent = [
            vendor_id
            for vendor_id, dependency in self._pareto_dependencies(vendors).items()
            if payments.is_dependent(dependency, threshold)
        ]
        return boolean_search(operator, value, Domain("commercial_partner_id", "in", dependent))

    @api.depends_context("company")
    @api.depends("property_supplier_payment_term_id", "commercial_partner_id.pareto_is_sme")
    def _compute_pareto_payment_term_over_cap(self):
        for partner in self:
            set_over_cap(partner, partner.property_supplier_payment_term_id, partner)

    def _search_pareto_payment_term_over_cap(self, operator, value):
        return search_over_cap(
            self, operator, value, "commercial_partner_id", "property_supplier_payment_term_id"
        )
