from odoo import fields, models
from odoo.exceptions import UserError

from ..models.res_partner import SIZE_SELECTION


class ParetoRegistryDiscoveryLine(models.TransientModel):
    _name = "pareto.registry.discovery.line"
    _inherit = ["pareto.write.guard"]
    _description = "Company Registry Candidate"
    _order = "sequence, id"

    wizard_id = fields.Many2one(
        "pareto.registry.discovery", required=True, readonly=True, ondelete="cascade"
    )
    company_id = fields.Many2one(related="wizard_id.company_id", store=True)
    sequence = fields.Integer(readonly=True)
    siren = fields.Char(string="SIREN", required=True, readonly=True)
    siret = fields.Char(string="Head Office SIRET", readonly=True)
    name = fields.Char(required=True, readonly=True)
    street = fields.Char(readonly=True)
    street2 = fields.Char(readonly=True)
    zip = fields.Char(readonly=True)
    city = fields.Char(readonly=True)
    department = fields.Char(string="Département", readonly=True)
    latitude = fields.Float(digits=(10, 7), readonly=True)
    longitude = fields.Float(digits=(10, 7), readonly=True)
    naf_code = fields.Char(string="NAF Code", readonly=True)
    family_id = fields.Many2one("pareto.family", string="Purchasing Family", readonly=True)
    pareto_size = fields.Selection(SIZE_SELECTION, string="Company Size", readonly=True)
    size_year = fields.Integer(string="Size Data Year", readonly=True)
    is_local = fields.Boolean(
        string="Local", readonly=True, help="The head office is in the company's territory."
    )
    distance_km = fields.Float(string="Distance (km)", digits=(16, 1), readonly=True)
    partner_id = fields.Many2one("res.partner", string="Vendor", readonly=True)

    def _partner_values(self):
        self.ensure_one()
        country = self.env["pareto.registry"]._registry_country(self.zip, self.department)
        values = {
            "name": self.name,
            "is_company": True,
            "company_registry": self.siret or self.siren,
            "street": self.street or False,
            "street2": self.street2 or False,
            "zip": self.zip or False,
            "city": self.city or False,
            "country_id": country.id,
            "pareto_naf_code": self.naf_code or False,
            "pareto_registry_date": fields.Date.context_today(self),
            "supplier_rank": 1,
        }
        if self.latitude or self.longitude:
            values.update(partner_latitude=self.latitude, partner_longitude=self.longitude)
        if self.pareto_size:
            values.update(
                pareto_size=self.pareto_size,
                pareto_size_source="registry",
                pareto_size_year=self.size_year or False,
            )
        return values

    def action_create_vendor(self):
        """Create the candidate as a vendor company, with its registry size class.

        The user needs the right to create contacts; the registry's size class
        is then written as superuser (buyers may not set sizes by hand, but the
        registry is the authority). A SIREN already on a partner, even
        archived or of another company, is never created twice.
        """
        self.ensure_one()
        partners = self.env["res.partner"]
        partners.check_access("create")
        if self.partner_id:
            raise UserError(
                self.env._("“%(name)s” was already created.", name=self.partner_id.display_name)
            )
        existing = (
            partners.sudo()
            .with_context(active_test=False)
            .search([("pareto_siren", "=", self.siren)], limit=1)
        )
        if existing:
            raise UserError(
                self.env._(
                    "A partner with the SIREN %(siren)s already exists: “%(name)s”.",
                    siren=self.siren,
                    name=existing.display_name,
                )
            )
        partner = partners.sudo().create(self._partner_values())
        partner.message_post(
            body=self.env._(
                "Created from the company registry while looking for local SMEs for %(order)s.",
                order=self.wizard_id.order_id.display_name,
            ),
            subtype_xmlid="mail.mt_note",
        )
        self.partner_id = partner
        return self.wizard_id._action_reopen()
