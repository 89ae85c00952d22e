import re
from dataclasses import dataclass

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.fields import Command

from ..engine import registry, sizes, territory

DISCOVERY_PAGES_PARAM = "pareto_odoo.registry_discovery_pages"
DEFAULT_DISCOVERY_PAGES = 2


@dataclass(frozen=True)
class _Scope:
    """What one discovery looks for: activities, territory and origin."""

    families: object  # pareto.family recordset
    codes_by_family: dict
    codes: list
    departments: list
    origin: object  # the company's partner (coordinates)
    radius: float
    with_radius: bool


class ParetoRegistryDiscovery(models.TransientModel):
    """ "Find local SMEs": registry companies of the order's purchasing families
    (their NAF codes) in the company's territory, that are not yet partners.

    Its candidate lines are written by the server only (buyers read them);
    creating a vendor reads the company again from the registry.
    """

    _name = "pareto.registry.discovery"
    _inherit = ["pareto.write.guard"]
    _description = "Find Local SMEs in the Company Registry"

    order_id = fields.Many2one("purchase.order", required=True, readonly=True, ondelete="cascade")
    company_id = fields.Many2one(related="order_id.company_id", store=True)
    family_ids = fields.Many2many("pareto.family", string="Purchasing Families", readonly=True)
    naf_codes = fields.Char(string="NAF Codes", readonly=True)
    departments = fields.Char(string="Local Départements", readonly=True)
    radius_km = fields.Float(string="Local Radius (km)", readonly=True)
    found_count = fields.Integer(string="SMEs Found", readonly=True)
    known_count = fields.Integer(
        string="Already in Contacts",
        readonly=True,
        help="Companies found whose SIREN is already on a partner: they are not listed.",
    )
    line_ids = fields.One2many(
        "pareto.registry.discovery.line", "wizard_id", string="Candidates", readonly=True
    )

    @api.model
    def _action_open_for_order(self, order):
        """Search the registry for ``order`` and open the list of candidates."""
        order.ensure_one()
        order.check_access("read")
        wizard = self.create({"order_id": order.id})
        wizard._search_registry()
        return wizard._action_reopen()

    def _action_reopen(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Find local SMEs"),
            "res_model": self._name,
            "res_id": self.id,
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "new",
            "context": {"dialog_size": "extra-large"},
        }

    def _family_naf_codes(self, families):
        """NAF codes per family; a family without codes takes its nearest ancestor's."""
        codes = {}
        for family in families:
            source = family
            while source and not source.naf_codes:
                source = source.parent_id
            family_codes = [
                code.upper() for code in re.split(r"[\s,;]+", source.naf_codes or "") if code
            ]
            if family_codes:
                codes[family] = family_codes
        return codes

    def _discovery_scope(self):
        """The families, NAF codes and territory of the order; UserError when
        there is nothing to look for."""
        self.ensure_one()
        company = self.order_id.company_id
        families = self.order_id.order_line.pareto_family_id
        if not families:
            raise UserError(
                self.env._(
                    "No line of this order belongs to a purchasing family: there is no "
                    "activity to look for in the company registry."
                )
            )
        codes_by_family = self._family_naf_codes(families)
        codes = list(dict.fromkeys(code for codes in codes_by_family.values() for code in codes))
        if not codes:
            raise UserError(
                self.env._(
                    "Set the NAF codes of the purchasing families %(families)s to look for "
                    "SMEs in the company registry.",
                    families=", ".join(families.mapped("display_name")),
                )
            )
        departments = company._pareto_local_department_codes()
        origin = company.partner_id
        radius = company.pareto_local_radius_km
        with_radius = bool(radius and (origin.partner_latitude or origin.partner_longitude))
        if not departments and not with_radius:
            raise UserError(
                self.env._(
                    "Set the local départements or the local radius of %(company)s in the "
                    "Purchase settings.",
                    company=company.display_name,
                )
            )
        return _Scope(families, codes_by_family, codes, departments, origin, radius, with_radius)

    def _fetch_companies(self, scope):
        """Registry companies of the scope: by département, and around the
        company when it has a radius (``/near_point`` filters on activity only)."""
        gateway = self.env["pareto.registry"]
        pages = int(
            gateway._registry_param(DISCOVERY_PAGES_PARAM, DEFAULT_DISCOVERY_PAGES, cast=int)
        )
        companies = []
        if scope.departments:
            companies += gateway._registry_request(
                "iter_search",
                naf_codes=scope.codes,
                departements=scope.departments,
                categories=["PME"],
                active_only=True,
                max_pages=pages,
            )
        if scope.with_radius:
            nearby = gateway._registry_request(
                "iter_near_point",
                scope.origin.partner_latitude,
                scope.origin.partner_longitude,
                min(scope.radius, registry.MAX_RADIUS_KM),
                naf_codes=scope.codes,
                max_pages=pages,
            )
            companies += registry.filter_companies(nearby, categories=["PME"])
        return companies

    def _known_sirens(self, sirens):
        """The SIRENs already on a partner, archived or of any company: they
        are never offered again (only their number is used here)."""
        partners = self.env["res.partner"].sudo().with_context(active_test=False)
        found = partners.search_fetch([("pareto_siren", "in", list(sirens))], ["pareto_siren"])
        return set(found.mapped("pareto_siren"))

    def _line_values(self, found, scope):
        distance = territory.distance_km(
            scope.origin.partner_latitude,
            scope.origin.partner_longitude,
            found.latitude,
            found.longitude,
        )
        family = next(
            (family for family, codes in scope.codes_by_family.items() if found.naf_code in codes),
            self.env["pareto.family"],
        )
        return {
            "siren": found.siren,
            "siret": found.siret,
            "name": found.name or found.siren,
            "zip": found.zip,
            "city": found.city,
            "department": found.department,
            "naf_code": found.naf_code,
            "family_id": family.id,
            "pareto_size": found.size,
            "size_year": found.size_year,
            "is_ess": bool(found.is_ess),
            "is_siae": bool(found.is_siae),
            "is_local": territory.is_local(
                found.department, scope.departments, distance, scope.radius
            ),
            "distance_km": distance,
        }

    def _search_registry(self):
        """Fill the wizard with the new local SMEs of the order's activities.

        The lines are written as superuser once the user is known to own this
        wizard: buyers may read candidates, never write them.
        """
        self.ensure_one()
        self.check_access("write")
        scope = self._discovery_scope()
        candidates = {}
        for found in self._fetch_companies(scope):
            if found.siren and found.is_active and sizes.is_sme(found.size):
                candidates.setdefault(found.siren, found)
        known = self._known_sirens(candidates)
        lines = [
            self._line_values(found, scope)
            for found in candidates.values()
            if found.siren not in known
        ]
        lines.sort(
            key=lambda line: (
                not line["is_local"],
                line["distance_km"] is None,
                line["distance_km"] or 0.0,
                line["name"],
            )
        )
        self.sudo().write(
            {
                "family_ids": [Command.set(scope.families.ids)],
                "naf_codes": ", ".join(scope.codes),
                "departments": ", ".join(scope.departments),
                "radius_km": scope.radius if scope.with_radius else 0.0,
                "found_count": len(candidates),
                "known_count": len(candidates) - len(lines),
                "line_ids": [
                    Command.create(dict(line, sequence=index, distance_km=line["distance_km"] or 0))
                    for index, line in enumerate(lines)
                ],
            }
        )
