import base64
import hashlib
import logging
import os

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.fields import Domain
from odoo.tools import SQL, LazyTranslate
from odoo.tools.misc import formatLang

from ..engine import identifiers, tabular, vendor_import
from ..models.import_options import overwrite_manual_field, track_history_field
from ..tools.partner_writes import write_grouped

_logger = logging.getLogger(__name__)

MATCH_STATUS_SELECTION = [
    (vendor_import.MATCHED, "To update"),
    (vendor_import.CONFLICT, "Conflict"),
    (vendor_import.UNCHANGED, "Unchanged"),
    (vendor_import.UNMATCHED, "Unmatched"),
    (vendor_import.ERROR, "Error"),
]
MATCHED_BY_SELECTION = [("siren", "SIREN"), ("vat", "VAT number"), ("name", "Name")]
PARTNER_FIELDS = ("pareto_siren", "vat", "name", "pareto_size", "pareto_size_source")


_lt = LazyTranslate(__name__)

# The user's sentences for the engine's codes, filled with each code's
# parameters (see engine/tabular.py and engine/vendor_import.py).
FILE_ERROR_TEXTS = {
    tabular.EMPTY: _lt("The file is empty."),
    tabular.NO_ROWS: _lt(
        "The file has a header row but no data rows: there is no vendor to import."
    ),
    tabular.NOT_XLSX: _lt(
        "The file “%(filename)s” is named as an Excel workbook but is not a valid .xlsx "
        "file. Save it again as .xlsx or as CSV."
    ),
    tabular.OLD_XLS: _lt(
        "The old Excel format (.xls) is not supported. Save the file as .xlsx or as CSV."
    ),
    tabular.UNKNOWN_FORMAT: _lt(
        "Unknown file format for “%(filename)s”: expected a CSV file (.csv) or an Excel "
        "workbook (.xlsx)."
    ),
    tabular.NOT_UTF16: _lt("The file could not be decoded as UTF-16 text. Save it as CSV UTF-8."),
    tabular.NOT_TEXT: _lt(
        "The file is not readable text (unknown encoding or binary content). Save it as "
        "CSV UTF-8 or as an Excel workbook (.xlsx)."
    ),
    tabular.CSV_UNREADABLE: _lt("The CSV file “%(filename)s” could not be read (%(detail)s)."),
    tabular.ROW_TOO_WIDE: _lt(
        "The CSV file “%(filename)s” could not be read: row %(row)s has %(values)s "
        "values but the header has %(columns)s columns. Check the separator, and that "
        "values containing it are quoted."
    ),
    tabular.XLSX_UNREADABLE: _lt(
        "The file “%(filename)s” is not a readable Excel workbook (.xlsx). Save it again "
        "as .xlsx or as CSV."
    ),
}
# An invalid SIREN or SIRET, by reason.
IDENTIFIER_ISSUE_TEXTS = {
    identifiers.INVALID_FORMAT: _lt("Invalid %(column)s “%(value)s”: only digits are allowed."),
    identifiers.INVALID_LENGTH: _lt(
        "Invalid %(column)s “%(value)s”: a SIREN has 9 digits and a SIRET 14."
    ),
    identifiers.INVALID_CHECKSUM: _lt("Invalid %(column)s “%(value)s”: its check digit is wrong."),
}
ROW_ISSUE_TEXTS = {
    vendor_import.NOT_A_NUMBER: _lt("Unreadable %(column)s: “%(value)s” is not a number."),
    vendor_import.NEGATIVE: _lt("Invalid %(column)s: “%(value)s” is negative."),
    vendor_import.NOT_FINITE: _lt("Invalid %(column)s: “%(value)s” is not a finite number."),
    vendor_import.OUT_OF_RANGE: _lt("Invalid %(column)s: “%(value)s” is beyond %(maximum)s."),
    vendor_import.SIREN_SIRET_MISMATCH: _lt(
        "The SIREN (%(siren)s) and the SIRET (%(siret)s) are of different companies."
    ),
    vendor_import.INVALID_VAT: _lt("Invalid French VAT number “%(value)s”."),
    vendor_import.VAT_OTHER_SIREN: _lt(
        "The VAT number %(vat)s is not that of SIREN %(siren)s; the SIREN is used for "
        "matching first."
    ),
    vendor_import.NO_IDENTIFIER: _lt(
        "No identifier: the row has no SIREN/SIRET, VAT number or name."
    ),
    vendor_import.UNKNOWN_SIZE: _lt(
        "Unknown size “%(value)s”: expected micro, small, medium, intermediate or large "
        "(or TPE, PE, PME, ETI, GE)."
    ),
    vendor_import.INVALID_YEAR: _lt("Invalid year “%(value)s”."),
    vendor_import.SIZE_DIFFERS: _lt(
        "The size given (%(given)s) differs from the size computed from the figures "
        "(%(computed)s); the size given is kept."
    ),
    vendor_import.HEADCOUNT_NEEDED: _lt(
        "No size and no headcount: the headcount is needed to compute a size."
    ),
    vendor_import.NOTHING_TO_CLASSIFY: _lt("No size and no headcount: nothing to classify."),
}


def _status_lines(status, string):
    """The wizard's rows of one match ``status``."""
    return fields.One2many(
        "pareto.vendor.import.line",
        "wizard_id",
        domain=[("status", "=", status)],
        string=string,
    )


class ParetoVendorImport(models.TransientModel):
    """Classify many vendors at once from a CSV or XLSX vendor list.

    Upload → preview (every row matched, conflicting, unchanged, unmatched or
    in error, nothing written) → import: the sizes of the matched rows are
    written in one transaction, all or nothing, with source ``import`` and the
    data year. A per-row report can be downloaded at every step. The engine
    (``engine/vendor_import.py``) reads and matches; this wizard phrases its
    codes in the user's language.
    """

    _name = "pareto.vendor.import"
    _inherit = ["pareto.write.guard"]
    _description = "Import Vendor Sizes"

    company_id = fields.Many2one(
        "res.company", required=True, readonly=True, default=lambda self: self.env.company
    )
    state = fields.Selection(
        [("upload", "Upload"), ("preview", "Preview"), ("done", "Done")],
        default="upload",
        required=True,
    )
    file = fields.Binary(string="Vendor List", attachment=False)
    filename = fields.Char(string="File Name")
    year = fields.Integer(
        string="Data Year",
        required=True,
        default=lambda self: fields.Date.context_today(self).year,
        help="Year of the sizes and figures of the file, for the rows that do not give one "
        "in a Year column. A vendor whose size is from a more recent year keeps it.",
    )
    overwrite_manual = overwrite_manual_field(
        help="By default a size entered by hand on a vendor is kept and the row is "
        "reported as a conflict. Tick to replace it with the file's size.",
    )
    track_history = track_history_field(
        help="Post each size change in the vendor's history. Slower on large files.",
    )
    file_description = fields.Char(readonly=True)
    line_ids = fields.One2many("pareto.vendor.import.line", "wizard_id", string="All Rows")
    matched_line_ids = _status_lines(vendor_import.MATCHED, "Rows to Update")
    conflict_line_ids = _status_lines(vendor_import.CONFLICT, "Conflicting Rows")
    unchanged_line_ids = _status_lines(vendor_import.UNCHANGED, "Unchanged Rows")
    unmatched_line_ids = _status_lines(vendor_import.UNMATCHED, "Unmatched Rows")
    error_line_ids = _status_lines(vendor_import.ERROR, "Rows in Error")
    row_count = fields.Integer(string="Rows", readonly=True)
    matched_count = fields.Integer(string="To Update", readonly=True)
    conflict_count = fields.Integer(string="Conflicts", readonly=True)
    unchanged_count = fields.Integer(string="Unchanged", readonly=True)
    unmatched_count = fields.Integer(string="Unmatched", readonly=True)
    error_count = fields.Integer(string="Errors", readonly=True)
    updated_count = fields.Integer(string="Vendors Updated", readonly=True)
    preview_signature = fields.Char(readonly=True)
    rows_data = fields.Json(
        readonly=True, help="The rows of the file as read at preview, matched again at import."
    )
    file_attrs = fields.Json(readonly=True)
    report_file = fields.Binary(string="Report", readonly=True)
    report_filename = fields.Char(readonly=True)
    template_file = fields.Binary(
        string="Template", compute="_compute_template_file", attachment=False
    )
    template_filename = fields.Char(compute="_compute_template_file")

    @api.depends("filename", "state")
    def _compute_display_name(self):
        for wizard in self:
            wizard.display_name = (
                self.env._("Import of %(file)s", file=wizard.filename)
                if wizard.filename
                else self.env._("Import Vendor Sizes")
            )

    # ------------------------------------------------------------------
    # Messages: the engine's codes in the user's language
    # ------------------------------------------------------------------

    def _pareto_size_label(self, size):
        labels = dict(
            self.env["res.partner"]._fields["pareto_size"]._description_selection(self.env)
        )
        return labels.get(size) or self.env._("unknown")

    def _pareto_column_label(self, column):
        return {
            vendor_import.SIREN: "SIREN",
            vendor_import.SIRET: "SIRET",
            vendor_import.HEADCOUNT: self.env._("headcount"),
            vendor_import.TURNOVER: self.env._("turnover"),
            vendor_import.BALANCE_SHEET: self.env._("balance sheet total"),
        }.get(column, column)

    def _pareto_phrase(self, text, params):
        """``text`` (a lazy term of the tables above) in the user's language,
        filled with the code's ``params``."""
        sentence = self.env._(text)  # translated first, then filled
        return sentence % params

    def _pareto_file_error_text(self, exc):
        """The user's sentence for a TableError or a VendorFileError."""
        params = exc.params
        if exc.code == vendor_import.MISSING_COLUMNS:
            return self._pareto_missing_columns_text(params["missing"], params["found"])
        if exc.code in FILE_ERROR_TEXTS:
            return self._pareto_phrase(FILE_ERROR_TEXTS[exc.code], params)
        return str(exc)

    def _pareto_missing_columns_text(self, missing, found):
        needs = {
            vendor_import.IDENTIFIER: self.env._(
                "an identifier column (SIREN or SIRET, VAT number, or name)"
            ),
            vendor_import.CLASSIFICATION: self.env._(
                "a classification column (size, or headcount)"
            ),
        }
        message = self.env._(
            "%(intro)s: the file needs %(needs)s. Columns found: %(found)s. Accepted headers "
            "include SIREN, SIRET, VAT / TVA, Name / Raison sociale, Size / Taille / Catégorie, "
            "Headcount / Effectif, Turnover / Chiffre d'affaires, Balance sheet / Total bilan, "
            "Year / Année.",
            intro=self.env._("No usable column")
            if len(missing) == 2
            else self.env._("Missing columns"),
            needs=self.env._(" and ").join(needs[code] for code in missing),
            found=", ".join(f"“{column}”" for column in found) or self.env._("none"),
        )
        return message

    def _pareto_issue_params(self, issue):
        """The parameters of a row issue as the user reads them: column
        labels, size labels and a formatted maximum."""
        params = dict(issue)
        if "column" in params:
            params["column"] = self._pareto_column_label(params["column"])
        if "maximum" in params:
            params["maximum"] = formatLang(self.env, params["maximum"], digits=0)
        for key in ("given", "computed"):
            if key in params:
                params[key] = self._pareto_size_label(params[key])
        return params

    def _pareto_row_issue_text(self, issue):
        """The user's sentence for a row issue of the engine (errors, warnings)."""
        code = issue["code"]
        if code == vendor_import.INVALID_IDENTIFIER:
            text = IDENTIFIER_ISSUE_TEXTS[issue["reason"]]
        elif code in ROW_ISSUE_TEXTS:
            text = ROW_ISSUE_TEXTS[code]
        else:
            return self._pareto_match_issue_text(issue)
        return self._pareto_phrase(text, self._pareto_issue_params(issue))

    def _pareto_match_issue_text(self, issue):
        """The user's sentence for a conflict found when matching."""
        code = issue["code"]
        partner = issue.get("partner")
        name = self.env["res.partner"].browse(partner).display_name if partner else ""
        if code == vendor_import.KEPT_MANUAL:
            return self.env._(
                "%(vendor)s: its size (%(current)s) was set by hand; the file says %(new)s.",
                vendor=name,
                current=self._pareto_size_label(issue["current"]),
                new=self._pareto_size_label(issue["new"]),
            )
        if code == vendor_import.KEPT_NEWER:
            return self.env._(
                "%(vendor)s: its size (%(current)s) is from %(year)s, more recent than the "
                "file's %(file_year)s.",
                vendor=name,
                current=self._pareto_size_label(issue["current"]),
                year=issue["year"],
                file_year=issue["new_year"],
            )
        if code == vendor_import.AMBIGUOUS_NAME:
            return self.env._(
                "Ambiguous name: %(count)s vendors are named “%(name)s”.",
                count=len(issue["ids"]),
                name=issue["name"],
            )
        if code == vendor_import.ROWS_DISAGREE:
            return self.env._(
                "%(vendor)s: rows %(rows)s of the file give different sizes.",
                vendor=name,
                rows=", ".join(map(str, issue["rows"])),
            )
        return code

    def _pareto_messages(self, result):
        """The row's messages (errors, warnings, conflicts) as one text."""
        issues = [*result.row.errors, *result.row.warnings, *result.messages]
        return " | ".join(self._pareto_row_issue_text(issue) for issue in issues)

    # ------------------------------------------------------------------
    # Reading and matching
    # ------------------------------------------------------------------

    def _pareto_read_rows(self):
        """(rows, frame attrs) of the uploaded file; UserError when unusable."""
        self.ensure_one()
        data = base64.b64decode(self.file or b"")
        try:
            frame = vendor_import.read_vendor_file(data, self.filename or "")
            rows = vendor_import.normalise_rows(frame)
        except (tabular.TableError, vendor_import.VendorFileError) as exc:
            raise UserError(
                self.env._(
                    "The file cannot be imported, nothing was written: %(error)s",
                    error=self._pareto_file_error_text(exc),
                )
            ) from exc
        for row in rows:
            if row.year is None:
                row.year = self.year
        return rows, dict(frame.attrs)

    @api.model
    def _pareto_partner_dicts(self):
        """The vendor companies the user sees, as the engine wants them (one query)."""
        partners = self.env["res.partner"].search_read(
            Domain("is_company", "=", True) | Domain("parent_id", "=", False),
            [*PARTNER_FIELDS, "pareto_size_year"],
        )
        for partner in partners:
            partner["siren"] = partner.pop("pareto_siren")
        return partners

    def _pareto_match(self, rows):
        """Match ``rows`` against the vendors as they are now."""
        self.ensure_one()
        return vendor_import.match_rows(
            rows, self._pareto_partner_dicts(), overwrite_manual=self.overwrite_manual
        )

    def _pareto_stored_rows(self):
        """The rows read at preview (the file is not read twice)."""
        return [vendor_import.ImportRow(**values) for values in self.rows_data or ()]

    @staticmethod
    def _pareto_signature(results):
        digest = hashlib.sha1(usedforsecurity=False)
        for result in results:
            digest.update(
                f"{result.row.row_number}:{result.status}:{result.partner_ids}\n".encode()
            )
        return digest.hexdigest()

    def _pareto_replace_lines(self, results):
        """Replace the preview lines by ``results``, set-based: a file of
        100,000 rows makes as many lines, too many for one ORM create each."""
        self.ensure_one()
        self.check_access("write")
        self.env.flush_all()
        self.env.cr.execute(
            SQL("DELETE FROM pareto_vendor_import_line WHERE wizard_id = %s", self.id)
        )
        columns = {
            "row_number": "int4",
            "siren": "varchar",
            "vat": "varchar",
            "name": "varchar",
            "size": "varchar",
            "year": "int4",
            "status": "varchar",
            "matched_by": "varchar",
            "partner_id": "int4",
            "partner_count": "int4",
            "message": "text",
        }
        values = {column: [] for column in columns}
        for result in results:
            row = result.row
            values["row_number"].append(row.row_number)
            values["siren"].append(row.siren)
            values["vat"].append(row.vat)
            values["name"].append(row.name)
            values["size"].append(row.size)
            values["year"].append(row.year)
            values["status"].append(result.status)
            values["matched_by"].append(result.matched_by)
            values["partner_id"].append(result.partner_id)
            values["partner_count"].append(len(result.partner_ids))
            values["message"].append(self._pareto_messages(result) or None)
        if results:
            self._pareto_insert_lines(columns, values)
        self.env["pareto.vendor.import.line"].invalidate_model()
        self.invalidate_recordset(
            [fname for fname, field in self._fields.items() if field.type == "one2many"]
        )

    def _pareto_insert_lines(self, columns, values):
        names = SQL(", ").join(SQL.identifier(column) for column in columns)
        self.env.cr.execute(
            SQL(
                """INSERT INTO pareto_vendor_import_line
                       (wizard_id, create_uid, write_uid, create_date, write_date, %s)
                   SELECT %s, %s, %s, now() AT TIME ZONE 'UTC', now() AT TIME ZONE 'UTC', %s
                     FROM unnest(%s) AS line(%s)""",
                names,
                self.id,
                self.env.uid,
                self.env.uid,
                SQL(", ").join(SQL.identifier("line", column) for column in columns),
                SQL(", ").join(
                    SQL("%s::%s[]", values[column], SQL(sql_type))
                    for column, sql_type in columns.items()
                ),
                names,
            )
        )

    def _pareto_file_description(self, attrs):
        """ "CSV, UTF-8, separator “;”", in the user's language."""
        if not attrs.get("encoding"):
            return attrs.get("format", "").upper()
        separator = attrs.get("separator")
        separator = self.env._("tab") if separator == "\t" else f"“{separator}”"
        return self.env._(
            "%(format)s, encoding %(encoding)s, separator %(separator)s",
            format=attrs.get("format", "").upper(),
            encoding=attrs["encoding"],
            separator=separator,
        )

    def _pareto_report_csv(self, results):
        """The per-row report (CSV) with translated headers, statuses and messages."""
        line_fields = self.env["pareto.vendor.import.line"]._fields
        statuses = dict(line_fields["status"]._description_selection(self.env))
        matched_by = dict(line_fields["matched_by"]._description_selection(self.env))
        size_labels = dict(line_fields["size"]._description_selection(self.env))
        # Each column's header and its value for a result.
        columns = [
            (self.env._("Row"), lambda result: result.row.row_number),
            ("SIREN", lambda result: result.row.siren),
            (self.env._("VAT"), lambda result: result.row.vat),
            (self.env._("Name"), lambda result: result.row.name),
            (self.env._("Size"), lambda result: size_labels.get(result.row.size, "")),
            (self.env._("Status"), lambda result: statuses[result.status]),
            (self.env._("Matched by"), lambda result: matched_by.get(result.matched_by, "")),
            (self.env._("Vendors"), lambda result: ",".join(map(str, result.partner_ids))),
            (self.env._("Messages"), self._pareto_messages),
        ]
        header = [title for title, _value in columns]
        rows = [[value(result) for _title, value in columns] for result in results]
        return tabular.csv_bytes(header, rows)

    def _pareto_store_results(self, results, attrs):
        """Replace the preview lines, counts and report by those of ``results``."""
        self.ensure_one()
        counts = dict.fromkeys(vendor_import.MATCH_STATUSES, 0)
        for result in results:
            counts[result.status] += 1
        signature = self._pareto_signature(results)
        # The vendors named in the messages, read in one query.
        named = {issue["partner"] for result in results for issue in result.messages}
        self.env["res.partner"].browse(named).mapped("display_name")
        if signature != self.preview_signature:
            self._pareto_replace_lines(results)
        stem = os.path.splitext(os.path.basename(self.filename or "vendors"))[0]
        self.write(
            {
                "preview_signature": signature,
                "file_description": self._pareto_file_description(attrs),
                "row_count": len(results),
                "matched_count": counts[vendor_import.MATCHED],
                "conflict_count": counts[vendor_import.CONFLICT],
                "unchanged_count": counts[vendor_import.UNCHANGED],
                "unmatched_count": counts[vendor_import.UNMATCHED],
                "error_count": counts[vendor_import.ERROR],
                "report_file": base64.b64encode(self._pareto_report_csv(results)),
                "report_filename": self.env._("%(name)s_report.csv", name=stem),
            }
        )

    def _pareto_reopen(self):
        return {
            "type": "ir.actions.act_window",
            "res_model": self._name,
            "res_id": self.id,
            "view_mode": "form",
            "target": "new",
            "name": self.env._("Import Vendor Sizes"),
        }

    # ------------------------------------------------------------------
    # Template
    # ------------------------------------------------------------------

    def _pareto_template_headers(self):
        """The template's column titles in the user's language; each is one of
        the headers the import recognises (checked by the tests)."""
        return {
            vendor_import.SIREN: "SIREN",
            vendor_import.SIRET: "SIRET",
            vendor_import.VAT: self.env._("VAT"),
            vendor_import.NAME: self.env._("Company name"),
            vendor_import.SIZE: self.env._("Size"),
            vendor_import.HEADCOUNT: self.env._("Headcount"),
            vendor_import.TURNOVER: self.env._("Turnover"),
            vendor_import.BALANCE_SHEET: self.env._("Balance sheet total"),
            vendor_import.YEAR: self.env._("Year"),
        }

    @api.depends_context("lang")
    def _compute_template_file(self):
        headers = self._pareto_template_headers()
        data = tabular.csv_bytes([headers[fld] for fld in vendor_import.TEMPLATE_FIELDS], [])
        for wizard in self:
            wizard.template_file = base64.b64encode(data)
            wizard.template_filename = self.env._("vendor_sizes_template.csv")

    def action_download_template(self):
        """Download an empty CSV with the columns the import expects."""
        self.ensure_one()
        return {
            "type": "ir.actions.act_url",
            "url": (
                f"/web/content/{self._name}/{self.id}/template_file/"
                f"{self.template_filename}?download=true"
            ),
            "target": "self",
        }

    # ------------------------------------------------------------------
    # Buttons
    # ------------------------------------------------------------------

    def action_preview(self):
        """Read and match the file; write nothing but the preview."""
        self.ensure_one()
        if self.state == "done":
            raise UserError(self.env._("This import is done: start a new one."))
        rows, attrs = self._pareto_read_rows()
        results = self._pareto_match(rows)
        self.write(
            {
                "rows_data": [vars(row) for row in rows],  # dataclass fields
                "file_attrs": attrs,
                "preview_signature": False,
                "state": "preview",
            }
        )
        self._pareto_store_results(results, attrs)
        return self._pareto_reopen()

    def action_back(self):
        self.ensure_one()
        self._pareto_replace_lines([])
        self.write({"state": "upload", "preview_signature": False, "rows_data": False})
        return self._pareto_reopen()

    def _pareto_partner_values(self, results):
        """``{partner id: vals}`` for the rows to apply: the size with its
        source and year, and the figures the file gives (the turnover with its
        year as financial year)."""
        values = {}
        for result in results:
            if result.status != vendor_import.MATCHED:
                continue
            row = result.row
            vals = {
                "pareto_size": row.size,
                "pareto_size_source": "import",
                "pareto_size_year": row.year or False,
            }
            if row.headcount is not None:
                vals["pareto_headcount"] = round(row.headcount)
            if row.turnover is not None:
                vals["pareto_turnover"] = row.turnover
                vals["pareto_finance_year"] = row.year or False
            if row.balance_sheet is not None:
                vals["pareto_balance_sheet"] = row.balance_sheet
            for partner_id in result.partner_ids:
                values[partner_id] = vals
        return values

    def action_import(self):
        """Write the sizes of the matched rows: all of them or, on any error, none.

        The rows read at preview are matched again against the vendors as
        they are now (and with the current "overwrite" choice), so that what
        is written is what the final preview shows.
        """
        self.ensure_one()
        if self.state != "preview":
            raise UserError(self.env._("Preview the file before importing it."))
        attrs = self.file_attrs or {}
        results = self._pareto_match(self._pareto_stored_rows())
        errors = [result for result in results if result.status == vendor_import.ERROR]
        if errors:  # the preview shows them; the transaction is rolled back anyway
            raise UserError(
                self.env._(
                    "%(count)s row(s) of the file have errors (first: row %(row)s, %(error)s). "
                    "Nothing was imported: correct the file (the report lists every row) and "
                    "upload it again.",
                    count=len(errors),
                    row=errors[0].row.row_number,
                    error=self._pareto_row_issue_text(errors[0].row.errors[0]),
                )
            )
        values = self._pareto_partner_values(results)
        partners = self.env["res.partner"]
        if not self.track_history:
            partners = partners.with_context(tracking_disable=True)
        try:
            with self.env.cr.savepoint():
                write_grouped(partners, values)
        except (UserError, ValueError) as exc:
            _logger.info("Vendor size import %s rolled back: %s", self.id, exc)
            raise UserError(
                self.env._(
                    "The import failed and nothing was written: %(error)s",
                    error=exc.args[0] if exc.args else repr(exc),
                )
            ) from exc
        self._pareto_store_results(results, attrs)
        self.write({"state": "done", "updated_count": len(values)})
        return self._pareto_reopen()

    def action_download_report(self):
        """Download the per-row report (CSV: status and messages of every row)."""
        self.ensure_one()
        if not self.report_file:
            raise UserError(self.env._("Preview the file first: the report lists its rows."))
        return {
            "type": "ir.actions.act_url",
            "url": (
                f"/web/content/{self._name}/{self.id}/report_file/"
                f"{self.report_filename}?download=true"
            ),
            "target": "self",
        }

    def action_open_vendors(self):
        """The vendors of the rows to update (or updated)."""
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": "res.partner",
            "name": self.env._("Imported Vendors"),
            "view_mode": "list,form",
            "views": [(False, "list"), (False, "form")],
            "domain": [("id", "in", self.matched_line_ids.partner_id.ids)],
            "target": "current",
        }
