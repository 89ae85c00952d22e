import re

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.fields import Command

from ..engine import registry, sizes, territory

DISCOVERY_PAGES_PARAM = "pareto_odoo.registry_discovery_pages"
DEFAULT_DISCOVERY_PAGES = 2


class ParetoRegistryDiscovery(models.TransientModel):
    """ "Find local SMEs": registry companies of the order's purchasing families
    (their NAF codes) in the company's territory, that are not yet partners."""

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

    def _search_registry(self):
        self.ensure_one()
        order = self.order_id
        company = order.company_id
        families = order.order_line.pareto_family_id
        if not families:
            raise UserError(
                self.env._(
                    "No line of this order belongs to a purchasing family: there is no "
                    "activity to look for in the company registry."
                )
            )
        codes_by_family = self._family_naf_codes(families)
        all_codes = list(
            dict.fromkeys(code for codes in codes_by_family.values() for code in codes)
        )
        if not all_codes:
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
        gateway = self.env["pareto.registry"]
        pages = int(
            gateway._registry_param(DISCOVERY_PAGES_PARAM, DEFAULT_DISCOVERY_PAGES, cast=int)
        )
        companies = []
        if departments:
            companies += gateway._registry_request(
                "iter_search",
                naf_codes=all_codes,
                departements=departments,
                categories=["PME"],
                active_only=True,
                max_pages=pages,
            )
        if with_radius:
            nearby = gateway._registry_request(
                "iter_near_point",
                origin.partner_latitude,
                origin.partner_longitude,
                min(radius, registry.MAX_RADIUS_KM),
                naf_codes=all_codes,
                max_pages=pages,
            )
            # /near_point filters on activity only.
            companies += registry.filter_companies(nearby, categories=["PME"])
        candidates = {}
        for found in companies:
            if found.siren and found.is_active and sizes.is_sme(found.size):
                candidates.setdefault(found.siren, found)
        known = set(
            self.env["res.partner"]
            .sudo()
            .with_context(active_test=False)
            .search_fetch([("pareto_siren", "in", list(candidates))], ["pareto_siren"])
            .mapped("pareto_siren")
        )
        lines = []
        for found in candidates.values():
            if found.siren in known:
                continue
            distance = territory.distance_km(
                origin.partner_latitude, origin.partner_longitude, found.latitude, found.longitude
            )
            family = next(
                (family for family, codes in codes_by_family.items() if found.naf_code in codes),
                self.env["pareto.family"],
            )
            lines.append(
                {
                    "siren": found.siren,
                    "siret": found.siret,
                    "name": found.name or found.siren,
                    "street": found.street,
                    "street2": found.street2,
                    "zip": found.zip,
                    "city": found.city,
                    "department": found.department,
                    "latitude": found.latitude or 0.0,
                    "longitude": found.longitude or 0.0,
                    "naf_code": found.naf_code,
                    "family_id": family.id,
                    "pareto_size": found.size,
                    "size_year": found.size_year,
                    "is_local": territory.is_local(found.department, departments, distance, radius),
                    "distance_km": distance,
                }
            )
        lines.sort(
            key=lambda line: (
                not line["is_local"],
                line["distance_km"] is None,
                line["distance_km"] or 0.0,
                line["name"],
            )
        )
        self.write(
            {
                "family_ids": [Command.set(families.ids)],
                "naf_codes": ", ".join(all_codes),
                "departments": ", ".join(departments),
                "radius_km": radius if with_radius else 0.0,
                "found_count": len(candidates),
                "known_count": len(candidates) - len(lines),
                "line_ids": [
                    Command.create(dict(line, sequence=index, distance_km=line["distance_km"] or 0))
                    for index, line in enumerate(lines)
                ],
            }
        )
