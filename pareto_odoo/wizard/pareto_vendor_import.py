import base64
import hashlib
import logging
import os

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.fields import Domain
from odoo.tools import SQL

from ..engine import supplier_import
from ..tools.partner_writes import write_grouped

_logger = logging.getLogger(__name__)

MATCH_STATUS_SELECTION = [
    (supplier_import.MATCHED, "To update"),
    (supplier_import.CONFLICT, "Conflict"),
    (supplier_import.UNCHANGED, "Unchanged"),
    (supplier_import.UNMATCHED, "Unmatched"),
    (supplier_import.ERROR, "Error"),
]
PARTNER_FIELDS = ("pareto_siren", "vat", "name", "pareto_size", "pareto_size_source")


class ParetoSupplierImport(models.TransientModel):
    """Classify many vendors at once from a CSV or XLSX supplier list.

    Upload → preview (every row matched, conflicting, unchanged, unmatched or
    in error, nothing written) → import: the sizes of the matched rows are
    written in one transaction, all or nothing, with source ``import`` and the
    data year. A per-row report can be downloaded at every step.
    """

    _name = "pareto.supplier.import"
    _description = "Import Vendor Sizes"

    company_id = fields.Many2one(
        "res.company", required=True, readonly=True, default=lambda self: self.env.company
    )
    state = fields.Selection(
        [("upload", "Upload"), ("preview", "Preview"), ("done", "Done")],
        default="upload",
        required=True,
    )
    file = fields.Binary(string="Supplier List", attachment=False)
    filename = fields.Char(string="File Name")
    year = fields.Integer(
        string="Data Year",
        required=True,
        default=lambda self: fields.Date.context_today(self).year,
        help="Year of the sizes and figures of the file, for the rows that do not give one "
        "in a Year column. A vendor whose size is from a more recent year keeps it.",
    )
    overwrite_manual = fields.Boolean(
        string="Overwrite sizes set by hand",
        help="By default a size entered by hand on a vendor is kept and the row is "
        "reported as a conflict. Tick to replace it with the file's size.",
    )
    track_history = fields.Boolean(
        string="Log changes in the vendors' chatter",
        help="Post each size change in the vendor's history. Slower on large files.",
    )
    file_description = fields.Char(readonly=True)
    line_ids = fields.One2many("pareto.supplier.import.line", "wizard_id", string="All Rows")
    matched_line_ids = fields.One2many(
        "pareto.supplier.import.line",
        "wizard_id",
        domain=[("status", "=", supplier_import.MATCHED)],
        string="Rows to Update",
    )
    conflict_line_ids = fields.One2many(
        "pareto.supplier.import.line",
        "wizard_id",
        domain=[("status", "=", supplier_import.CONFLICT)],
        string="Conflicting Rows",
    )
    unchanged_line_ids = fields.One2many(
        "pareto.supplier.import.line",
        "wizard_id",
        domain=[("status", "=", supplier_import.UNCHANGED)],
        string="Unchanged Rows",
    )
    unmatched_line_ids = fields.One2many(
        "pareto.supplier.import.line",
        "wizard_id",
        domain=[("status", "=", supplier_import.UNMATCHED)],
        string="Unmatched Rows",
    )
    error_line_ids = fields.One2many(
        "pareto.supplier.import.line",
        "wizard_id",
        domain=[("status", "=", supplier_import.ERROR)],
        string="Rows in Error",
    )
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

    # ------------------------------------------------------------------
    # Reading and matching
    # ------------------------------------------------------------------

    def _pareto_read_rows(self):
        """(rows, frame attrs) of the uploaded file; UserError when unusable."""
        self.ensure_one()
        data = base64.b64decode(self.file or b"")
        try:
            frame = supplier_import.read_supplier_file(data, self.filename or "")
            rows = supplier_import.normalise_rows(frame)
        except supplier_import.SupplierFileError as exc:
            raise UserError(
                self.env._("The file cannot be imported, nothing was written: %s", str(exc))
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
        return supplier_import.match_rows(
            rows, self._pareto_partner_dicts(), overwrite_manual=self.overwrite_manual
        )

    def _pareto_stored_rows(self):
        """The rows read at preview (the file is not read twice)."""
        return [supplier_import.ImportRow(**values) for values in self.rows_data or ()]

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
            SQL("DELETE FROM pareto_supplier_import_line WHERE wizard_id = %s", self.id)
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
            messages = " | ".join([*row.errors, *row.warnings, *result.messages])
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
            values["message"].append(messages or None)
        if results:
            names = SQL(", ").join(SQL.identifier(column) for column in columns)
            self.env.cr.execute(
                SQL(
                    """INSERT INTO pareto_supplier_import_line
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
        self.env["pareto.supplier.import.line"].invalidate_model()
        self.invalidate_recordset(
            [fname for fname, field in self._fields.items() if field.type == "one2many"]
        )

    def _pareto_store_results(self, results, attrs):
        """Replace the preview lines, counts and report by those of ``results``."""
        self.ensure_one()
        counts = dict.fromkeys(supplier_import.MATCH_STATUSES, 0)
        for result in results:
            counts[result.status] += 1
        signature = self._pareto_signature(results)
        if signature != self.preview_signature:
            self._pareto_replace_lines(results)
        description = attrs.get("format", "").upper()
        if attrs.get("encoding"):
            description += f", {attrs['encoding']}, separator “{attrs.get('separator')}”"
        stem = os.path.splitext(os.path.basename(self.filename or "suppliers"))[0]
        self.write(
            {
                "preview_signature": signature,
                "file_description": description,
                "row_count": len(results),
                "matched_count": counts[supplier_import.MATCHED],
                "conflict_count": counts[supplier_import.CONFLICT],
                "unchanged_count": counts[supplier_import.UNCHANGED],
                "unmatched_count": counts[supplier_import.UNMATCHED],
                "error_count": counts[supplier_import.ERROR],
                "report_file": base64.b64encode(supplier_import.error_report_csv(results)),
                "report_filename": f"{stem}_report.csv",
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
        """``{partner id: vals}`` for the rows to apply."""
        values = {}
        for result in results:
            if result.status != supplier_import.MATCHED:
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
        errors = [result for result in results if result.status == supplier_import.ERROR]
        if errors:  # the preview shows them; the transaction is rolled back anyway
            raise UserError(
                self.env._(
                    "%(count)s row(s) of the file have errors (first: row %(row)s, %(error)s). "
                    "Nothing was imported: correct the file (the report lists every row) and "
                    "upload it again.",
                    count=len(errors),
                    row=errors[0].row.row_number,
                    error=errors[0].row.errors[0],
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
