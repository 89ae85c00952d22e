import io
import logging
import os
import time
import zipfile

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.fields import Domain
from odoo.tools import config

from ..engine import sirene_stock, sizes
from ..engine.sirene_stock import StockFileError
from ..tools.partner_writes import write_grouped
from .import_options import overwrite_manual_field, track_history_field

_logger = logging.getLogger(__name__)

CRON_XMLID = "pareto_odoo.ir_cron_pareto_sirene_job"
# Errors of the file itself (missing, unreadable, not a stock file): the job
# fails with the message and keeps its checkpoint. Anything else is a bug or a
# database error: the cron logs it and retries the job from its checkpoint.
FILE_ERRORS = (StockFileError, OSError, EOFError, zipfile.BadZipFile, ValueError)
COMPRESSIONS = {".zip": "zip", ".gz": "gzip", ".bz2": "bz2", ".xz": "xz", ".zst": "zstd"}
SOURCE_FIELDS = ("source", "file", "file_name", "file_path", "chunk_size", "company_ids")
COUNTERS = (
    "matched_count",
    "updated_count",
    "unchanged_count",
    "closed_count",
    "kept_manual_count",
    "kept_newer_count",
    "unknown_size_count",
)
# What a run leaves on the job besides its counters: forgotten at reset.
RUN_TRACES = ("file_signature", "date_start", "date_checkpoint", "date_end", "error_message")


class ParetoSireneJob(models.Model):
    """Classify the vendors from INSEE's Sirene stock file (StockUniteLegale).

    The file (~25 million rows, 3+ GB) is read by a cron job in chunks of
    ``chunk_size`` rows, only the needed columns, filtered on the vendors'
    SIRENs. After each chunk the sizes found are written (source
    ``registry``) together with the checkpoint (``rows_done``) and the
    counters, in one transaction: after an interruption the job resumes from
    the last checkpoint. Closed companies and the sizes kept (set by hand, or
    from a more recent year) are reported in ``line_ids``.
    """

    _name = "pareto.sirene.job"
    _description = "Sirene Stock Import"
    _order = "id desc"

    name = fields.Char(
        required=True,
        default=lambda self: self.env._(
            "Sirene import of %s", fields.Date.to_string(fields.Date.context_today(self))
        ),
    )
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company, index=True
    )
    company_ids = fields.Many2many(
        "res.company",
        string="Vendors Of",
        default=lambda self: self.env.companies,
        help="The vendors shared by all companies and those of these companies are classified.",
    )
    state = fields.Selection(
        [
            ("draft", "Draft"),
            ("queued", "Queued"),
            ("running", "In Progress"),
            ("done", "Done"),
            ("failed", "Failed"),
            ("cancelled", "Cancelled"),
        ],
        default="draft",
        required=True,
        readonly=True,
        copy=False,
    )
    source = fields.Selection(
        [("upload", "Uploaded file"), ("path", "File on the server")],
        default="upload",
        required=True,
        help="INSEE's full file is too big to upload through a browser: an administrator "
        "puts it on the server and gives its path. Small extracts can be uploaded.",
    )
    file = fields.Binary(string="Stock File", copy=False)
    file_name = fields.Char(copy=False)
    file_path = fields.Char(
        string="Server Path",
        groups="base.group_system",
        copy=False,
        help="Path of StockUniteLegale_utf8.zip (or .csv) on the Odoo server.",
    )
    overwrite_manual = overwrite_manual_field(
        help="By default a size entered by hand on a vendor is kept and reported.",
    )
    track_history = track_history_field(
        help="Post each size change in the vendor's history. Much slower on large imports.",
    )
    chunk_size = fields.Integer(
        default=sirene_stock.DEFAULT_CHUNKSIZE,
        required=True,
        help="Rows read and checkpointed at a time.",
    )
    file_signature = fields.Char(readonly=True, copy=False)
    rows_done = fields.Integer(string="Rows Read", readonly=True, copy=False)
    rows_total = fields.Integer(
        string="Rows in File",
        readonly=True,
        copy=False,
        help="Counted (or estimated, for a .zip) when the job starts.",
    )
    progress = fields.Float(compute="_compute_progress")
    vendor_count = fields.Integer(string="Vendors with a SIREN", readonly=True, copy=False)
    matched_count = fields.Integer(string="Found in the File", readonly=True, copy=False)
    updated_count = fields.Integer(string="Sizes Updated", readonly=True, copy=False)
    unchanged_count = fields.Integer(string="Unchanged", readonly=True, copy=False)
    closed_count = fields.Integer(string="Closed Companies", readonly=True, copy=False)
    kept_manual_count = fields.Integer(string="Set by Hand, Kept", readonly=True, copy=False)
    kept_newer_count = fields.Integer(string="More Recent, Kept", readonly=True, copy=False)
    unknown_size_count = fields.Integer(string="Size Unknown", readonly=True, copy=False)
    line_ids = fields.One2many("pareto.sirene.job.line", "job_id", string="Reported Vendors")
    date_start = fields.Datetime(string="Started", readonly=True, copy=False)
    date_checkpoint = fields.Datetime(string="Last Checkpoint", readonly=True, copy=False)
    date_end = fields.Datetime(string="Finished", readonly=True, copy=False)
    error_message = fields.Text(readonly=True, copy=False)

    _chunk_size_positive = models.Constraint(
        "CHECK(chunk_size > 0)", "The chunk size must be positive."
    )

    @api.depends("rows_done", "rows_total", "state")
    def _compute_progress(self):
        for job in self:
            if job.state == "done":
                job.progress = 100.0
            elif job.rows_total:
                job.progress = min(100.0, 100.0 * job.rows_done / job.rows_total)
            else:
                job.progress = 0.0

    def write(self, vals):
        if any(fname in vals for fname in SOURCE_FIELDS) and any(
            job.state != "draft" for job in self
        ):
            raise UserError(
                self.env._(
                    "The file of a started import cannot be changed: reset it to draft first."
                )
            )
        return super().write(vals)

    # ------------------------------------------------------------------
    # The file
    # ------------------------------------------------------------------

    def _pareto_source(self):
        """(path or file object, compression, signature) of the stock file.

        An uploaded file is read from the filestore when it is there (no copy
        in memory). The signature tells whether the file changed between two
        runs. UserError when there is no file.
        """
        self.ensure_one()
        self.check_access("read")  # the user's rights and companies, before elevating
        job = self.sudo()
        if job.source == "path":
            path = (job.file_path or "").strip()
            if not path:
                raise UserError(self.env._("Give the path of the stock file on the server."))
            if not os.path.isfile(path) or not os.access(path, os.R_OK):
                raise UserError(
                    self.env._("The file %s does not exist or cannot be read by Odoo.", path)
                )
            stat = os.stat(path)
            return path, "infer", f"{stat.st_size}:{stat.st_mtime_ns}"
        attachment = (
            self.env["ir.attachment"]
            .sudo()
            .search(
                [
                    ("res_model", "=", self._name),
                    ("res_id", "=", self.id),
                    ("res_field", "=", "file"),
                ],
                limit=1,
            )
        )
        if not attachment:
            raise UserError(self.env._("Upload the stock file (StockUniteLegale) first."))
        name = (self.file_name or "").lower()
        compression = next(
            (kind for suffix, kind in COMPRESSIONS.items() if name.endswith(suffix)), None
        )
        signature = f"{attachment.file_size}:{attachment.checksum}"
        if attachment.store_fname:
            return attachment._full_path(attachment.store_fname), compression, signature
        return io.BytesIO(attachment.raw), compression, signature

    def _pareto_check_file(self):
        """UserError unless the file is there and is a stock file (header checked)."""
        self.ensure_one()
        source, compression, _signature = self._pareto_source()
        try:
            iterator = sirene_stock.iter_stock_matches(source, (), compression=compression)
        except FILE_ERRORS as exc:
            raise UserError(self._pareto_file_error(exc)) from exc
        iterator.close()

    def _pareto_file_error(self, exc):
        """The user's sentence for a problem of the stock file."""
        if isinstance(exc, StockFileError):
            return self._pareto_stock_error_text(exc)
        if isinstance(exc, OSError):
            return self.env._("The stock file cannot be read: %s", exc.strerror or str(exc))
        return self.env._("The stock file cannot be read: %s", str(exc))

    def _pareto_stock_error_text(self, exc):
        params = exc.params
        if exc.code == sirene_stock.EMPTY:
            return self.env._("The Sirene stock file is empty.")
        if exc.code in (sirene_stock.NOT_UTF8_HEADER, sirene_stock.NOT_UTF8):
            return self.env._(
                "The Sirene stock file is not UTF-8 text (%(where)s): download INSEE's "
                "StockUniteLegale_utf8 file and use it as it is.",
                where=self.env._("in its header")
                if exc.code == sirene_stock.NOT_UTF8_HEADER
                else self.env._("after data row %(row)s", row=params["row"]),
            )
        if exc.code == sirene_stock.MISSING_COLUMNS:
            return self.env._(
                "This is not a Sirene StockUniteLegale file: missing column(s) %(missing)s. "
                "Columns found: %(found)s.",
                missing=", ".join(params["missing"]),
                found=", ".join(params["found"]) or self.env._("none"),
            )
        return self.env._(
            "The Sirene stock file could not be read after data row %(row)s: %(detail)s",
            row=params.get("row"),
            detail=params.get("detail"),
        )

    # ------------------------------------------------------------------
    # Buttons
    # ------------------------------------------------------------------

    def action_start(self):
        """Check the file and queue the job: the cron reads it in the background."""
        for job in self:
            if job.state != "draft":
                raise UserError(self.env._("Only a draft import can be started."))
            job._pareto_check_file()
        self.write({"state": "queued", "error_message": False})
        self._pareto_trigger_cron()
        return True

    def action_resume(self):
        """Resume a failed or cancelled job from its last checkpoint."""
        for job in self:
            if job.state not in ("failed", "cancelled"):
                raise UserError(self.env._("Only a failed or cancelled import can be resumed."))
        self.write({"state": "queued", "error_message": False})
        self._pareto_trigger_cron()
        return True

    def action_cancel(self):
        if any(job.state == "done" for job in self):
            raise UserError(self.env._("A finished import cannot be cancelled."))
        self.write({"state": "cancelled"})
        return True

    def action_reset(self):
        """Back to draft, forgetting the checkpoint, counters and report."""
        if any(job.state in ("queued", "running") for job in self):
            raise UserError(self.env._("Cancel the import before resetting it."))
        self.check_access("write")  # the user's rights and companies, before elevating
        self.line_ids.sudo().unlink()
        # Every count back to zero, the file's signature and the run's dates forgotten.
        vals = dict.fromkeys((*COUNTERS, "rows_done", "rows_total", "vendor_count"), 0)
        vals.update(dict.fromkeys(RUN_TRACES, False), state="draft")
        self.write(vals)
        return True

    def action_open_lines(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": "pareto.sirene.job.line",
            "name": self.env._("Reported Vendors"),
            "view_mode": "list",
            "domain": [("job_id", "=", self.id)],
            "context": {"search_default_group_kind": 1},
        }

    def _pareto_trigger_cron(self):
        cron = self.env.ref(CRON_XMLID, raise_if_not_found=False)
        if cron:
            cron.sudo()._trigger()

    # ------------------------------------------------------------------
    # Processing
    # ------------------------------------------------------------------

    @api.model
    def _pareto_time_budget(self):
        """Seconds a cron run may spend reading before it checkpoints and hands over:
        half of the worker's real-time limit, so that a run is never killed."""
        limit = config.get("limit_time_real_cron") or 0
        if limit <= 0:
            limit = config.get("limit_time_real") or 0
        return max(limit / 2, 10) if limit > 0 else 600

    @api.model
    def _cron_process(self):
        """Cron: advance the queued jobs, oldest first, within the time budget;
        re-trigger itself while work is left."""
        deadline = time.monotonic() + self._pareto_time_budget()
        jobs = self.search([("state", "in", ("queued", "running"))], order="id")
        for index, job in enumerate(jobs):
            if index and time.monotonic() >= deadline:
                break
            job._pareto_process(deadline=deadline)  # at least one chunk
        if self.search_count([("state", "in", ("queued", "running"))], limit=1):
            self._pareto_trigger_cron()
            self._pareto_commit()

    def _pareto_commit(self, processed=0):
        """Commit the work done (the checkpoint) when run by the cron."""
        if self.env.context.get("cron_id"):
            self.env["ir.cron"]._commit_progress(processed)

    def _pareto_vendors(self):
        """``{siren: [partner ids]}`` of the vendor companies in the job's scope (one query)."""
        self.ensure_one()
        domain = Domain.AND(
            [
                Domain("pareto_siren", "!=", False),
                Domain("is_company", "=", True) | Domain("parent_id", "=", False),
                Domain("company_id", "in", [False, *self.company_ids.ids]),
            ]
        )
        vendors = {}
        for partner in self.env["res.partner"].search_read(domain, ["pareto_siren"], order="id"):
            vendors.setdefault(partner["pareto_siren"], []).append(partner["id"])
        return vendors

    def _pareto_open(self):
        """Check the file against the job's and start it: ``(source,
        compression, vendors)``; UserError when the file changed."""
        source, compression, signature = self._pareto_source()
        if self.file_signature and signature != self.file_signature:
            raise UserError(
                self.env._(
                    "The stock file changed since this import started (%s rows were read). "
                    "Reset the import to read the new file from the start.",
                    self.rows_done,
                )
            )
        vendors = self._pareto_vendors()
        if self.state == "queued" and not self.date_start:
            self.write(
                {
                    "rows_total": sirene_stock.estimate_row_count(source, compression=compression)
                    or 0,
                    "vendor_count": sum(len(ids) for ids in vendors.values()),
                    "file_signature": signature,
                    "date_start": fields.Datetime.now(),
                }
            )
        self.state = "running"
        self._pareto_commit()
        return source, compression, vendors

    def _pareto_process(self, deadline=None, max_chunks=None):
        """Read the file from the checkpoint on, until its end, ``deadline``
        (``time.monotonic()``) or ``max_chunks`` chunks. True when finished."""
        self.ensure_one()
        if self.state not in ("queued", "running"):
            return self.state == "done"
        self.check_access("write")  # its report lines are then written as superuser
        try:
            source, compression, vendors = self._pareto_open()
            iterator = sirene_stock.iter_stock_matches(
                source,
                vendors,
                chunksize=self.chunk_size,
                start_offset_rows=self.rows_done,
                compression=compression,
            )
            chunks, previous = 0, self.rows_done
            for rows_read, matches in iterator:
                with self.env.cr.savepoint():
                    self._pareto_apply(matches, vendors, rows_read)
                self._pareto_commit(rows_read - previous)
                chunks, previous = chunks + 1, rows_read
                self.invalidate_recordset(["state"])  # cancelled meanwhile?
                if (
                    self.state != "running"
                    or (max_chunks and chunks >= max_chunks)
                    or (deadline and time.monotonic() >= deadline)
                ):
                    iterator.close()
                    return False
        except (UserError, *FILE_ERRORS) as exc:
            message = exc.args[0] if isinstance(exc, UserError) else self._pareto_file_error(exc)
            _logger.info("Sirene import %s failed: %s", self.id, message)
            self.write({"state": "failed", "error_message": message})
            self._pareto_commit()
            return False
        self.write(
            {"state": "done", "date_end": fields.Datetime.now(), "rows_total": self.rows_done}
        )
        self._pareto_commit()
        return True

    def _pareto_apply(self, matches, vendors, rows_read):
        """Apply the matches of one chunk and record the checkpoint ``rows_read``."""
        self.ensure_one()
        Partner = self.env["res.partner"]
        if not self.track_history:
            Partner = Partner.with_context(tracking_disable=True)
        partner_ids = [pid for match in matches for pid in vendors.get(match.siren, ())]
        current = {
            partner["id"]: partner
            for partner in Partner.search_read(
                [("id", "in", partner_ids)],
                ["pareto_size", "pareto_size_source", "pareto_size_year", "pareto_naf_code"],
            )
        }
        counts = dict.fromkeys(COUNTERS, 0)
        changes = {"sizes": {}, "naf": {}, "refreshed": [], "lines": []}
        for match in matches:
            for partner_id in vendors.get(match.siren, ()):
                partner = current.get(partner_id)
                if partner is not None:  # else deleted or archived since the job started
                    self._pareto_apply_match(match, partner, counts, changes)
        write_grouped(Partner, changes["sizes"])
        write_grouped(Partner, changes["naf"])
        if changes["refreshed"]:
            Partner.browse(changes["refreshed"]).write(
                {"pareto_registry_date": fields.Date.context_today(self)}
            )
        if changes["lines"]:
            self.env["pareto.sirene.job.line"].sudo().create(changes["lines"])
        vals = {fname: self[fname] + counts[fname] for fname in COUNTERS}
        vals.update(rows_done=rows_read, date_checkpoint=fields.Datetime.now())
        self.write(vals)

    def _pareto_apply_match(self, match, partner, counts, changes):
        """Count one vendor's match and collect what it changes (sizes, NAF
        codes, refresh dates, report lines) into ``changes``."""
        partner_id = partner["id"]
        counts["matched_count"] += 1
        outcome = self._pareto_outcome(match, partner)
        if outcome == "update":
            counts["updated_count"] += 1
            changes["sizes"][partner_id] = {
                "pareto_size": match.size,
                "pareto_size_source": "registry",
                "pareto_size_year": match.size_year or False,
            }
        elif outcome == "unchanged":
            counts["unchanged_count"] += 1
        else:
            counts[LINE_COUNTERS[outcome]] += 1
            changes["lines"].append(self._pareto_line_values(outcome, match, partner))
        if match.is_active:
            changes["refreshed"].append(partner_id)
            if match.naf_code and match.naf_code != partner["pareto_naf_code"]:
                changes["naf"][partner_id] = {"pareto_naf_code": match.naf_code}

    def _pareto_outcome(self, match, partner):
        """update / unchanged / closed / unknown / manual / newer for one vendor:
        a closed company is reported; otherwise the engine's one size rule
        decides (a size set by hand wins, a more recent year wins)."""
        if not match.is_active:
            return "closed"
        outcome = sizes.size_outcome(
            partner["pareto_size"],
            partner["pareto_size_source"],
            partner["pareto_size_year"],
            match.size,
            match.size_year,
            overwrite_manual=self.overwrite_manual,
        )
        return "update" if outcome in (sizes.UPDATE, sizes.REFRESH) else outcome

    def _pareto_line_values(self, outcome, match, partner):
        return {
            "job_id": self.id,
            "partner_id": partner["id"],
            "siren": match.siren,
            "kind": outcome,
            "registry_size": match.size or False,
            "registry_year": match.size_year or False,
            "registry_category": match.category or False,
            "registry_band": match.headcount_band or False,
            "current_size": partner["pareto_size"] or False,
            "current_size_source": partner["pareto_size_source"] or False,
            "current_size_year": partner["pareto_size_year"] or False,
        }


LINE_COUNTERS = {
    "closed": "closed_count",
    "unknown": "unknown_size_count",
    "manual": "kept_manual_count",
    "newer": "kept_newer_count",
}
