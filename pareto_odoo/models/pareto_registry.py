import logging

import psycopg2.errors
from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.fields import Domain
from odoo.modules.module import get_manifest

from ..engine import identifiers, registry, sizes

_logger = logging.getLogger(__name__)

URL_PARAM = "pareto_odoo.registry_url"
TIMEOUT_PARAM = "pareto_odoo.registry_timeout"
REFRESH_DAYS_PARAM = "pareto_odoo.registry_refresh_days"
BATCH_SIZE_PARAM = "pareto_odoo.registry_batch_size"

DEFAULT_TIMEOUT = 10.0
DEFAULT_REFRESH_DAYS = 180
DEFAULT_BATCH_SIZE = 50
# A user waits for the answer: never hold an HTTP worker long on a 429, nor
# behind too many other users' requests.
INTERACTIVE_MAX_WAIT = 5.0
CRON_MAX_WAIT = 30.0

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

ADDRESS_FIELDS = (
    "street",
    "street2",
    "zip",
    "city",
    "country_id",
    "partner_latitude",
    "partner_longitude",
)
SIZE_FIELDS = ("pareto_size", "pareto_size_source", "pareto_size_year")
# res.partner field of each profile value of the engine's RegistryCompany.
PROFILE_FIELDS = {
    "naf_code": "pareto_naf_code",
    "is_ess": "pareto_is_ess",
    "is_siae": "pareto_is_siae",
    "is_mission": "pareto_is_mission",
}
FINANCE_FIELDS = {
    "turnover": "pareto_turnover",
    "net_result": "pareto_net_result",
    "finance_year": "pareto_finance_year",
}


class ParetoRegistry(models.AbstractModel):
    """Gateway to the national company registry (API Recherche d'entreprises).

    Every registry request of the addon goes through the engine's client
    built by :meth:`_registry_client`: the configured base URL, its timeout
    (a deadline for each request), the addon's User-Agent, and a rate limiter
    whose slots are kept in PostgreSQL (``pareto.registry.slot``), so that
    all the workers of all the Odoo servers of the database share the
    registry's budget of 7 requests per second. The engine returns domain
    values and error codes; this model maps them to partner fields and
    phrases the messages in the user's language.
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
    def _registry_reserve_slot(self):
        """Seconds until the next request slot, booked for this caller (see
        ``pareto.registry.slot``); a database too busy to answer in time
        counts as the registry's budget being used up."""
        try:
            return self.env["pareto.registry.slot"].sudo()._reserve()
        except psycopg2.errors.LockNotAvailable as exc:
            raise registry.RegistryRateLimited(1.0) from exc

    @api.model
    def _registry_rate_limiter(self, interactive=True):
        """The limiter shared by every worker of every server of this database."""
        return registry.SlotLimiter(
            self._registry_reserve_slot,
            max_wait=INTERACTIVE_MAX_WAIT if interactive else CRON_MAX_WAIT,
        )

    @api.model
    def _registry_client(self, interactive=True):
        """A new engine client; use it as a context manager."""
        version = get_manifest("pareto_odoo").get("version") or "dev"
        return registry.RegistryClient(
            self._registry_base_url(),
            timeout=self._registry_param(TIMEOUT_PARAM, DEFAULT_TIMEOUT),
            user_agent=registry.default_user_agent(version),
            rate_limiter=self._registry_rate_limiter(interactive),
            max_retry_wait=INTERACTIVE_MAX_WAIT if interactive else CRON_MAX_WAIT,
        )

    @api.model
    def _registry_request(self, method, *args, **kwargs):
        """Call the client method ``method`` (``lookup_siren``, ``search``,
        ``iter_search``, ``near_point``, ``iter_near_point``) for a user action.

        Iterators are consumed before the connection closes. Registry failures
        become a :class:`UserError` in the user's language; nothing else is
        caught, so the caller's transaction is rolled back with it.
        """
        try:
            with self._registry_client(interactive=True) as client:
                result = getattr(client, method)(*args, **kwargs)
                if method.startswith("iter_"):
                    result = list(result)
                return result
        except registry.RegistryError as exc:
            raise UserError(self._registry_error_message(exc)) from exc

    @api.model
    def _registry_error_message(self, exc):
        """The user's sentence for a :class:`registry.RegistryError`."""
        params = exc.params
        if exc.code == registry.RATE_LIMITED:
            return self.env._(
                "The company registry is receiving too many requests; try again in "
                "%(seconds)s seconds.",
                seconds=max(1, round(exc.retry_after)),
            )
        if isinstance(exc, registry.RegistryUnavailable):
            reason = {
                registry.TIMEOUT: lambda: self.env._(
                    "it did not answer within %(seconds)s seconds", seconds=f"{params['seconds']:g}"
                ),
                registry.UNREACHABLE: lambda: self.env._("it could not be reached"),
                registry.SERVER_ERROR: lambda: self.env._(
                    "it answered with the error HTTP %(status)s", status=params["status"]
                ),
            }[exc.code]()
            return self.env._(
                "The company registry is unavailable or too slow (%(reason)s); try again "
                "later. Ordering and reporting are not affected.",
                reason=reason,
            )
        if isinstance(exc, registry.RegistryBadResponse):
            return self.env._("The company registry sent an unexpected response; try again later.")
        if exc.code == registry.REJECTED:
            return self.env._(
                "The company registry rejected the request (HTTP %(status)s): %(detail)s",
                status=params["status"],
                detail=params.get("detail") or "—",
            )
        if exc.code == registry.REDIRECTED:
            return self.env._(
                "The company registry redirected the request to another host (%(host)s): "
                "refused. Check the registry address in the system parameters.",
                host=params["host"],
            )
        return self.env._("The company registry request failed; try again later.")

    # ------------------------------------------------------------------
    # Registry values → partner fields
    # ------------------------------------------------------------------

    @api.model
    def _registry_country(self, zip_code, department):
        """Odoo country of a registry address (France or an overseas territory)."""
        code = OVERSEAS_ZIP_COUNTRY_CODES.get(zip_code or "") or OVERSEAS_COUNTRY_CODES.get(
            department or "", "FR"
        )
        return self.env["res.country"].search([("code", "=", code)], limit=1)

    @api.model
    def _registry_address_values(self, company):
        """Address and coordinates of the head office; ``{}`` when unknown.

        The address goes as a whole so that a move does not mix old and new
        parts; coordinates only when the registry gives both.
        """
        values = {}
        if company.street or company.zip or company.city:
            values.update(
                street=company.street or False,
                street2=company.street2 or False,
                zip=company.zip or False,
                city=company.city or False,
            )
            country = self._registry_country(company.zip, company.department)
            if country:
                values["country_id"] = country.id
        if company.latitude is not None and company.longitude is not None:
            values.update(partner_latitude=company.latitude, partner_longitude=company.longitude)
        return values

    @api.model
    def _registry_size_outcome(self, partner, company, overwrite_manual):
        """The engine's one size rule applied to ``partner`` (may be empty)."""
        return sizes.size_outcome(
            partner.pareto_size,
            partner.pareto_size_source,
            partner.pareto_size_year,
            company.size,
            company.size_year,
            overwrite_manual=overwrite_manual,
        )

    @api.model
    def _registry_profile_values(self, partner, company):
        """NAF code, ESS/SIAE/mission flags and the latest finances; what the
        registry does not know is left out. Finances older than the partner's
        are kept out too (a more recent year wins)."""
        values = {
            fname: getattr(company, key)
            for key, fname in PROFILE_FIELDS.items()
            if getattr(company, key) is not None
        }
        if sizes.finances_apply(partner.pareto_finance_year, company.finance_year):
            values.update(
                {fname: getattr(company, key) or 0.0 for key, fname in FINANCE_FIELDS.items()}
            )
            values["pareto_finance_year"] = company.finance_year
        return values

    @api.model
    def _registry_values(self, partner, company, overwrite_manual):
        """``(values, size outcome)`` to write on the commercial ``partner``
        (an empty recordset for a new vendor) from the registry's ``company``.

        The size trio is always written together, with its source: the new
        size when the rule lets it in, else the partner's own values, so that
        the profile's figures never recompute a size from figures behind the
        rule's back. The registry describes the head office: a vendor filed
        under the SIRET of another establishment keeps its address.
        """
        outcome = self._registry_size_outcome(partner, company, overwrite_manual)
        if outcome in (sizes.UPDATE, sizes.REFRESH):
            size_values = {
                "pareto_size": company.size,
                "pareto_size_source": "registry",
                "pareto_size_year": company.size_year or False,
            }
        else:
            size_values = {fname: partner[fname] for fname in SIZE_FIELDS} if partner else {}
        values = {**self._registry_profile_values(partner, company), **size_values}
        own_siret = identifiers.siret_of(partner.company_registry) if partner else None
        if not (own_siret and company.siret and own_siret != company.siret):
            values.update(self._registry_address_values(company))
        return values, outcome

    @api.model
    def _registry_new_partner_values(self, company):
        """``res.partner`` values of a new vendor company from the registry."""
        values, _outcome = self._registry_values(
            self.env["res.partner"], company, overwrite_manual=False
        )
        return {
            **values,
            "name": company.name or company.siren,
            "is_company": True,
            "company_registry": company.siret or company.siren,
            "pareto_registry_date": fields.Date.context_today(self),
            "supplier_rank": 1,
        }

    # ------------------------------------------------------------------
    # Updating a vendor
    # ------------------------------------------------------------------

    @api.model
    def _registry_check_user(self, partners):
        """AccessError unless the user is a buyer who may read ``partners``
        (record rules: their companies)."""
        if not self.env.su and not self.env.user.has_group("purchase.group_purchase_user"):
            raise AccessError(
                self.env._("Only purchase users can update vendors from the company registry.")
            )
        partners.check_access("read")

    @api.model
    def _registry_lookup_all(self, companies):
        """``[(partner, registry company)]``; UserError at the first problem."""
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
        return found

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
        self._registry_check_user(partners)
        found = self._registry_lookup_all(partners.commercial_partner_id)
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
        values, outcome = self._registry_values(partner, company, overwrite_manual)
        changes = [
            fname for fname, value in values.items() if not self._same(partner, fname, value)
        ]
        before = {fname: self._display(partner, fname) for fname in changes}
        # Changed fields only, but the size with its source and year, always.
        write = {fname: values[fname] for fname in changes}
        if any(fname in values for fname in SIZE_FIELDS):
            write.update({fname: values[fname] for fname in SIZE_FIELDS})
        partner.write({**write, "pareto_registry_date": today})
        lines = [
            Markup("<li>%s: %s → %s</li>")
            % (partner._fields[fname].string, before[fname], self._display(partner, fname))
            for fname in changes
        ]
        kept = self._kept_size_line(partner, company, outcome)
        if not (changes or kept or overwrite_manual or not company.is_active):
            return changes  # a scheduled refresh that changed nothing stays silent
        if not changes:
            lines = [Markup("<li>%s</li>") % self.env._("Nothing changed.")]
        if kept:
            lines.append(Markup("<li>%s</li>") % kept)
        partner.message_post(
            body=Markup("<p>%s</p><ul>%s</ul>")
            % (self._update_title(company), Markup("").join(lines)),
            subtype_xmlid="mail.mt_note",
        )
        return changes

    @api.model
    def _update_title(self, company):
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
        return title

    @api.model
    def _kept_size_line(self, partner, company, outcome):
        """Why the registry's size was not applied, or None."""
        labels = dict(partner._fields["pareto_size"]._description_selection(self.env))
        if outcome == sizes.KEPT_MANUAL:
            return self.env._(
                "The size set by hand was kept; the registry says %(size)s.",
                size=labels[company.size],
            )
        if outcome == sizes.KEPT_NEWER:
            return self.env._(
                "The size of %(year)s was kept, more recent than the registry's "
                "(%(size)s, %(registry_year)s).",
                year=partner.pareto_size_year,
                size=labels[company.size],
                registry_year=company.size_year,
            )
        return None

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
        if field.type == "boolean":
            return self.env._("Yes") if value else self.env._("No")
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
    def _refresh_batch(self, client, partners, skipped_ids):
        """Refresh ``partners``; ``(done, stop)``: stop when the registry is
        down or out of budget (the next run resumes). A vendor whose lookup
        fails on its own is added to ``skipped_ids``."""
        done = 0
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
                return done, True
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
        return done, False

    @api.model
    def _cron_refresh_vendors(self):
        """Refresh vendors whose registry data is missing or older than the
        configured number of days (system parameter
        ``pareto_odoo.registry_refresh_days``, default 180): size (a size set
        by hand is never overwritten), address, coordinates and profile.

        Oldest first (never refreshed first), in batches committed one by one:
        a run cut short by the cron's time limit or a registry outage resumes
        with the next vendor. A vendor whose lookup fails on its own is
        skipped for the rest of the run.
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
                done, stop = self._refresh_batch(client, partners, skipped_ids)
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
