import base64
import csv
import io

import openpyxl
from stdnum import luhn
from stdnum.fr import siren as stdnum_siren

from odoo import Command
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import tagged

from ..engine import vendor_import
from .common import ParetoCase


def make_siren(base):
    """A valid SIREN from an 8-digit base."""
    base = f"{base:08d}"
    return base + luhn.calc_check_digit(base)


def make_siret(siren, establishment=1):
    """A valid SIRET of ``siren``."""
    nic = f"{establishment:04d}"
    return siren + nic + luhn.calc_check_digit(siren + nic)


SIREN_A, SIREN_D, SIREN_E, SIREN_F, SIREN_G, SIREN_H, SIREN_Z = (
    make_siren(base)
    for base in (31000001, 31000004, 31000005, 31000006, 31000007, 31000008, 31000026)
)
SIREN_B = make_siren(31000002)
VAT_B = "FR" + stdnum_siren.to_tva(SIREN_B)


def csv_bytes(rows, separator=";", encoding="utf-8"):
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=separator, lineterminator="\r\n").writerows(rows)
    return buffer.getvalue().encode(encoding)


HEADER = ["SIREN", "TVA", "Raison sociale", "Taille", "Effectif", "Année"]
GOOD_ROWS = [
    [SIREN_A, "", "Alpha Industrie", "PME", "", "2023"],  # row 2: by SIREN
    ["", VAT_B, "Beta Services", "", "12", "2023"],  # row 3: by VAT, size from headcount
    ["", "", "Gamma Conseil", "ETI", "", ""],  # row 4: by name, the wizard's year
    [SIREN_D, "", "Delta", "GE", "", "2023"],  # row 5: size set by hand
    [SIREN_E, "", "Epsilon", "micro", "", "2022"],  # row 6: partner's size is from 2024
    [SIREN_H, "", "Eta", "TPE", "", "2023"],  # row 7: partner's size is from 2020
    [SIREN_F, "", "Zeta", "GE", "", "2023"],  # row 8: two partners share the SIREN
    [SIREN_Z, "", "Inconnu Ailleurs", "PME", "", "2023"],  # row 9: unmatched
]


@tagged("post_install", "-at_install")
class TestVendorImport(ParetoCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Partner = cls.env["res.partner"]
        cls.alpha = Partner.create(
            {"name": "Alpha Industrie SAS", "is_company": True, "company_registry": SIREN_A}
        )
        cls.alpha_contact = Partner.create({"name": "Anne Alpha", "parent_id": cls.alpha.id})
        cls.beta = Partner.create({"name": "Beta", "is_company": True, "vat": VAT_B})
        cls.gamma = Partner.create({"name": "GAMMA CONSEIL SARL", "is_company": True})
        cls.delta = Partner.create(
            {
                "name": "Delta",
                "is_company": True,
                "company_registry": SIREN_D,
                "pareto_size": "small",
            }
        )
        cls.epsilon = Partner.create(
            {
                "name": "Epsilon",
                "is_company": True,
                "company_registry": SIREN_E,
                "pareto_size": "medium",
                "pareto_size_source": "registry",
                "pareto_size_year": 2024,
            }
        )
        cls.eta = Partner.create(
            {
                "name": "Eta",
                "is_company": True,
                "company_registry": SIREN_H,
                "pareto_size": "small",
                "pareto_size_source": "import",
                "pareto_size_year": 2020,
            }
        )
        cls.zeta = Partner.create(
            [
                {"name": "Zeta Paris", "is_company": True, "company_registry": SIREN_F},
                {
                    "name": "Zeta Lyon",
                    "is_company": True,
                    "company_registry": make_siret(SIREN_F, 2),
                },
            ]
        )
        cls.others = cls.alpha | cls.beta | cls.gamma | cls.delta | cls.epsilon | cls.eta | cls.zeta

    def _wizard(self, data, filename="fournisseurs.csv", user=None, **values):
        wizard_model = self.env["pareto.vendor.import"].with_user(user or self.manager)
        return wizard_model.create(
            {"file": base64.b64encode(data), "filename": filename, "year": 2024, **values}
        )

    def _snapshot(self, partners=None):
        partners = partners or self.others
        partners.invalidate_recordset()
        return {
            partner.id: (
                partner.pareto_size,
                partner.pareto_size_source,
                partner.pareto_size_year,
                partner.pareto_headcount,
            )
            for partner in partners
        }

    def _lines_by_row(self, wizard):
        return {line.row_number: line for line in wizard.line_ids}

    def test_preview_matches_and_writes_nothing(self):
        before = self._snapshot()
        wizard = self._wizard(csv_bytes([HEADER, *GOOD_ROWS]))
        wizard.action_preview()
        self.assertEqual(wizard.state, "preview")
        lines = self._lines_by_row(wizard)
        expected = {
            2: ("matched", "siren", self.alpha, "medium"),
            3: ("matched", "vat", self.beta, "small"),
            4: ("matched", "name", self.gamma, "intermediate"),
            5: ("conflict", "siren", self.delta, "large"),
            6: ("conflict", "siren", self.epsilon, "micro"),
            7: ("matched", "siren", self.eta, "micro"),
            8: ("matched", "siren", self.zeta[0], "large"),
            9: ("unmatched", False, self.env["res.partner"], "medium"),
        }
        self.assertEqual(
            {
                row: (line.status, line.matched_by, line.partner_id, line.size)
                for row, line in lines.items()
            },
            expected,
        )
        self.assertEqual(lines[4].year, 2024, "a row without year takes the wizard's year")
        self.assertEqual(lines[8].partner_count, 2)
        self.assertIn("set by hand", lines[5].message)
        self.assertIn("2024", lines[6].message)
        self.assertEqual(
            (wizard.row_count, wizard.matched_count, wizard.conflict_count, wizard.unmatched_count),
            (8, 5, 2, 1),
        )
        self.assertEqual(
            wizard.matched_line_ids, lines[2] | lines[3] | lines[4] | lines[7] | lines[8]
        )
        self.assertIn("CSV", wizard.file_description)
        self.assertEqual(self._snapshot(), before, "the preview writes nothing")

    def test_import_writes_sizes_with_source_and_year(self):
        before = self._snapshot()
        wizard = self._wizard(csv_bytes([HEADER, *GOOD_ROWS]))
        wizard.action_preview()
        wizard.action_import()
        self.assertEqual(wizard.state, "done")
        self.assertEqual(wizard.updated_count, 6)  # Zeta counts twice
        after = self._snapshot()
        self.assertEqual(after[self.alpha.id], ("medium", "import", 2023, 0))
        self.assertEqual(after[self.beta.id], ("small", "import", 2023, 12))
        self.assertEqual(after[self.gamma.id], ("intermediate", "import", 2024, 0))
        self.assertEqual(after[self.eta.id], ("micro", "import", 2023, 0), "older data replaced")
        for zeta in self.zeta:
            self.assertEqual(after[zeta.id], ("large", "import", 2023, 0))
        # Conflicts are kept as they were.
        self.assertEqual(after[self.delta.id], before[self.delta.id])
        self.assertEqual(after[self.delta.id][:2], ("small", "manual"))
        self.assertEqual(after[self.epsilon.id], before[self.epsilon.id])
        self.assertTrue(self.alpha.pareto_is_sme)
        self.assertEqual(self.alpha_contact.pareto_size, "medium", "contacts follow their company")
        # The sizes on the lines' vendors are now those of the file.
        for line in wizard.matched_line_ids:
            self.assertEqual(line.partner_size, line.size)

    def test_manual_size_overwritten_only_when_chosen(self):
        wizard = self._wizard(csv_bytes([HEADER, *GOOD_ROWS]), overwrite_manual=True)
        wizard.action_preview()
        lines = self._lines_by_row(wizard)
        self.assertEqual(lines[5].status, "matched")
        self.assertEqual(lines[6].status, "conflict", "a more recent year is still kept")
        wizard.action_import()
        self.assertEqual(
            (self.delta.pareto_size, self.delta.pareto_size_source, self.delta.pareto_size_year),
            ("large", "import", 2023),
        )
        self.assertEqual(
            (self.epsilon.pareto_size, self.epsilon.pareto_size_year), ("medium", 2024)
        )

    def test_option_changed_after_preview_applies_at_import(self):
        wizard = self._wizard(csv_bytes([HEADER, *GOOD_ROWS]))
        wizard.action_preview()
        self.assertEqual(self._lines_by_row(wizard)[5].status, "conflict")
        wizard.overwrite_manual = True
        wizard.action_import()
        self.assertEqual(self._lines_by_row(wizard)[5].status, "matched")
        self.assertEqual(self.delta.pareto_size, "large")

    def test_row_errors_block_the_whole_import(self):
        before = self._snapshot()
        rows = [HEADER, *GOOD_ROWS, ["12345678", "", "Bad Siren", "PME", "", "2023"]]
        rows.append(["", "", "Sans Taille", "", "", ""])
        wizard = self._wizard(csv_bytes(rows))
        wizard.action_preview()
        lines = self._lines_by_row(wizard)
        self.assertEqual((lines[10].status, lines[11].status), ("error", "error"))
        self.assertIn("Invalid SIREN", lines[10].message)
        self.assertEqual(wizard.error_count, 2)
        with self.assertRaisesRegex(UserError, r"2 row\(s\) of the file have errors.*row 10"):
            wizard.action_import()
        self.assertEqual(self._snapshot(), before, "all or nothing: nothing written")

    def test_failure_in_the_middle_of_the_writes_writes_nothing(self):
        before = self._snapshot()
        wizard = self._wizard(csv_bytes([HEADER, *GOOD_ROWS]))
        wizard.action_preview()
        Partner = type(self.env["res.partner"])
        original_write = Partner.write
        written = []

        def failing_write(records, vals):
            if vals.get("pareto_size_source") == "import" and records & self.beta:
                raise ValidationError(records.env._("Simulated failure while writing Beta"))
            result = original_write(records, vals)
            if vals.get("pareto_size_source") == "import" and records:
                records.env.flush_all()  # really sent to the database
                written.append(records)
            return result

        self.patch(Partner, "write", failing_write)
        with self.assertRaisesRegex(UserError, "nothing was written.*Simulated failure"):
            wizard.action_import()
        self.assertIn(
            self.alpha,
            self.env["res.partner"].union(*written),
            "a first batch was written before the failure",
        )
        self.assertEqual(self._snapshot(), before, "the batches already written are rolled back")

    def test_bad_files_are_refused_with_a_clear_error(self):
        before = self._snapshot()
        cases = [
            (b"", "fournisseurs.csv", "The file is empty"),
            (b" \r\n\r\n", "fournisseurs.csv", "The file is empty"),
            (b"SIREN;Taille\r\n", "fournisseurs.csv", "no data rows"),
            (
                csv_bytes([["Produit", "Prix"], ["Vis", "3"]]),
                "fournisseurs.csv",
                "No usable column.*Columns found: “Produit”, “Prix”",
            ),
            (
                csv_bytes([["SIREN", "Nom"], [SIREN_A, "Alpha"]]),
                "fournisseurs.csv",
                "Missing columns.*classification column",
            ),
            (b"siren\x00;size\x00\n\x01\x02\x03\x00" * 10, "fournisseurs.csv", "not readable text"),
            (
                b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 64,
                "fournisseurs.xls",
                r"\.xls.*not supported",
            ),
            (b"PK\x03\x04 not really a zip", "fournisseurs.xlsx", "not a readable Excel workbook"),
        ]
        for data, filename, message in cases:
            with self.subTest(message=message):
                wizard = self._wizard(data, filename)
                with self.assertRaisesRegex(UserError, f"nothing was written: .*{message}"):
                    wizard.action_preview()
                self.assertEqual(wizard.state, "upload")
                self.assertFalse(wizard.line_ids)
        wizard = self._wizard(b"", "fournisseurs.csv")
        with self.assertRaises(UserError):
            wizard.action_import()  # not previewed
        self.assertEqual(self._snapshot(), before)

    def test_cp1252_file_and_names(self):
        societe = self.env["res.partner"].create(
            {"name": "Société Générale d'Études", "is_company": True}
        )
        data = csv_bytes(
            [
                ["Nom du fournisseur", "Catégorie"],
                ["SOCIETE GENERALE D’ETUDES", "Moyenne entreprise"],
            ],
            encoding="cp1252",
        )
        wizard = self._wizard(data)
        wizard.action_preview()
        self.assertIn("cp1252", wizard.file_description)
        self.assertEqual(wizard.line_ids.partner_id, societe)
        self.assertEqual(wizard.line_ids.matched_by, "name")
        wizard.action_import()
        self.assertEqual(societe.pareto_size, "medium")

    def test_xlsx_with_figures(self):
        workbook = openpyxl.Workbook()
        sheet = workbook.active
        sheet.append(["SIRET", "Effectif", "Chiffre d'affaires (€)", "Total bilan", "Exercice"])
        sheet.append([int(make_siret(SIREN_A)), 40, 12_000_000, 9_000_000, "31/12/2023"])
        buffer = io.BytesIO()
        workbook.save(buffer)
        wizard = self._wizard(buffer.getvalue(), "tailles.xlsx")
        wizard.action_preview()
        self.assertEqual(wizard.line_ids.partner_id, self.alpha)
        wizard.action_import()
        self.assertEqual(
            (
                self.alpha.pareto_size,
                self.alpha.pareto_size_source,
                self.alpha.pareto_size_year,
                self.alpha.pareto_headcount,
                self.alpha.pareto_turnover,
                self.alpha.pareto_balance_sheet,
            ),
            ("small", "import", 2023, 40, 12_000_000.0, 9_000_000.0),
        )
        self.assertEqual(self.alpha.pareto_finance_year, 2023, "the turnover's year")

    def test_report_download(self):
        rows = [HEADER, *GOOD_ROWS, ["12345678", "", "=HYPERLINK(1)", "PME", "", ""]]
        wizard = self._wizard(csv_bytes(rows), "liste.csv")
        wizard.action_preview()
        action = wizard.action_download_report()
        self.assertEqual(action["type"], "ir.actions.act_url")
        self.assertEqual(
            action["url"],
            f"/web/content/pareto.vendor.import/{wizard.id}/report_file/liste_report.csv?download=true",
        )
        report = base64.b64decode(wizard.report_file).decode("utf-8-sig")
        records = list(csv.reader(io.StringIO(report), delimiter=";"))
        self.assertEqual(records[0][:6], ["Row", "SIREN", "VAT", "Name", "Size", "Status"])
        by_row = {record[0]: record for record in records[1:]}
        self.assertEqual(len(by_row), 9)
        self.assertEqual(by_row["5"][4:7], ["Large enterprise (GE)", "Conflict", "SIREN"])
        self.assertIn("Delta: its size (Small enterprise (PE)) was set by hand", by_row["5"][8])
        self.assertEqual(by_row["10"][5], "Error")
        self.assertEqual(by_row["10"][3], "'=HYPERLINK(1)", "formulas are neutralised")
        attachment = (
            self.env["ir.attachment"]
            .sudo()
            .search(
                [
                    ("res_model", "=", "pareto.vendor.import"),
                    ("res_id", "=", wizard.id),
                    ("res_field", "=", "report_file"),
                ]
            )
        )
        self.assertEqual(len(attachment), 1, "the report is stored as an attachment")

    def test_writes_are_batched_by_identical_values(self):
        vendors = self.env["res.partner"].create(
            [
                {
                    "name": f"Lot {index}",
                    "is_company": True,
                    "company_registry": make_siren(32000000 + index),
                }
                for index in range(30)
            ]
        )
        rows = [["SIREN", "Taille", "Année"]]
        rows += [
            [vendor.company_registry, "PME" if i % 2 else "GE", "2023"]
            for i, vendor in enumerate(vendors)
        ]
        Partner = type(self.env["res.partner"])
        original_write = Partner.write
        calls = []

        def counting_write(records, vals):
            if vals.get("pareto_size_source") == "import" and records:
                calls.append(len(records))
            return original_write(records, vals)

        self.patch(Partner, "write", counting_write)
        wizard = self._wizard(csv_bytes(rows))
        wizard.action_preview()
        wizard.action_import()
        self.assertEqual(sorted(calls), [15, 15], "one write per distinct size and year")
        self.assertEqual(set(vendors.mapped("pareto_size")), {"medium", "large"})

    def test_scope_is_the_allowed_companies(self):
        other = self.env["res.partner"].create(
            {
                "name": "Sud Fournitures",
                "is_company": True,
                "company_registry": SIREN_G,
                "company_id": self.company_2.id,
            }
        )
        data = csv_bytes([["SIREN", "Taille"], [SIREN_G, "PME"]])
        wizard = self._wizard(data).with_context(allowed_company_ids=[self.company.id])
        wizard.action_preview()
        self.assertEqual(
            wizard.line_ids.status, "unmatched", "another company's vendor is not seen"
        )
        both = self._wizard(data).with_context(
            allowed_company_ids=[self.company.id, self.company_2.id]
        )
        both.action_preview()
        self.assertEqual(both.line_ids.partner_id, other)

    def test_only_procurement_managers(self):
        with self.assertRaises(AccessError):
            self._wizard(csv_bytes([HEADER, *GOOD_ROWS]), user=self.buyer)
        self.buyer.group_ids = [Command.link(self.env.ref("purchase.group_purchase_manager").id)]
        self._wizard(csv_bytes([HEADER, *GOOD_ROWS]), user=self.buyer).action_preview()

    def test_numbers_beyond_what_a_vendor_can_store_are_errors_in_the_preview(self):
        """1e400 is infinite (JSON Infinity would reach PostgreSQL) and
        99999999999 overflows the int4 headcount: the preview says so, the
        import refuses, nothing is written."""
        before = self._snapshot()
        rows = [
            ["SIREN", "Taille", "Effectif", "Chiffre d'affaires"],
            [SIREN_A, "PME", "99999999999", ""],
            [SIREN_D, "GE", "", "1e400"],
            [SIREN_E, "", "12", "3e15"],
        ]
        wizard = self._wizard(csv_bytes(rows))
        wizard.action_preview()
        lines = self._lines_by_row(wizard)
        self.assertEqual([lines[row].status for row in (2, 3, 4)], ["error"] * 3)
        self.assertIn("Invalid headcount: “99999999999” is beyond 2,147,483,647", lines[2].message)
        self.assertIn("Invalid turnover: “1e400” is not a finite number", lines[3].message)
        self.assertIn("Invalid turnover: “3e15” is beyond", lines[4].message)
        self.env.flush_all()  # the stored rows are valid JSON for PostgreSQL
        self.assertEqual(len(wizard.rows_data), 3)
        with self.assertRaisesRegex(UserError, r"3 row\(s\) of the file have errors"):
            wizard.action_import()
        self.assertEqual(self._snapshot(), before)

    def test_names_with_ligatures_match(self):
        coeur = self.env["res.partner"].create({"name": "Cœur de Lion SARL", "is_company": True})
        wizard = self._wizard(csv_bytes([["Raison sociale", "Taille"], ["COEUR DE LION", "TPE"]]))
        wizard.action_preview()
        self.assertEqual(wizard.line_ids.partner_id, coeur)
        self.assertEqual(wizard.line_ids.matched_by, "name")

    def test_template_has_the_columns_the_import_reads(self):
        for lang in ("en_US", "fr_FR"):
            with self.subTest(lang=lang):
                self.env["res.lang"]._activate_lang(lang)
                self.env["ir.module.module"].search(
                    [("name", "=", "pareto_odoo")]
                )._update_translations(lang)
                wizard = self._wizard(b"x").with_context(lang=lang)
                data = base64.b64decode(wizard.template_file)
                self.assertTrue(data.startswith(b"\xef\xbb\xbf"))
                (header,) = list(csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))
                mapping = vendor_import.map_columns(header)
                self.assertEqual(tuple(mapping), vendor_import.TEMPLATE_FIELDS, header)
                if lang == "fr_FR":
                    self.assertIn("Raison sociale", header)
                action = wizard.action_download_template()
                self.assertEqual(
                    action["url"],
                    f"/web/content/pareto.vendor.import/{wizard.id}/template_file/"
                    f"{wizard.template_filename}?download=true",
                )

    def test_rows_have_a_readable_name_and_their_own_form(self):
        wizard = self._wizard(csv_bytes([HEADER, *GOOD_ROWS]))
        wizard.action_preview()
        self.assertEqual(self._lines_by_row(wizard)[2].display_name, "Row 2: Alpha Industrie")
        self.assertEqual(wizard.display_name, "Import of fournisseurs.csv")
        arch = self.env["pareto.vendor.import.line"].get_view(view_type="form")["arch"]
        self.assertIn('name="message"', arch)
        self.assertNotIn('name="wizard_id"', arch)

    def test_french_user_reads_french(self):
        self.env["res.lang"]._activate_lang("fr_FR")
        self.env["ir.module.module"].search([("name", "=", "pareto_odoo")])._update_translations(
            "fr_FR"
        )
        self.manager.lang = "fr_FR"
        rows = [["SIREN", "Taille"], [SIREN_A, "Artisan"], ["552100555", "PME"]]
        # The web client sends the user's language in the context.
        wizard = self._wizard(csv_bytes(rows, encoding="cp1252")).with_context(lang="fr_FR")
        wizard.action_preview()
        lines = self._lines_by_row(wizard)
        self.assertIn("Taille inconnue «\u00a0Artisan\u00a0»", lines[2].message)
        self.assertIn("SIREN «\u00a0552100555\u00a0» invalide", lines[3].message)
        self.assertIn("séparateur", wizard.file_description)
        report = base64.b64decode(wizard.report_file).decode("utf-8-sig")
        self.assertTrue(report.startswith("Ligne;SIREN;TVA;Nom;Taille;Statut"), report[:80])
        self.assertIn(";Erreur;", report)
        bad = self._wizard(csv_bytes([["Produit", "Prix"], ["Vis", "3"]])).with_context(
            lang="fr_FR"
        )
        with self.assertRaisesRegex(UserError, "rien n'a été écrit.*Aucune colonne utilisable"):
            bad.action_preview()
