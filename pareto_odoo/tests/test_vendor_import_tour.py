from odoo.tests import HttpCase, tagged

from .common import ParetoCase


@tagged("post_install", "-at_install")
class TestVendorImportTour(HttpCase, ParetoCase):
    """In the browser, as a procurement manager: the vendor list import
    (upload, preview, a row opened, import) and a Sirene import (upload,
    start), from the Purchase > Configuration menu."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Partner = cls.env["res.partner"]
        cls.alpha = Partner.create(
            {"name": "Alpha Industrie", "is_company": True, "company_registry": "310000013"}
        )
        cls.delta = Partner.create(
            {
                "name": "Delta",
                "is_company": True,
                "company_registry": "310000047",
                "pareto_size": "small",
            }
        )

    def test_vendor_list_import(self):
        self.start_tour("/odoo/purchase", "pareto_vendor_import_tour", login=self.manager.login)
        self.assertRecordValues(
            self.alpha | self.delta,
            [
                {"pareto_size": "medium", "pareto_size_source": "import", "pareto_size_year": 2023},
                {"pareto_size": "small", "pareto_size_source": "manual", "pareto_size_year": 0},
            ],
        )

    def test_sirene_import(self):
        self.start_tour("/odoo/purchase", "pareto_sirene_import_tour", login=self.manager.login)
        job = self.env["pareto.sirene.job"].search([("create_uid", "=", self.manager.id)])
        self.assertEqual((len(job), job.state), (1, "queued"))
        self.env["pareto.sirene.job"]._cron_process()
        self.assertRecordValues(
            job, [{"state": "done", "rows_done": 2, "updated_count": 1, "closed_count": 1}]
        )
        self.assertEqual(
            (self.alpha.pareto_size, self.alpha.pareto_size_source), ("micro", "registry")
        )
        self.assertEqual(self.delta.pareto_size, "small", "a closed company is reported")
        self.assertEqual(job.line_ids.partner_id, self.delta)

    def test_template_download(self):
        wizard = self.env["pareto.vendor.import"].with_user(self.manager).create({})
        url = wizard.action_download_template()["url"]
        self.authenticate(self.manager.login, self.manager.login)
        response = self.url_open(url)
        self.assertEqual(response.status_code, 200)
        self.assertIn("attachment", response.headers["Content-Disposition"])
        header = response.content.decode("utf-8-sig").splitlines()[0]
        self.assertTrue(header.startswith("SIREN;SIRET;VAT;Company name;Size;"), header)
