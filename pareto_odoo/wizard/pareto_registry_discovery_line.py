from odoo import fields, models
from odoo.exceptions import UserError

from ..models.res_partner import SIZE_SELECTION


class ParetoRegistryDiscoveryLine(models.TransientModel):
    """A registry company offered by "Find local SMEs".

    Written by the server only (buyers have read access): what it shows is
    what the registry said during the search. *Create vendor* does not trust
    it either: it reads the company again from the registry by its SIREN.
    """

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
    zip = fields.Char(readonly=True)
    city = fields.Char(readonly=True)
    department = fields.Char(string="Département", readonly=True)
    naf_code = fields.Char(string="NAF Code", readonly=True)
    family_id = fields.Many2one("pareto.family", string="Purchasing Family", readonly=True)
    pareto_size = fields.Selection(SIZE_SELECTION, string="Company Size", readonly=True)
    size_year = fields.Integer(string="Size Data Year", readonly=True)
    is_ess = fields.Boolean(string="ESS", readonly=True, help="Social and solidarity economy.")
    is_siae = fields.Boolean(string="SIAE", readonly=True, help="Work-integration enterprise.")
    is_local = fields.Boolean(
        string="Local", readonly=True, help="The head office is in the company's territory."
    )
    distance_km = fields.Float(string="Distance (km)", digits=(16, 1), readonly=True)
    partner_id = fields.Many2one("res.partner", string="Vendor", readonly=True)

    def _check_not_known(self):
        """UserError when a partner already has this SIREN (archived, or of
        another company, even): never a duplicate. The message names the
        partner only when the user may see it."""
        existing = (
            self.env["res.partner"]
            .sudo()
            .with_context(active_test=False)
            .search([("pareto_siren", "=", self.siren)], limit=1)
        )
        if not existing:
            return
        visible = existing.with_env(self.env).with_context(active_test=False)
        if visible._filtered_access("read"):
            raise UserError(
                self.env._(
                    "A partner with the SIREN %(siren)s already exists: “%(name)s”.",
                    siren=self.siren,
                    name=visible.display_name,
                )
            )
        raise UserError(
            self.env._(
                "A partner with the SIREN %(siren)s already exists in a company you cannot "
                "access: it was not created again. Ask an administrator to share it with "
                "your company.",
                siren=self.siren,
            )
        )

    def _fetch_company(self):
        """The candidate as the registry describes it now; UserError when it
        is unknown or closed."""
        company = self.env["pareto.registry"]._registry_request("lookup_siren", self.siren)
        if company is None:
            raise UserError(
                self.env._(
                    "The company registry knows no company with the SIREN %(siren)s.",
                    siren=self.siren,
                )
            )
        if not company.is_active:
            raise UserError(
                self.env._(
                    "The company registry now lists “%(name)s” as closed: it was not created.",
                    name=company.name or self.siren,
                )
            )
        return company

    def action_create_vendor(self):
        """Create the candidate as a vendor company, from the registry's data.

        The user needs the right to create contacts and to read the order.
        Everything that comes from the registry (name, SIRET, address, size
        class, profile) is read again from the registry on the server, by
        SIREN: the line's values are never used. The vendor is then written as
        superuser (buyers may not set sizes by hand, but the registry is the
        authority). A SIREN already on a partner is never created twice.
        """
        self.ensure_one()
        partners = self.env["res.partner"]
        partners.check_access("create")
        order = self.wizard_id.order_id
        order.check_access("read")
        if self.partner_id:
            raise UserError(
                self.env._("“%(name)s” was already created.", name=self.partner_id.display_name)
            )
        self._check_not_known()
        company = self._fetch_company()
        values = self.env["pareto.registry"]._registry_new_partner_values(company)
        partner = partners.sudo().create(values)
        partner.message_post(
            body=self.env._(
                "Created from the company registry while looking for local SMEs for %(order)s.",
                order=order.display_name,
            ),
            subtype_xmlid="mail.mt_note",
        )
        self.sudo().partner_id = partner
        return self.wizard_id._action_reopen()
