import logging
import os

from markupsafe import Markup
from stdnum.fr import siret as stdnum_siret

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.fields import Domain
from odoo.tools import config

from ..engine import identifiers, registry

_logger = logging.getLogger(__name__)

URL_PARAM = "pareto_odoo.registry_url"
TIMEOUT_PARAM = "pareto_odoo.registry_timeout"
REFRESH_DAYS_PARAM = "pareto_odoo.registry_refresh_days"
BATCH_SIZE_PARAM = "pareto_odoo.registry_batch_size"

DEFAULT_TIMEOUT = 10.0
DEFAULT_REFRESH_DAYS = 180
DEFAULT_BATCH_SIZE = 50
# A user waits for the answer: never hold an HTTP worker long on a 429.
INTERACTIVE_MAX_RETRY_WAIT = 5.0
CRON_MAX_RETRY_WAIT = 30.0
RATE_FILE_NAME = "pareto_odoo_registry.rate"
# The registry accepts at most 7 requests per second per IP address. Requests
# are spaced evenly (one every 0.15 s, about 6.7 per second) rather than let
# through in bursts of 7 a second apart: a burst reaches the registry with
# some jitter and may then count 8 or more within one second on its side.
RATE_SPACING_SECONDS = 0.15

# Overseas départements and collectivities that Odoo files as countries of their own.
OVERSEAS_COUNTRY_CODES = {
    "971": "GP",
    "972": "MQ",
    "973": "GF",
    "974": "RE",
    "975": "PM",
    "976": "YT",
    "977": "BL",
    "978": "MF",
}
# Zip codes of the collectivities that still use Guadeloupe's zip prefix.
OVERSEAS_ZIP_COUNTRY_CODES = {"97133": "BL", "97150": "MF"}


def _siret_of(number):
    """The SIRET of a valid 14-digit SIRET, else None."""
    if not number or identifiers.registry_number_error(number) is not None:
        return None
    compact = stdnum_siret.compact(str(number))
    return compact if len(compact) == 14 else None


class ParetoRegistry(models.AbstractModel):
    """Gateway to the national company registry (API Recherche d'entreprises).

    Every registry request of the addon goes through :meth:`_registry_request`,
    which builds the engine's client with the configured base URL, an explicit
    timeout, the engine's descriptive User-Agent and a rate limiter whose file
    lives in Odoo's data directory: all workers of the server share it, hence
    share the registry's budget of 7 requests per second.
    """

    _name = "pareto.registry"
    _description = "National Company Registry"

    # ------------------------------------------------------------------
    # Client
    # ------------------------------------------------------------------

    @api.model
    def _registry_param(self, key, default, cast=float):
        value = self.env["ir.config_parameter"].sudo().get_param(key)
        try:
            value = cast(value) if value not in (None, False, "") else default
        except (TypeError, ValueError):
            _logger.warning("Ignoring the invalid system parameter %s=%r.", key, value)
            return default
        return value if value > 0 else default

    @api.model
    def _registry_base_url(self):
        url = (self.env["ir.config_parameter"].sudo().get_param(URL_PARAM) or "").strip()
        if not url.startswith(("https://", "http://")):
            return registry.DEFAULT_BASE_URL
        return url

    @api.model
    def _registry_rate_limiter(self):
        """The limiter shared by every worker of this Odoo server."""
        directory = config["data_dir"]
        try:
            os.makedirs(directory, mode=0o700, exist_ok=True)
            path = os.path.join(directory, RATE_FILE_NAME)
        except OSError:
            path = registry.default_lock_path()  # still shared by this OS user's processes
        return registry.RateLimiter(path, rate=1, period=RATE_SPACING_SECONDS)

    @api.model
    def _registry_client(self, interactive=True):
        """A new engine client; use it as a context manager."""
        return registry.RegistryClient(
            self._registry_base_url(),
            timeout=self._registry_param(TIMEOUT_PARAM, DEFAULT_TIMEOUT),
            rate_limiter=self._registry_rate_limiter(),
            max_retry_wait=INTERACTIVE_MAX_RETRY_WAIT if interactive else CRON_MAX_RETRY_WAIT,
        )

    @api.model
    def _registry_request(self, method, *args, **kwargs):
        """Call the client method ``method`` (``lookup_siren``, ``search``,
        ``iter_search``, ``near_point``, ``iter_near_point``) for a user action.

        Iterators are consumed before the connection closes. Registry failures
        become a :class:`UserError` with the engine's message; nothing else is
        caught, so the caller's transaction is rolled back with it.
        """
        try:
            with self._registry_client(interactive=True) as client:
                result = getattr(client, method)(*args, **kwargs)
                if method.startswith("iter_"):
                    result = list(result)
                return result
        except registry.RegistryRateLimited as exc:
            raise UserError(
                self.env._(
                    "The company registry is receiving too many requests; try again in "
                    "%(seconds)s seconds.",
                    seconds=max(1, round(exc.retry_after)),
                )
            ) from exc
        except registry.RegistryUnavailable as exc:
            raise UserError(
                self.env._(
                    "The company registry is unavailable or too slow; try again later. "
                    "Ordering and reporting are not affected. (%(detail)s)",
                    detail=str(exc),
                )
            ) from exc
        except registry.RegistryBadResponse as exc:
            raise UserError(
                self.env._("The company registry sent an unexpected response; try again later.")
            ) from exc
        except registry.RegistryError as exc:
            raise UserError(
                self.env._("The company registry request failed: %(detail)s", detail=str(exc))
            ) from exc

    # ------------------------------------------------------------------
    # Countries
    # ------------------------------------------------------------------

    @api.model
    def _registry_country(self, zip_code, department):
        """Odoo country of a registry address (France or an overseas territory)."""
        code = OVERSEAS_ZIP_COUNTRY_CODES.get(zip_code or "") or OVERSEAS_COUNTRY_CODES.get(
            department or "", "FR"
        )
        return self.env["res.country"].search([("code", "=", code)], limit=1)

    # ------------------------------------------------------------------
    # Updating a vendor
    # ------------------------------------------------------------------

    @api.model
    def _action_update_partners(self, partners):
        """The "Update from registry" button of ``res.partner``.

        Buyers may click it as well as procurement managers: the registry is
        the authority on a company's size and address, so the values are
        written as superuser once the user is known to be a buyer who can read
        the vendor. Being an explicit user action, it also replaces a size set
        by hand. Every lookup happens before anything is written; any failure
        raises a UserError, which rolls the whole update back.
        """
        if not self.env.su and not self.env.user.has_group("purchase.group_purchase_user"):
            raise AccessError(
                self.env._("Only purchase users can update vendors from the company registry.")
            )
        partners.check_access("read")
        companies = partners.commercial_partner_id
        found = []
        for partner in companies:
            number = partner.company_registry
            if not (number or "").strip():
                raise UserError(
                    self.env._(
                        "Set the SIREN or SIRET of “%(name)s” before updating it from the "
                        "company registry.",
                        name=partner.display_name,
                    )
                )
            error = identifiers.registry_number_error(number)
            if error:
                raise UserError(partner._pareto_registry_message(error, number))
            company = self._registry_request("lookup_siren", number)
            if company is None:
                raise UserError(
                    self.env._(
                        "The company registry knows no company with the SIREN %(siren)s "
                        "(“%(name)s”).",
                        siren=identifiers.siren_of(number),
                        name=partner.display_name,
                    )
                )
            found.append((partner, company))
        changed = closed = 0
        for partner, company in found:
            changes = self._apply_company(partner.sudo(), company, overwrite_manual=True)
            changed += bool(changes)
            closed += not company.is_active
        if closed:
            message, kind = self.env._("The registry lists this company as closed."), "warning"
        elif changed:
            message, kind = self.env._("Updated from the company registry."), "success"
        else:
            message, kind = self.env._("Already up to date with the company registry."), "info"
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "message": message,
                "type": kind,
                "next": {"type": "ir.actions.client", "tag": "soft_reload"},
            },
        }

    @api.model
    def _registry_values(self, partner, company, overwrite_manual):
        """Values to write on ``partner`` from the registry's ``company``.

        The name and the SIREN/SIRET stay as the user entered them. The
        registry describes the head office: a vendor filed under the SIRET of
        another establishment keeps its address and coordinates.
        """
        values = company.to_partner_values()
        for key in ("is_company", "name", "company_registry"):
            values.pop(key, None)
        own_siret = _siret_of(partner.company_registry)
        if own_siret and company.siret and own_siret != company.siret:
            for key in (
                "street",
                "street2",
                "zip",
                "city",
                "partner_latitude",
                "partner_longitude",
            ):
                values.pop(key, None)
        elif "zip" in values:
            country = self._registry_country(company.zip, company.department)
            if country:
                values["country_id"] = country.id
        if not overwrite_manual and partner.pareto_size_source == "manual":
            for key in ("pareto_size", "pareto_size_source", "pareto_size_year"):
                values.pop(key, None)
        return values

    @api.model
    def _apply_company(self, partner, company, overwrite_manual):
        """Write the registry's data on the commercial ``partner`` and post
        what changed in its chatter; return the changed field names.

        ``company`` None means the registry does not know the SIREN.
        """
        partner.ensure_one()
        today = fields.Date.context_today(self)
        if company is None:
            partner.write({"pareto_registry_date": today})
            partner.message_post(
                body=self.env._(
                    "The company registry knows no company with the SIREN %(siren)s.",
                    siren=partner.pareto_siren,
                ),
                subtype_xmlid="mail.mt_note",
            )
            return []
        values = self._registry_values(partner, company, overwrite_manual)
        changes = [
            fname for fname, value in values.items() if not self._same(partner, fname, value)
        ]
        before = {fname: self._display(partner, fname) for fname in changes}
        partner.write(
            {**{fname: values[fname] for fname in changes}, "pareto_registry_date": today}
        )
        lines = [
            Markup("<li>%s: %s → %s</li>")
            % (partner._fields[fname].string, before[fname], self._display(partner, fname))
            for fname in changes
        ]
        if company.is_active:
            title = self.env._("Updated from the company registry.")
        else:
            title = self.env._(
                "Updated from the company registry, which lists this company as closed."
            )
        if company.size_year:
            title = self.env._(
                "%(title)s Size data of %(year)s.", title=title, year=company.size_year
            )
        kept_manual = (
            partner.pareto_size_source == "manual"
            and company.size
            and company.size != partner.pareto_size
        )
        if not (changes or kept_manual or overwrite_manual or not company.is_active):
            return changes  # a scheduled refresh that changed nothing stays silent
        if not changes:
            lines = [Markup("<li>%s</li>") % self.env._("Nothing changed.")]
        if kept_manual:
            lines.append(
                Markup("<li>%s</li>")
                % self.env._(
                    "The size set by hand was kept; the registry says %(size)s.",
                    size=dict(partner._fields["pareto_size"]._description_selection(self.env))[
                        company.size
                    ],
                )
            )
        partner.message_post(
            body=Markup("<p>%s</p><ul>%s</ul>") % (title, Markup("").join(lines)),
            subtype_xmlid="mail.mt_note",
        )
        return changes

    @api.model
    def _same(self, partner, fname, value):
        field = partner._fields[fname]
        current = partner[fname]
        if field.type == "many2one":
            return current.id == (value or False)
        if field.type == "float":
            return round(current or 0.0, 7) == round(value or 0.0, 7)
        return (current or False) == (value or False)

    @api.model
    def _display(self, partner, fname):
        field = partner._fields[fname]
        value = partner[fname]
        if field.type == "many2one":
            return value.display_name or "—"
        if field.type == "selection":
            return dict(field._description_selection(self.env)).get(value) or "—"
        if value in (False, None, ""):
            return "—"
        return str(value)

    # ------------------------------------------------------------------
    # Scheduled refresh of vendors
    # ------------------------------------------------------------------

    @api.model
    def _registry_refresh_domain(self):
        days = int(self._registry_param(REFRESH_DAYS_PARAM, DEFAULT_REFRESH_DAYS, cast=int))
        stale_before = fields.Date.subtract(fields.Date.context_today(self), days=days)
        return Domain(
            [
                ("is_company", "=", True),
                ("pareto_siren", "!=", False),
                ("supplier_rank", ">", 0),
            ]
        ) & (
            Domain("pareto_registry_date", "=", False)
            | Domain("pareto_registry_date", "<", stale_before)
        )

    @api.model
    def _cron_refresh_vendors(self):
        """Refresh vendors whose registry data is missing or older than the
        configured number of days (system parameter
        ``pareto_odoo.registry_refresh_days``, default 180).

        Oldest first (never refreshed first), in batches committed one by one:
        a run cut short by the cron's time limit or a registry outage resumes
        with the next vendor. A size set by hand is never overwritten. A vendor
        whose lookup fails on its own is skipped for the rest of the run.
        """
        partners_model = self.env["res.partner"].sudo().with_context(active_test=True)
        batch_size = int(self._registry_param(BATCH_SIZE_PARAM, DEFAULT_BATCH_SIZE, cast=int))
        domain = self._registry_refresh_domain()
        cron = self.env["ir.cron"]
        skipped_ids = []
        cron._commit_progress(remaining=partners_model.search_count(domain))
        with self._registry_client(interactive=False) as client:
            while True:
                pending = domain & Domain("id", "not in", skipped_ids)
                partners = partners_model.search(
                    pending, order="pareto_registry_date ASC NULLS FIRST, id", limit=batch_size
                )
                if not partners:
                    cron._commit_progress(remaining=0)
                    return
                done, stop = 0, False
                for partner in partners:
                    try:
                        company = client.lookup_siren(partner.company_registry)
                    except (registry.RegistryUnavailable, registry.RegistryRateLimited) as exc:
                        _logger.warning(
                            "Registry refresh of vendors stopped after %s vendor(s), to resume "
                            "on the next run: %s",
                            done,
                            exc,
                        )
                        stop = True
                        break
                    except (registry.RegistryError, ValueError) as exc:
                        _logger.warning(
                            "Registry refresh skipped vendor %s (%s): %s",
                            partner.id,
                            partner.company_registry,
                            exc,
                        )
                        skipped_ids.append(partner.id)
                        continue
                    self._apply_company(partner, company, overwrite_manual=False)
                    done += 1
                if stop:
                    # Nothing remains for this run: retrying at once would only
                    # hit the outage again; the next scheduled run resumes here.
                    cron._commit_progress(done, remaining=0)
                    return
                remaining = partners_model.search_count(
                    domain & Domain("id", "not in", skipped_ids)
                )
                if not cron._commit_progress(done, remaining=remaining):
                    return  # out of time: the cron calls again, resuming here
