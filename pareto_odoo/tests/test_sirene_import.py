import base64
import csv
import io
import os
import tempfile
import zipfile
from unittest.mock import patch

from stdnum import luhn

from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged

from odoo.addons.pareto_odoo.engine import sirene_stock

from .common import ParetoCase

# A realistic part of StockUniteLegale's header: the needed columns among others.
HEADER = [
    "siren",
    "statutDiffusionUniteLegale",
    "dateCreationUniteLegale",
    "trancheEffectifsUniteLegale",
    "anneeEffectifsUniteLegale",
    "dateDernierTraitementUniteLegale",
    "categorieEntreprise",
    "anneeCategorieEntreprise",
    "etatAdministratifUniteLegale",
    "denominationUniteLegale",
    "categorieJuridiqueUniteLegale",
    "activitePrincipaleUniteLegale",
    "nicSiegeUniteLegale",
]


def make_siren(base):
    base = f"{base:08d}"
    return base + luhn.calc_check_digit(base)


def unit(siren, category="PME", band="01", year="2022", state="A", naf="62.01Z"):
    return {
        "siren": siren,
        "statutDiffusionUniteLegale": "O",
        "dateCreationUniteLegale": "2004-03-01",
        "trancheEffectifsUniteLegale": band,
        "anneeEffectifsUniteLegale": year if band not in ("", "NN") else "",
        "dateDernierTraitementUniteLegale": "2025-01-05T10:12:00",
        "categorieEntreprise": category,
        "anneeCategorieEntreprise": year if category else "",
        "etatAdministratifUniteLegale": state,
        "denominationUniteLegale": f"SOCIETE {siren}, ET FILS",
        "categorieJuridiqueUniteLegale": "5710",
        "activitePrincipaleUniteLegale": naf,
        "nicSiegeUniteLegale": "00015",
    }


def stock_bytes(units, header=None, encoding="utf-8"):
    header = header or HEADER
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=header, lineterminator="\n", extrasaction="ignore")
    writer.writeheader()
    writer.writerows(units)
    return buffer.getvalue().encode(encoding)


S_MICRO, S_MANUAL, S_NEWER, S_CLOSED, S_UNKNOWN, S_SHARED, S_SAME, S_OTHER_CO = (
    make_siren(41000000 + index) for index in range(8)
)


def filler(start, count):
    return [unit(make_siren(42000000 + index)) for index in range(start, start + count)]


# 20 data rows: vendors spread over the chunks of 4 rows used by the resume test.
UNITS = [
    unit(S_MICRO, "PME", "01", "2022", naf="43.21A"),  # row 1: micro
    *filler(0, 2),
    unit(S_MANUAL, "ETI", "41", "2022"),  # row 4: kept, set by hand
    *filler(2, 2),
    unit(S_NEWER, "PME", "12", "2021"),  # row 7: kept, the vendor's size is from 2023
    unit(S_CLOSED, "PME", "11", "2022", state="C"),  # row 8: closed
    *filler(4, 2),
    unit(S_UNKNOWN, "", "", ""),  # row 11: size unknown
    *filler(6, 2),
    unit(S_SHARED, "GE", "53", "2023", naf="70.10Z"),  # row 14: two vendors, large
    unit(S_SAME, "PME", "22", "2022"),  # row 15: unchanged
    *filler(8, 3),
    unit(S_OTHER_CO, "PME", "00", "2022"),  # row 19: vendor of another company
    *filler(11, 1),
]


@tagged("post_install", "-at_install")
class TestSireneImport(ParetoCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Partner = cls.env["res.partner"]
        cls.vendors_before = {
            scope: Partner.search_count(
                [
                    ("pareto_siren", "!=", False),
                    "|",
                    ("is_company", "=", True),
                    ("parent_id", "=", False),
                    ("company_id", "in", [False, *scope]),
                ]
            )
            for scope in ((cls.company.id,), (cls.company.id, cls.company_2.id))
        }

        def vendor(name, siren, **values):
            return Partner.create(
                {"name": name, "is_company": True, "company_registry": siren, **values}
            )

        cls.v_micro = vendor("Micro Bâtiment", S_MICRO)
        cls.v_micro_contact = Partner.create({"name": "Paul", "parent_id": cls.v_micro.id})
        cls.v_manual = vendor("Manuel SAS", S_MANUAL, pareto_size="small")
        cls.v_newer = vendor(
            "Récent SARL",
            S_NEWER,
            pareto_size="medium",
            pareto_size_source="import",
            pareto_size_year=2023,
        )
        cls.v_closed = vendor("Fermé SA", S_CLOSED, pareto_size="micro")
        cls.v_unknown = vendor("Inconnu SAS", S_UNKNOWN)
        cls.v_shared = vendor("Groupe Paris", S_SHARED) | vendor("Groupe Lyon", S_SHARED)
        cls.v_same = vendor(
            "Pareil SAS",
            S_SAME,
            pareto_size="medium",
            pareto_size_source="registry",
            pareto_size_year=2022,
        )
        cls.v_other_co = vendor("Sud SAS", S_OTHER_CO, company_id=cls.company_2.id)
        cls.vendors = (
            cls.v_micro
            | cls.v_manual
            | cls.v_newer
            | cls.v_closed
            | cls.v_unknown
            | cls.v_shared
            | cls.v_same
            | cls.v_other_co
        )

    def _job(self, data=None, file_name="StockUniteLegale_utf8.csv", user=None, **values):
        vals = {"company_ids": [self.company.id], **values}
        if data is not None:
            vals.update(file=base64.b64encode(data), file_name=file_name)
        return self.env["pareto.sirene.job"].with_user(user or self.manager).create(vals)

    def _sizes(self):
        self.vendors.invalidate_recordset()
        return {
            partner.id: (partner.pareto_size, partner.pareto_size_source, partner.pareto_size_year)
            for partner in self.vendors
        }

    def _expected_after_one_pass(self, before):
        expected = dict(before)
        expected[self.v_micro.id] = ("micro", "registry", 2022)
        for partner in self.v_shared:
            expected[partner.id] = ("large", "registry", 2023)
        return expected

    def test_classifies_vendors_from_an_uploaded_extract(self):
        before = self._sizes()
        job = self._job(stock_bytes(UNITS))
        job.action_start()
        self.assertEqual(job.state, "queued")
        self.assertTrue(job._pareto_process())
        self.assertEqual(job.state, "done")
        self.assertEqual(self._sizes(), self._expected_after_one_pass(before))
        self.assertEqual(self.v_micro.pareto_naf_code, "43.21A")
        self.assertEqual(self.v_shared.mapped("pareto_naf_code"), ["70.10Z", "70.10Z"])
        self.assertTrue(self.v_micro.pareto_registry_date)
        self.assertFalse(self.v_closed.pareto_registry_date, "a closed company is not refreshed")
        self.assertEqual(self.v_micro_contact.pareto_size, "micro")
        self.assertEqual(self.v_closed.pareto_size, "micro", "a closed company is not classified")
        self.assertEqual((job.rows_done, job.rows_total, job.progress), (20, 20, 100.0))
        self.assertEqual(
            job.vendor_count - self.vendors_before[(self.company.id,)],
            8,
            "the other company's vendor is out of scope",
        )
        self.assertEqual(
            (
                job.matched_count,
                job.updated_count,
                job.unchanged_count,
                job.closed_count,
                job.kept_manual_count,
                job.kept_newer_count,
                job.unknown_size_count,
            ),
            (8, 3, 1, 1, 1, 1, 1),
        )
        report = {line.partner_id: line for line in job.line_ids}
        self.assertEqual(set(report), {self.v_manual, self.v_newer, self.v_closed, self.v_unknown})
        self.assertEqual(report[self.v_closed].kind, "closed")
        self.assertEqual(
            (report[self.v_closed].registry_category, report[self.v_closed].registry_band),
            ("PME", "11"),
        )
        self.assertEqual(
            (report[self.v_manual].kind, report[self.v_manual].registry_size),
            ("manual", "intermediate"),
        )
        self.assertEqual(report[self.v_manual].current_size, "small")
        self.assertEqual(
            (report[self.v_newer].kind, report[self.v_newer].registry_year), ("newer", 2021)
        )
        self.assertEqual(report[self.v_unknown].kind, "unknown")

    def test_manual_size_overwritten_only_when_chosen(self):
        job = self._job(stock_bytes(UNITS), overwrite_manual=True)
        job.action_start()
        job._pareto_process()
        self.assertEqual(
            (self.v_manual.pareto_size, self.v_manual.pareto_size_source),
            ("intermediate", "registry"),
        )
        self.assertEqual(self.v_newer.pareto_size, "medium", "the more recent size is still kept")

    def test_resume_after_an_interruption(self):
        before = self._sizes()
        job = self._job(stock_bytes(UNITS), chunk_size=4)
        job.action_start()
        self.assertFalse(job._pareto_process(max_chunks=1))
        self.assertEqual((job.state, job.rows_done), ("running", 4))
        self.assertEqual(job.progress, 20.0)
        self.assertEqual(self.v_micro.pareto_size, "micro", "the first chunk is applied")
        self.assertEqual(job.kept_manual_count, 1)

        # The worker dies while applying the second chunk: its transaction is lost.
        Job = type(job)
        original_apply = Job._pareto_apply

        def dying_apply(record, matches, vendors, rows_read):
            original_apply(record, matches, vendors, rows_read)
            raise RuntimeError("worker killed")

        with patch.object(Job, "_pareto_apply", dying_apply), self.assertRaises(RuntimeError):
            job._pareto_process()
        job.invalidate_recordset()
        self.assertEqual((job.state, job.rows_done, job.kept_manual_count), ("running", 4, 1))
        self.assertFalse(job.line_ids.filtered(lambda line: line.kind == "newer"))

        # The next run starts from the checkpoint and ends as one pass would.
        offsets = []
        original_iter = sirene_stock.iter_stock_matches

        def spying_iter(*args, **kwargs):
            offsets.append(kwargs.get("start_offset_rows"))
            return original_iter(*args, **kwargs)

        with patch.object(sirene_stock, "iter_stock_matches", spying_iter):
            self.assertTrue(job._pareto_process())
        self.assertEqual(offsets, [4])
        self.assertEqual(self._sizes(), self._expected_after_one_pass(before))
        self.assertEqual(
            (job.matched_count, job.updated_count, job.kept_manual_count, len(job.line_ids)),
            (8, 3, 1, 4),
            "nothing counted twice",
        )

    def test_cron_hands_over_when_its_time_is_up(self):
        job = self._job(stock_bytes(UNITS), chunk_size=4)
        other = self._job(stock_bytes(UNITS[:3]))
        (job | other).action_start()
        cron = self.env.ref("pareto_odoo.ir_cron_pareto_sirene_job")
        triggers = self.env["ir.cron.trigger"].search_count([("cron_id", "=", cron.id)])
        self.assertGreater(triggers, 0, "starting a job triggers the cron")
        Job = type(job)
        self.patch(Job, "_pareto_time_budget", lambda self: 0.000001)
        self.env["pareto.sirene.job"]._cron_process()
        self.assertEqual((job.state, job.rows_done), ("running", 4), "one chunk, then hand over")
        self.assertEqual(other.state, "queued")
        self.assertGreater(
            self.env["ir.cron.trigger"].search_count([("cron_id", "=", cron.id)]),
            triggers,
            "the cron triggers itself to go on",
        )
        self.patch(Job, "_pareto_time_budget", lambda self: 600)
        self.env["pareto.sirene.job"]._cron_process()
        self.assertEqual((job.state, other.state), ("done", "done"))
        self.assertEqual(self.v_micro.pareto_size, "micro")

    def test_bad_files_are_refused_before_anything_is_written(self):
        before = self._sizes()
        wrong_columns = stock_bytes(UNITS, header=[c for c in HEADER if c != "categorieEntreprise"])
        cases = [
            (b"\n", "The Sirene stock file is empty"),
            (
                wrong_columns,
                "not a Sirene StockUniteLegale file: missing column.*categorieEntreprise",
            ),
            (stock_bytes(UNITS, encoding="utf-16"), "not UTF-8 text"),
            (b"Nom;Taille\nAcme;PME\n", "not a Sirene StockUniteLegale file"),
        ]
        for data, message in cases:
            with self.subTest(message=message):
                job = self._job(data)
                with self.assertRaisesRegex(UserError, message):
                    job.action_start()
                self.assertEqual(job.state, "draft")
        with self.assertRaisesRegex(UserError, "Upload the stock file"):
            self._job().action_start()
        self.assertEqual(self._sizes(), before)

    def test_file_unreadable_midway_fails_and_keeps_the_checkpoint(self):
        units = [dict(values) for values in UNITS]
        units[17]["activitePrincipaleUniteLegale"] = "62.01Z é"
        job = self._job(stock_bytes(units, encoding="latin-1"), chunk_size=8)
        job.action_start()
        self.assertFalse(job._pareto_process())
        self.assertEqual((job.state, job.rows_done), ("failed", 16))
        self.assertIn("not UTF-8 text", job.error_message)
        self.assertEqual(self.v_micro.pareto_size, "micro", "the chunks before are kept")
        self.assertEqual(self.v_shared.mapped("pareto_size"), ["large", "large"])
        job.action_resume()
        self.assertEqual(job.state, "queued")
        self.assertFalse(job._pareto_process())
        self.assertEqual((job.state, job.rows_done), ("failed", 16))

    def test_server_path_is_for_administrators(self):
        with self.assertRaises(AccessError):
            self._job(source="path", file_path="/etc/passwd")
        handle, path = tempfile.mkstemp(suffix=".zip")
        self.addCleanup(os.remove, path)
        with os.fdopen(handle, "wb") as output, zipfile.ZipFile(output, "w") as archive:
            archive.writestr("StockUniteLegale_utf8.csv", stock_bytes(UNITS))
        job = self._job(user=self.admin, source="path", file_path=path + ".missing")
        with self.assertRaisesRegex(UserError, "does not exist or cannot be read"):
            job.action_start()
        job.file_path = path
        job.action_start()
        job_as_manager = job.with_user(self.manager)
        self.assertTrue(job_as_manager._pareto_process())
        self.assertEqual(job.rows_done, 20)
        self.assertEqual(self.v_micro.pareto_size, "micro")

    def test_file_replaced_during_the_import(self):
        job = self._job(stock_bytes(UNITS), chunk_size=4)
        job.action_start()
        job._pareto_process(max_chunks=1)
        attachment = self.env["ir.attachment"].search(
            [("res_model", "=", job._name), ("res_id", "=", job.id), ("res_field", "=", "file")]
        )
        attachment.raw = stock_bytes(UNITS[:10])
        self.assertFalse(job._pareto_process())
        self.assertEqual(job.state, "failed")
        self.assertIn("changed since this import started", job.error_message)
        with self.assertRaisesRegex(UserError, "cannot be changed"):
            job.file = base64.b64encode(stock_bytes(UNITS))
        job.action_reset()
        self.assertEqual((job.state, job.rows_done, job.line_ids.ids), ("draft", 0, []))

    def test_scope_and_company_rule(self):
        job = self._job(stock_bytes(UNITS), company_ids=[self.company.id, self.company_2.id])
        job.action_start()
        job._pareto_process()
        self.assertEqual(
            job.vendor_count - self.vendors_before[(self.company.id, self.company_2.id)], 9
        )
        self.assertEqual(self.v_other_co.pareto_size, "micro")
        Job = self.env["pareto.sirene.job"].with_user(self.manager)
        self.assertIn(job, Job.search([]))
        self.assertNotIn(job, Job.with_context(allowed_company_ids=[self.company_2.id]).search([]))
        with self.assertRaises(AccessError):
            self._job(user=self.buyer)

    def test_zip_upload_and_history(self):
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.writestr("StockUniteLegale_utf8.csv", stock_bytes(UNITS))
        job = self._job(buffer.getvalue(), "StockUniteLegale_utf8.zip", track_history=True)
        job.action_start()
        self.assertTrue(job._pareto_process())
        self.assertEqual(job.rows_total, 20)
        self.assertEqual(self.v_micro.pareto_size, "micro")
        self.env.flush_all()
        tracked = self.env["mail.tracking.value"].search(
            [
                ("mail_message_id.model", "=", "res.partner"),
                ("mail_message_id.res_id", "=", self.v_micro.id),
                ("field_id.name", "=", "pareto_size"),
            ]
        )
        self.assertTrue(tracked, "with the option, the change is in the vendor's history")
