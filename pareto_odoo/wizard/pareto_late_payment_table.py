import base64
import io
from urllib.parse import quote

import xlsxwriter

from odoo import api, fields, models

from ..engine import payments


class ParetoLatePaymentTable(models.TransientModel):
    """The statutory table of vendor bills received, unpaid and past due at a
    closing date (Code de commerce art. D.441-6), for the annual management
    report: shown on screen, printed (PDF) or exported (XLSX)."""

    _name = "pareto.late.payment.table"
    _description = "Statutory Late-Payment Table"

    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company
    )
    closing_date = fields.Date(required=True, default=fields.Date.context_today)
    sme_only = fields.Boolean(
        string="SME Vendors Only",
        help="Only the bills of SME vendors, in share of the purchases from SME vendors.",
    )
    xlsx_file = fields.Binary(string="Spreadsheet", readonly=True, attachment=False)

    @api.model
    def _bucket_labels(self):
        return {
            "1-30": self.env._("1 to 30 days"),
            "31-60": self.env._("31 to 60 days"),
            "61-90": self.env._("61 to 90 days"),
            "91+": self.env._("91 days and more"),
        }

    def _late_payment_table(self):
        self.ensure_one()
        return self.company_id.get_pareto_late_payment_table(self.closing_date, self.sme_only)

    def _rows(self, table):
        """[(label, count, amount, share)] of the table: its buckets, its
        total (late bills out of dispute) and the bills in dispute."""
        labels = self._bucket_labels()
        rows = [
            (labels[row["bucket"]], row["count"], row["amount"], row["share"])
            for row in table["buckets"]
        ]
        total = table["total"]
        disputed = table["disputed"]
        rows.append((self.env._("Total"), total["count"], total["amount"], total["share"]))
        rows.append(
            (
                self.env._("Bills in dispute (excluded)"),
                disputed["count"],
                disputed["amount"],
                payments.share_of(disputed["amount"], table["year_purchases"]),
            )
        )
        return rows

    def action_print_pdf(self):
        self.ensure_one()
        self._late_payment_table()  # checks the user's access before rendering
        return self.env.ref("pareto_odoo.action_report_late_payment_table").report_action(self)

    def action_export_xlsx(self):
        self.ensure_one()
        self.xlsx_file = base64.b64encode(self._xlsx(self._late_payment_table()))
        filename = self.env._(
            "Late payments %(company)s %(date)s.xlsx",
            company=self.company_id.name,
            date=fields.Date.to_string(self.closing_date),
        )
        return {
            "type": "ir.actions.act_url",
            "url": f"/web/content/{self._name}/{self.id}/xlsx_file/{quote(filename)}?download=true",
            "target": "self",
        }

    def _xlsx(self, table):
        buffer = io.BytesIO()
        # Every text as text: a company named "=..." is not a formula.
        book = xlsxwriter.Workbook(
            buffer, {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False}
        )
        sheet = book.add_worksheet(self.env._("Late payments")[:31])
        bold = book.add_format({"bold": True})
        money = book.add_format({"num_format": "#,##0.00"})
        percent = book.add_format({"num_format": "0.00%"})
        for row, line in enumerate(self._xlsx_heading(table)):
            sheet.write_string(row, 0, line, bold if row == 0 else None)
        top = 5
        headers = (
            self.env._("Lateness"),
            self.env._("Number of bills"),
            self.env._("Amount due, taxes included"),
            self.env._("Share of the year's purchases, taxes included"),
        )
        for column, header in enumerate(headers):
            sheet.write_string(top, column, header, bold)
        for offset, (label, count, amount, share) in enumerate(self._rows(table), start=1):
            sheet.write_string(top + offset, 0, label)
            sheet.write_number(top + offset, 1, count)
            sheet.write_number(top + offset, 2, amount, money)
            if share is not None:
                sheet.write_number(top + offset, 3, share / 100.0, percent)
        sheet.set_column(0, 0, 34)
        sheet.set_column(1, 3, 26)
        book.close()
        return buffer.getvalue()

    def _xlsx_heading(self, table):
        lang = self.env["res.lang"]._get_data(code=self.env.lang or "en_US")
        closing = fields.Date.to_date(table["closing_date"]).strftime(lang.date_format)
        start = fields.Date.to_date(table["fiscal_year_start"]).strftime(lang.date_format)
        return [
            self.env._(
                "Vendor bills received, unpaid and past due at %(date)s (art. D.441-6)",
                date=closing,
            ),
            self.company_id.name
            + (f" — {self.env._('SME vendors only')}" if table["sme_only"] else ""),
            self.env._(
                "Purchases of the fiscal year from %(start)s to %(end)s, taxes included: "
                "%(amount)s %(currency)s",
                start=start,
                end=closing,
                amount=f"{table['year_purchases']:,.2f}",
                currency=self.company_id.currency_id.name,
            ),
            self.env._(
                "Reference delays: the contractual due dates (legal cap, art. L.441-10: "
                "%(days)s days from the invoice date, or %(eom)s days end of month).",
                days=table["legal_days_from_invoice"],
                eom=table["legal_days_end_of_month"],
            ),
        ]
