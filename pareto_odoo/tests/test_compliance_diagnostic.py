import datetime
import io
import math
import tempfile
from collections import defaultdict
from pathlib import Path

from odoo import Command, fields
from odoo.tests import TransactionCase, tagged

from ..engine import analysis, diagnostic
from .test_spend_report import read_xlsx

YEAR = 2025
DAY = datetime.date(YEAR, 12, 31)
TARGET = analysis.DEFAULT_TARGET


def nan_to_none(value):
    return None if value is None or (isinstance(value, float) and math.isnan(value)) else value


@tagged("post_install", "-at_install")
class TestDiagnosticParity(TransactionCase):
    """The standalone diagnostic and the addon give the same figures on the
    same data: the diagnostic's shipped sample, loaded into a company of its
    own (vendors, families, confirmed orders of the sample's last year)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.purchases_path = diagnostic.SAMPLE_DIR / "purchases.csv"
        cls.suppliers_path = diagnostic.SAMPLE_DIR / "suppliers.csv"
        purchases = analysis.prepare_purchases(diagnostic.read_table(cls.purchases_path))
        suppliers = diagnostic.read_table(cls.suppliers_path).fillna("")

        cls.company = cls.env["res.company"].create(
            {"name": "Diagnostic SA", "country_id": cls.env.ref("base.fr").id}
        )
        cls.company.pareto_default_target = TARGET
        env = cls.env(context=dict(cls.env.context, allowed_company_ids=cls.company.ids))

        countries = {
            code: env["res.country"].search([("code", "=", code)]).id
            for code in set(suppliers["country"])
        }
        vendors = env["res.partner"].create(
            [
                {
                    "name": row["name"],
                    "is_company": True,
                    "ref": row["supplier_id"],
                    "zip": row["zip"],
                    "country_id": countries[row["country"]],
                    "pareto_headcount": int(row["headcount"] or 0),
                    "pareto_turnover": float(row["turnover"] or 0),
                    "pareto_excluded": row["excluded"] == "1",
                }
                for row in suppliers.to_dict("records")
            ]
        )
        # The sample's size wins over the one its figures would give.
        for vendor, row in zip(vendors, suppliers.to_dict("records"), strict=True):
            vendor.pareto_size = row["size"] or False
        cls.vendors = {vendor.ref: vendor for vendor in vendors}

        cls.families = {}
        products = {}
        unmapped = env["product.category"].create({"name": "Diagnostic unmapped"})
        for name in sorted(set(purchases["family"]) - {analysis.UNCLASSIFIED}):
            family = env["pareto.family"].create(
                {"name": name, "code": name[:12], "company_id": cls.company.id}
            )
            category = env["product.category"].create({"name": name, "pareto_family_id": family.id})
            cls.families[name] = family
            products[name] = env["product.product"].create({"name": name, "categ_id": category.id})
        products[analysis.UNCLASSIFIED] = env["product.product"].create(
            {"name": "Unclassified", "categ_id": unmapped.id}
        )

        # One order per vendor and month of the year, one line per family:
        # the same sums per family, vendor and month as the sample.
        in_year = purchases[purchases["date"].dt.year == YEAR]
        months = in_year.assign(month=in_year["date"].dt.month)
        sums = months.groupby(["supplier_id", "month", "family"])["amount"].sum()
        orders = defaultdict(list)
        for (supplier_id, month, family), amount in sums.items():
            orders[supplier_id, month].append((family, round(amount, 2)))
        keys = sorted(orders)
        created = env["purchase.order"].create(
            [
                {
                    "partner_id": cls.vendors[supplier_id].id,
                    "company_id": cls.company.id,
                    "order_line": [
                        Command.create(
                            {"product_id": products[family].id, "product_qty": 1,
                             "price_unit": amount}
                        )
                        for family, amount in orders[supplier_id, month]
                    ],
                }
                for supplier_id, month in keys
            ]
        )  # fmt: skip
        created.button_confirm()
        for order, (_supplier_id, month) in zip(created, keys, strict=True):
            order.date_approve = datetime.datetime(YEAR, month, 15, 12, 0)
        cls.Dashboard = env["pareto.compliance.dashboard"]

    def diagnostic_figures(self):
        """What the diagnostic computes for the year (its own code path)."""
        purchases = diagnostic.read_table(self.purchases_path)
        suppliers = diagnostic.read_table(self.suppliers_path)
        prepared = analysis.prepare_purchases(purchases)
        in_year = analysis.filter_period(
            prepared, datetime.date(YEAR, 1, 1), datetime.date(YEAR, 12, 31)
        )
        table = analysis.family_table(in_year, suppliers, {}, TARGET, analysis.DEFAULT_MARGIN)
        top = analysis.top_non_sme_suppliers(in_year, suppliers, n=5)
        monthly = analysis.monthly_share(prepared, suppliers, months=12, end=DAY)
        return table.set_index("family"), analysis.totals(table).iloc[0], top, monthly

    def test_family_figures_equal(self):
        table, total, top, monthly = self.diagnostic_figures()
        data = self.Dashboard.get_dashboard_data(
            {"company_ids": self.company.ids, "day": fields.Date.to_string(DAY)}
        )
        rows = {row["name"]: row for row in data["families"]}
        self.assertEqual(set(table.index) - set(rows), set())
        for family, expected in table.iterrows():
            with self.subTest(family=family):
                row = rows[family]
                for key in (
                    "total", "sme_total", "local_sme_total", "share", "local_share",
                    "target", "gap", "shift_amount", "coverage", "jobs_supported",
                    "jobs_unknown_spend",
                ):  # fmt: skip
                    expected_value = nan_to_none(expected[key])
                    if expected_value is None:
                        self.assertIsNone(row[key], key)
                    else:
                        self.assertAlmostEqual(row[key], expected_value, places=6, msg=key)
                self.assertEqual(row["status"], expected["status"])
                self.assertEqual(row["suppliers"], expected["suppliers"])
                self.assertEqual(row["sme_suppliers"], expected["sme_suppliers"])
                # Where to shift: the same vendors in the same order.
                expected_top = top[top["family"] == family]
                self.assertEqual(
                    [vendor["partner_id"] for vendor in row["top"]],
                    [self.vendors[supplier_id].id for supplier_id in expected_top["supplier_id"]],
                )
                self.assertEqual(
                    [round(vendor["amount"], 2) for vendor in row["top"]],
                    [round(amount, 2) for amount in expected_top["amount"]],
                )
                # The trend: the same monthly shares.
                expected_trend = monthly[monthly["family"] == family]["share"].tolist()
                self.assertEqual(len(row["trend"]), len(expected_trend))
                for got, want in zip(row["trend"], expected_trend, strict=True):
                    if nan_to_none(want) is None:
                        self.assertIsNone(got)
                    else:
                        self.assertAlmostEqual(got, want, places=6)
        self.assertAlmostEqual(data["total"]["total"], total["total"], places=6)
        self.assertAlmostEqual(data["total"]["jobs_supported"], total["jobs_supported"], places=6)
        self.assertEqual(data["total"]["status"], total["status"])
        # Vendors of unknown size, for the coverage link.
        unknown = {self.vendors["F027"].id, self.vendors["F028"].id}
        self.assertEqual(set(data["unknown_size_partner_ids"]), unknown)

    def test_command_line_prints_the_addon_figures(self):
        data = self.Dashboard.get_dashboard_data(
            {"company_ids": self.company.ids, "day": fields.Date.to_string(DAY)}
        )
        out = io.StringIO()
        with tempfile.TemporaryDirectory() as directory:
            code = diagnostic.main(
                [str(self.purchases_path), str(self.suppliers_path), "--year", str(YEAR),
                 "-o", str(Path(directory) / "report.html")],
                out=out,
            )  # fmt: skip
        self.assertEqual(code, 0)
        lines = out.getvalue().splitlines()
        for row in data["families"]:
            if not row["total"]:
                continue  # the shared families of other tests' data have no spend here
            with self.subTest(family=row["name"]):
                line = next(line for line in lines if line.startswith(row["name"] + "  "))
                self.assertIn(diagnostic.euros(row["total"]), line)
                self.assertIn(diagnostic.euros(row["sme_total"]), line)
                self.assertIn(diagnostic.percent(row["share"]), line)

    def test_xlsx_totals_equal_diagnostic(self):
        _table, total, _top, _monthly = self.diagnostic_figures()
        content = self.Dashboard.with_company(self.company)._xlsx_content(
            self.Dashboard._scope({"company_ids": self.company.ids, "day": str(DAY)})
        )
        dashboard = read_xlsx(content)["Dashboard"].set_index("Family")
        self.assertAlmostEqual(dashboard.loc["Total", "Spend"], total["total"], places=4)
        self.assertAlmostEqual(dashboard.loc["Total", "SME spend"], total["sme_total"], places=4)
