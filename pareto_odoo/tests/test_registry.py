"""The national company registry inside Odoo: vendor update button, scheduled
refresh and discovery of local SMEs, against the scripted stand-in of the API
served on 127.0.0.1 (never the internet) that the engine tests use too."""

import itertools
import statistics
import threading
import time
from datetime import timedelta
from unittest.mock import patch

from odoo import Command, fields, sql_db
from odoo.exceptions import AccessError, UserError
from odoo.tests import new_test_user, tagged

from ..engine import registry
from ..engine.tests.registry_server import FakeRegistry, Reply, Sirens, company, fixture, page
from ..models import pareto_registry_slot
from ..models.pareto_registry_slot import SPACING_SECONDS, reserve_slot
from .common import ParetoCase

REGISTRY_LOGGER = "odoo.addons.pareto_odoo.models.pareto_registry"


class RegistryCase(ParetoCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.fake = FakeRegistry().start()
        cls.addClassCleanup(cls.fake.stop)
        cls.env["ir.config_parameter"].set_param("pareto_odoo.registry_url", cls.fake.url)
        # "Today" in the timezone of whoever runs the action (they differ
        # around midnight when the demo data gives users a timezone).
        cls.today = fields.Date.context_today(cls.env["res.partner"])
        cls.buyer_today = fields.Date.context_today(cls.env["res.partner"].with_user(cls.buyer))

    def setUp(self):
        super().setUp()
        self.fake.reset()
        self.addCleanup(self.fake.released.set)  # never leave a delayed answer hanging

    @classmethod
    def _vendor(cls, name, number, **values):
        return cls.env["res.partner"].create(
            {
                "name": name,
                "is_company": True,
                "company_registry": number,
                "supplier_rank": 1,
                "zip": "75011",
                "city": "Paris",
                "country_id": cls.france.id,
                **values,
            }
        )


@tagged("post_install", "-at_install")
class TestRegistryUpdateButton(RegistryCase):
    def test_button_updates_size_address_coordinates_and_posts_the_changes(self):
        self.fake.lookup(Sirens.ATELIER, Reply(body=fixture("search_page1")))
        partner = self._vendor("Atelier graphique", Sirens.ATELIER)
        contact = self.env["res.partner"].create({"name": "Camille", "parent_id": partner.id})
        messages = partner.message_ids

        action = contact.with_user(self.buyer).action_pareto_registry_update()

        (received,) = self.fake.received
        self.assertEqual(received.path, "/search")
        self.assertEqual(received.params, {"q": Sirens.ATELIER, "page": "1", "per_page": "25"})
        self.assertTrue(received.headers["User-Agent"].startswith("pareto_odoo/19.0."))
        self.assertEqual(action["params"]["type"], "success")
        self.assertRecordValues(
            partner,
            [
                {
                    "name": "Atelier graphique",  # the user's name is kept
                    "company_registry": Sirens.ATELIER,
                    "pareto_size": "small",
                    "pareto_size_source": "registry",
                    "pareto_size_year": 2022,
                    "pareto_is_sme": True,
                    "street": "12 RUE PAUL VAILLANT COUTURIER",
                    "zip": "95100",
                    "city": "ARGENTEUIL",
                    "country_id": self.france.id,
                    "pareto_department": "95",
                    "partner_latitude": 48.947213,
                    "partner_longitude": 2.246817,
                    "pareto_naf_code": "18.12Z",
                    "pareto_registry_date": self.buyer_today,
                    # The registry's full profile: latest finances and flags.
                    "pareto_turnover": 1843000.0,
                    "pareto_net_result": 61200.0,
                    "pareto_finance_year": 2023,
                    "pareto_is_ess": True,
                    "pareto_is_siae": False,
                    "pareto_is_mission": False,
                }
            ],
        )
        self.assertEqual(contact.pareto_size, "small")
        self.assertTrue(contact.pareto_is_ess, "contacts show their company's profile")
        note = (partner.message_ids - messages).filtered(
            lambda message: "company registry" in message.body
        )
        self.assertEqual(len(note), 1)
        for text in ("Small enterprise (PE)", "75011", "95100", "ARGENTEUIL", "2022"):
            self.assertIn(text, note.body)

        # A second click finds nothing new to write.
        messages = partner.message_ids
        action = partner.with_user(self.buyer).action_pareto_registry_update()
        self.assertEqual(action["params"]["type"], "info")
        self.assertIn("Nothing changed", (partner.message_ids - messages).body)

    def test_button_replaces_a_size_set_by_hand(self):
        self.fake.lookup(Sirens.PAPETERIES, Reply(body=fixture("search_page1")))
        partner = self._vendor("Papeteries", f"{Sirens.PAPETERIES}00010")
        partner.with_user(self.manager).write({"pareto_size": "micro"})
        self.assertEqual(partner.pareto_size_source, "manual")

        partner.with_user(self.buyer).action_pareto_registry_update()

        self.assertRecordValues(
            partner,
            [{"pareto_size": "medium", "pareto_size_source": "registry", "pareto_size_year": 2021}],
        )
        # The buyer refreshed the size through the registry, not by hand.
        with self.assertRaises(AccessError):
            partner.with_user(self.buyer).write({"pareto_size": "small"})

    def test_other_establishment_keeps_its_address(self):
        # 84215367800029 is a valid SIRET of the company, but not its head office.
        self.fake.lookup(Sirens.ATELIER, Reply(body=fixture("search_page1")))
        partner = self._vendor("Atelier, Paris site", "84215367800029")
        partner.action_pareto_registry_update()
        self.assertRecordValues(
            partner,
            [
                {
                    "zip": "75011",
                    "city": "Paris",
                    "partner_latitude": 0.0,
                    "pareto_size": "small",
                    "pareto_naf_code": "18.12Z",
                    "company_registry": "84215367800029",
                }
            ],
        )

    def test_group_subsidiary_is_large(self):
        self.fake.lookup(Sirens.PROPRETE, Reply(body=fixture("search_group_subsidiary")))
        partner = self._vendor("Propreté services", Sirens.PROPRETE)
        partner.action_pareto_registry_update()
        self.assertRecordValues(
            partner, [{"pareto_size": "large", "pareto_is_sme": False, "zip": "92000"}]
        )

    def test_closed_company_is_reported(self):
        self.fake.lookup(Sirens.LEFEBVRE, Reply(body=fixture("search_closed")))
        partner = self._vendor("Imprimerie Lefebvre", Sirens.LEFEBVRE, pareto_size="small")
        messages = partner.message_ids
        action = partner.action_pareto_registry_update()
        self.assertEqual(action["params"]["type"], "warning")
        self.assertIn("closed", (partner.message_ids - messages).body)
        # The registry has no size for it: the known one is kept.
        self.assertRecordValues(
            partner, [{"pareto_size": "small", "zip": "95200", "pareto_registry_date": self.today}]
        )

    def test_invalid_or_unknown_numbers(self):
        partner = self._vendor("Bad number", "842153679")
        with self.assertRaisesRegex(UserError, "check digit"):
            partner.with_user(self.buyer).action_pareto_registry_update()
        partner.company_registry = False
        with self.assertRaisesRegex(UserError, "Set the SIREN or SIRET"):
            partner.with_user(self.buyer).action_pareto_registry_update()
        self.assertEqual(self.fake.received, [])

        self.fake.lookup(Sirens.ATELIER, Reply(body=fixture("search_empty")))
        partner.company_registry = Sirens.ATELIER
        with self.assertRaisesRegex(UserError, "knows no company with the SIREN 842153678"):
            partner.action_pareto_registry_update()
        self.assertFalse(partner.pareto_registry_date)

    def test_only_buyers_use_the_button(self):
        partner = self._vendor("Atelier", Sirens.ATELIER)
        employee = new_test_user(self.env, login="pareto_employee", groups="base.group_user")
        with self.assertRaises(AccessError):
            partner.with_user(employee).action_pareto_registry_update()
        self.assertEqual(self.fake.received, [])

    def _assert_failure_writes_nothing(self, partner, message_pattern):
        before = partner.read(["zip", "pareto_size", "pareto_registry_date"])
        messages = partner.message_ids
        with self.assertRaisesRegex(UserError, message_pattern):
            partner.with_user(self.buyer).action_pareto_registry_update()
        self.env.invalidate_all()
        self.assertEqual(partner.read(["zip", "pareto_size", "pareto_registry_date"]), before)
        self.assertEqual(partner.message_ids, messages)

    def test_server_error_writes_nothing(self):
        self.fake.lookup(Sirens.ATELIER, Reply(500, "<html>Internal Server Error</html>"))
        partner = self._vendor("Atelier", Sirens.ATELIER, pareto_size="medium")
        self._assert_failure_writes_nothing(partner, r"unavailable.*HTTP 500")
        self.assertEqual(len(self.fake.received), 1)

    def test_malformed_json_writes_nothing(self):
        self.fake.lookup(Sirens.ATELIER, Reply(body='{"results": ['))
        partner = self._vendor("Atelier", Sirens.ATELIER)
        self._assert_failure_writes_nothing(partner, "unexpected response")

    def _assert_cut_at_the_deadline(self, reply):
        """A 1 s registry timeout ends the call after 1 s, whatever the server
        does, and writes nothing (Odoo's test harness raises socket timeouts
        to 10 s: the deadline does not depend on them)."""
        self.env["ir.config_parameter"].set_param("pareto_odoo.registry_timeout", "1")
        self.fake.lookup(Sirens.ATELIER, reply)
        partner = self._vendor("Atelier", Sirens.ATELIER)
        started = time.monotonic()
        self._assert_failure_writes_nothing(partner, "did not answer within 1 seconds")
        self.assertLess(time.monotonic() - started, 5)

    def test_timeout_writes_nothing(self):
        self._assert_cut_at_the_deadline(Reply(body=fixture("search_page1"), delay=60))

    def test_trickling_registry_is_cut_at_the_deadline(self):
        # One byte every 0.5 s: each read succeeds, the whole answer would take minutes.
        self._assert_cut_at_the_deadline(Reply(body=fixture("search_page1"), trickle=0.5))

    def test_rate_limited_honours_retry_after_then_gives_up(self):
        self.fake.lookup(
            Sirens.ATELIER,
            Reply(429, {"erreur": "Too many requests"}, headers={"Retry-After": "1"}),
            Reply(body=fixture("search_page1")),
        )
        partner = self._vendor("Atelier", Sirens.ATELIER)
        partner.with_user(self.buyer).action_pareto_registry_update()
        self.assertEqual(len(self.fake.received), 2)
        self.assertEqual(partner.pareto_size, "small")

        # A delay longer than a user can wait: one clear error, no retry.
        self.fake.reset()
        self.fake.lookup(Sirens.PAPETERIES, Reply(429, headers={"Retry-After": "120"}))
        partner = self._vendor("Papeteries", Sirens.PAPETERIES)
        self._assert_failure_writes_nothing(partner, "too many requests; try again in 120 seconds")
        self.assertEqual(len(self.fake.received), 1)

    def test_oversized_answer_and_foreign_redirect_write_nothing(self):
        partner = self._vendor("Atelier", Sirens.ATELIER)
        # A 10 MB company name: the answer is refused before anything is stored.
        self.fake.lookup(
            Sirens.ATELIER, Reply(body=page(company(Sirens.ATELIER, nom_complet="A" * 10**7)))
        )
        self._assert_failure_writes_nothing(partner, "unexpected response")
        self.fake.reset()
        self.fake.lookup(Sirens.ATELIER, Reply(302, headers={"Location": "https://evil.example/"}))
        self._assert_failure_writes_nothing(partner, "another host .evil.example.")
        self.assertEqual(len(self.fake.received), 1)

    def test_invalid_registry_values_are_not_stored(self):
        """A year beyond int4, a NAF code sent as a float, a name longer than
        any company's: validated in the engine, never written."""
        odd = company(
            Sirens.ATELIER,
            nom_raison_sociale="A" * 5000,
            activite_principale=18.12,
            annee_categorie_entreprise="99999999999",
            annee_tranche_effectif_salarie=99999999999,
            finances={"2023": {"ca": 10**30, "resultat_net": 5000}},
        )
        self.fake.lookup(Sirens.ATELIER, Reply(body=page(odd)))
        partner = self._vendor("Atelier", Sirens.ATELIER, pareto_naf_code="18.12Z")
        partner.with_user(self.buyer).action_pareto_registry_update()
        self.assertRecordValues(
            partner,
            [
                {
                    "name": "Atelier",
                    "pareto_naf_code": "18.12Z",  # kept: the registry's is not a NAF code
                    "pareto_size": "small",
                    "pareto_size_source": "registry",
                    "pareto_size_year": 0,
                    "pareto_turnover": 0.0,
                    "pareto_net_result": 5000.0,
                    "pareto_finance_year": 2023,
                }
            ],
        )

    def test_button_keeps_a_size_of_a_more_recent_year(self):
        """The one size rule of the engine: a more recent year wins, here too."""
        self.fake.lookup(Sirens.ATELIER, Reply(body=fixture("search_page1")))
        partner = self._vendor(
            "Atelier",
            Sirens.ATELIER,
            pareto_size="medium",
            pareto_size_source="import",
            pareto_size_year=2024,
        )
        messages = partner.message_ids
        partner.with_user(self.buyer).action_pareto_registry_update()
        self.assertRecordValues(
            partner,
            [
                {
                    "pareto_size": "medium",
                    "pareto_size_source": "import",
                    "pareto_size_year": 2024,
                    "zip": "95100",
                    "pareto_turnover": 1843000.0,
                }
            ],
        )
        note = (partner.message_ids - messages).filtered(lambda m: "more recent" in m.body)
        self.assertIn("Small enterprise (PE), 2022", note.body)


@tagged("post_install", "-at_install")
class TestRegistryCron(RegistryCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # Other vendors of the database (demo data) are fresh: only ours are due.
        cls.env["res.partner"].search(
            [("pareto_siren", "!=", False)]
        ).pareto_registry_date = cls.today
        cls.env["ir.config_parameter"].set_param("pareto_odoo.registry_batch_size", "2")
        old = cls.today - timedelta(days=400)
        older = cls.today - timedelta(days=800)
        cls.never = cls._vendor("Atelier", Sirens.ATELIER)
        cls.oldest = cls._vendor("Papeteries", Sirens.PAPETERIES, pareto_registry_date=older)
        cls.old = cls._vendor("Cartonnages", Sirens.CARTONNAGES, pareto_registry_date=old)
        cls.never_2 = cls._vendor("Propreté", Sirens.PROPRETE)
        cls.fresh = cls._vendor(
            "Lefebvre", Sirens.LEFEBVRE, pareto_registry_date=cls.today - timedelta(days=30)
        )
        cls.customer = cls._vendor("Customer", f"{Sirens.ATELIER}00011", supplier_rank=0)
        cls.expected_order = [
            Sirens.ATELIER,
            Sirens.PROPRETE,
            Sirens.PAPETERIES,
            Sirens.CARTONNAGES,
        ]

    def setUp(self):
        super().setUp()
        self._script_lookups()

    def _script_lookups(self, **overrides):
        """Every vendor's lookup answers its fixture, unless overridden."""
        self.fake.reset()
        self.progress = []
        replies = {
            Sirens.ATELIER: Reply(body=fixture("search_page1")),
            Sirens.PAPETERIES: Reply(body=fixture("search_page1")),
            Sirens.CARTONNAGES: Reply(body=fixture("search_page2")),
            Sirens.PROPRETE: Reply(body=fixture("search_group_subsidiary")),
            Sirens.LEFEBVRE: Reply(body=fixture("search_closed")),
        }
        replies.update(overrides)
        for siren, reply in replies.items():
            self.fake.lookup(siren, reply)

    def _run_cron(self, budgets=()):
        """Run the scheduled action; ``budgets``: seconds left returned by
        the successive progress commits (then unlimited)."""
        budgets = list(budgets)

        def commit_progress(cron, processed=0, *, remaining=None, deactivate=False):
            self.progress.append((processed, remaining))
            return budgets.pop(0) if budgets else float("inf")

        with patch.object(self.registry["ir.cron"], "_commit_progress", commit_progress):
            self.env["pareto.registry"]._cron_refresh_vendors()

    def test_refreshes_due_vendors_oldest_first_in_batches(self):
        self._run_cron()
        self.assertEqual(self.fake.queries(), self.expected_order)
        # Announced, then two batches of two, then nothing left.
        self.assertEqual(self.progress, [(0, 4), (2, 2), (2, 0), (0, 0)])
        due = self.never | self.oldest | self.old | self.never_2
        self.assertEqual(set(due.mapped("pareto_registry_date")), {self.today})
        self.assertRecordValues(
            due,
            [
                {"pareto_size": "small", "pareto_size_source": "registry", "zip": "95100"},
                {"pareto_size": "medium", "pareto_size_source": "registry", "zip": "93100"},
                {"pareto_size": "small", "pareto_size_source": "registry", "zip": "93000"},
                {"pareto_size": "large", "pareto_size_source": "registry", "zip": "92000"},
            ],
        )
        self.assertEqual(self.fresh.zip, "75011")
        self.assertEqual(self.customer.zip, "75011")

    def test_resumes_where_it_stopped_when_out_of_time(self):
        self._run_cron(budgets=[float("inf"), 0])
        self.assertEqual(self.fake.queries(), self.expected_order[:2])
        self.assertEqual(self.progress, [(0, 4), (2, 2)])
        self.assertNotEqual(self.oldest.pareto_registry_date, self.today)

        self.fake.received.clear()
        self._run_cron()
        self.assertEqual(self.fake.queries(), self.expected_order[2:])
        self.assertEqual(self.oldest.pareto_registry_date, self.today)

    def test_never_overwrites_a_size_set_by_hand(self):
        self.never.with_user(self.manager).write({"pareto_size": "medium"})
        messages = self.never.message_ids
        self._run_cron()
        self.assertRecordValues(
            self.never,
            [
                {
                    "pareto_size": "medium",
                    "pareto_size_source": "manual",
                    "zip": "95100",
                    "pareto_registry_date": self.today,
                }
            ],
        )
        note = (self.never.message_ids - messages).filtered(lambda msg: "by hand" in msg.body)
        self.assertIn("the registry says Small enterprise (PE)", note.body)

    def test_outage_stops_the_run_cleanly_and_the_next_run_resumes(self):
        self._script_lookups(**{Sirens.PROPRETE: Reply(503, "Service Unavailable")})
        with self.assertLogs(REGISTRY_LOGGER, "WARNING") as logs:
            self._run_cron()
        self.assertIn("stopped after 1 vendor(s)", logs.output[0])
        self.assertEqual(self.fake.queries(), [Sirens.ATELIER, Sirens.PROPRETE])
        # Nothing left for this run: no retry against a registry that is down.
        self.assertEqual(self.progress, [(0, 4), (1, 0)])
        self.assertEqual(self.never.pareto_registry_date, self.today)
        self.assertFalse(self.never_2.pareto_registry_date)

        self._script_lookups()
        self._run_cron()
        self.assertEqual(
            self.fake.queries(), [Sirens.PROPRETE, Sirens.PAPETERIES, Sirens.CARTONNAGES]
        )
        self.assertEqual(self.never_2.pareto_size, "large")

    def test_a_vendor_that_fails_alone_is_skipped(self):
        self._script_lookups(**{Sirens.PROPRETE: Reply(body={"results": "none"})})
        with self.assertLogs(REGISTRY_LOGGER, "WARNING") as logs:
            self._run_cron()
        self.assertIn(f"skipped vendor {self.never_2.id}", logs.output[0])
        self.assertEqual(
            self.fake.queries(),
            [Sirens.ATELIER, Sirens.PROPRETE, Sirens.PAPETERIES, Sirens.CARTONNAGES],
        )
        self.assertFalse(self.never_2.pareto_registry_date)
        self.assertEqual(self.progress[-1], (0, 0))

    def test_unknown_siren_is_marked_as_checked(self):
        self._script_lookups(**{Sirens.CARTONNAGES: Reply(body=fixture("search_empty"))})
        self._run_cron()
        self.assertEqual(self.old.pareto_registry_date, self.today)
        self.assertEqual(self.old.zip, "75011")
        notes = self.old.message_ids.filtered(lambda msg: "knows no company" in msg.body)
        self.assertEqual(len(notes), 1)

    def test_profile_is_refreshed_and_a_size_set_by_hand_is_kept(self):
        # With a headcount the size can be computed from figures: writing the
        # registry's turnover must not recompute it behind the size rule's back.
        self.never.with_user(self.manager).write({"pareto_size": "large", "pareto_headcount": 5})
        self.assertEqual(self.never.pareto_size_source, "manual")
        self._run_cron()
        self.assertRecordValues(
            self.never,
            [
                {
                    "pareto_size": "large",
                    "pareto_size_source": "manual",
                    "pareto_headcount": 5,
                    "pareto_turnover": 1843000.0,
                    "pareto_net_result": 61200.0,
                    "pareto_finance_year": 2023,
                    "pareto_is_ess": True,
                }
            ],
        )
        self.assertRecordValues(self.never_2, [{"pareto_size": "large", "pareto_is_mission": True}])
        self.assertTrue(self.oldest.pareto_is_siae)

    def test_scheduled_action_is_installed(self):
        cron = self.env.ref("pareto_odoo.ir_cron_pareto_registry_refresh")
        self.assertTrue(cron.active)
        self.assertEqual(cron.code.strip(), "model._cron_refresh_vendors()")
        self.assertEqual(cron.model_id.model, "pareto.registry")


@tagged("post_install", "-at_install")
class TestRegistryDiscovery(RegistryCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.family_it.naf_codes = "18.12Z, 17.23Z"
        cls.order = cls._create_order(
            cls.vendor_large, [(cls.licence, 1, 100.0)], confirm=False
        )  # Software: no NAF codes of its own, inherits IT's
        cls.action = cls.env.ref("pareto_odoo.action_pareto_registry_discovery")

    def _open(self, order=None, user=None):
        order = order or self.order
        action = (
            self.action.with_user(user or self.buyer)
            .with_context(active_model="purchase.order", active_id=order.id, active_ids=order.ids)
            .run()
        )
        self.assertEqual(action["res_model"], "pareto.registry.discovery")
        return (
            self.env["pareto.registry.discovery"]
            .with_user(user or self.buyer)
            .browse(action["res_id"])
        )

    def _reply_search(self):
        self.fake.reply("/search", Reply(body=fixture("search_page1")), page="1")
        self.fake.reply("/search", Reply(body=fixture("search_page2")), page="2")

    def test_lists_new_local_smes_and_creates_a_vendor_once(self):
        self._reply_search()
        # Already present (archived, even): never listed nor created again.
        known = self._vendor("Papeteries", f"{Sirens.PAPETERIES}00010", active=False)

        wizard = self._open()

        self.assertEqual([received.path for received in self.fake.received], ["/search"] * 2)
        params = self.fake.received[0].params
        self.assertEqual(
            {key: params[key] for key in params if key not in ("page", "per_page")},
            {
                "activite_principale": "18.12Z,17.23Z",
                "departement": "75,77,78,91,92,93,94,95",
                "categorie_entreprise": "PME",
                "etat_administratif": "A",
            },
        )
        self.assertEqual((wizard.found_count, wizard.known_count), (3, 1))
        self.assertEqual(wizard.family_ids, self.family_software)
        self.assertRecordValues(
            wizard.line_ids,
            [
                {
                    "siren": Sirens.ATELIER,
                    "pareto_size": "small",
                    "is_local": True,
                    "department": "95",
                    "family_id": self.family_software.id,
                },
                {
                    "siren": Sirens.CARTONNAGES,
                    "pareto_size": "small",
                    "is_local": True,
                    "department": "93",
                    "family_id": self.family_software.id,
                },
            ],
        )

        atelier_line = wizard.line_ids[0]
        action = atelier_line.action_create_vendor()
        self.assertEqual(action["res_id"], wizard.id)
        vendor = atelier_line.partner_id
        self.assertRecordValues(
            vendor,
            [
                {
                    "name": "ATELIER GRAPHIQUE DU PARISIS",
                    "is_company": True,
                    "company_registry": "84215367800011",
                    "pareto_siren": Sirens.ATELIER,
                    "pareto_size": "small",
                    "pareto_size_source": "registry",
                    "pareto_size_year": 2022,
                    "pareto_is_sme": True,
                    "zip": "95100",
                    "country_id": self.france.id,
                    "pareto_department": "95",
                    "partner_latitude": 48.947213,
                    "pareto_naf_code": "18.12Z",
                    "pareto_registry_date": self.buyer_today,
                    "supplier_rank": 1,
                }
            ],
        )
        with self.assertRaises(UserError):
            atelier_line.action_create_vendor()

        # Someone adds Cartonnages meanwhile: the stale line does not duplicate it.
        self._vendor("Cartonnages", Sirens.CARTONNAGES)
        with self.assertRaisesRegex(UserError, "already exists"):
            wizard.line_ids[1].action_create_vendor()
        partners = self.env["res.partner"].with_context(active_test=False)
        for siren in (Sirens.ATELIER, Sirens.CARTONNAGES, Sirens.PAPETERIES):
            self.assertEqual(partners.search_count([("pareto_siren", "=", siren)]), 1)
        self.assertTrue(known.exists())

        # A new search no longer lists them.
        self.fake.reset()
        self._reply_search()
        wizard = self._open()
        self.assertEqual((wizard.found_count, wizard.known_count), (3, 3))
        self.assertFalse(wizard.line_ids)

    def test_candidates_are_written_by_the_server_only(self):
        self._reply_search()
        wizard = self._open()
        line = wizard.line_ids[0]
        Line = self.env["pareto.registry.discovery.line"].with_user(self.buyer)
        forged = {
            "wizard_id": wizard.id,
            "siren": Sirens.DUBOIS,
            "name": "Forged",
            "pareto_size": "micro",
        }
        with self.assertRaises(AccessError):
            Line.create(forged)
        with self.assertRaises(AccessError):
            wizard.write({"line_ids": [Command.create(forged)]})
        with self.assertRaises(AccessError):
            line.write({"pareto_size": "micro", "siren": Sirens.PROPRETE})

    def test_create_vendor_reads_the_registry_again(self):
        """Whatever a line holds, the vendor is what the registry says now."""
        self._reply_search()
        wizard = self._open()
        line = wizard.line_ids.filtered(lambda candidate: candidate.siren == Sirens.ATELIER)
        # Even a line altered in the database is not trusted.
        self.env.cr.execute(
            "UPDATE pareto_registry_discovery_line SET name = 'Forged', pareto_size = 'micro',"
            " size_year = 2099 WHERE id = %s",
            [line.id],
        )
        line.invalidate_recordset()
        self.fake.reset()
        now = company(
            Sirens.ATELIER,
            nom_raison_sociale="ATELIER GRAPHIQUE (NOUVEAU NOM)",
            siege={"siret": "84215367800011"},
            categorie_entreprise="ETI",
            finances={"2024": {"ca": 2100000, "resultat_net": 70000}},
            complements={"est_ess": False, "est_siae": True, "est_societe_mission": False},
        )
        self.fake.lookup(Sirens.ATELIER, Reply(body=page(now)))
        line.action_create_vendor()
        self.assertEqual(self.fake.queries(), [Sirens.ATELIER], "one lookup, by SIREN, at creation")
        self.assertRecordValues(
            line.partner_id,
            [
                {
                    "name": "ATELIER GRAPHIQUE (NOUVEAU NOM)",
                    "company_registry": "84215367800011",
                    "pareto_size": "intermediate",
                    "pareto_size_source": "registry",
                    "pareto_size_year": 2022,
                    "zip": "93100",
                    "pareto_turnover": 2100000.0,
                    "pareto_finance_year": 2024,
                    "pareto_is_siae": True,
                }
            ],
        )

    def test_create_vendor_refuses_a_company_closed_since_the_search(self):
        self._reply_search()
        wizard = self._open()
        line = wizard.line_ids[0]
        self.fake.reset()
        self.fake.lookup(line.siren, Reply(body=page(company(line.siren, etat_administratif="C"))))
        with self.assertRaisesRegex(UserError, "closed"):
            line.action_create_vendor()
        self.assertFalse(line.partner_id)
        self.assertFalse(self.env["res.partner"].search([("pareto_siren", "=", line.siren)]))

    def test_siren_of_another_company_is_not_revealed_nor_duplicated(self):
        self._reply_search()
        wizard = self._open()
        line = wizard.line_ids.filtered(lambda candidate: candidate.siren == Sirens.CARTONNAGES)
        # Meanwhile company B (which the buyer cannot see) files it under its own name.
        secret = self._vendor(
            "Fournisseur confidentiel de Pareto Sud",
            Sirens.CARTONNAGES,
            company_id=self.company_2.id,
        )
        self.fake.reset()
        with self.assertRaises(UserError) as error:
            line.action_create_vendor()
        message = str(error.exception)
        self.assertIn("company you cannot access", message)
        self.assertNotIn(secret.name, message)
        self.assertNotIn("confidentiel", message)
        self.assertEqual(self.fake.received, [], "nothing asked to the registry either")
        partners = self.env["res.partner"].with_context(active_test=False)
        self.assertEqual(partners.search([("pareto_siren", "=", Sirens.CARTONNAGES)]), secret)

    def test_radius_adds_nearby_smes_filtered_on_our_side(self):
        self.company.pareto_local_departments = "95"
        self.company.pareto_local_radius_km = 80.0
        self.company.partner_id.write({"partner_latitude": 48.87, "partner_longitude": 2.31})
        self._reply_search()
        self.fake.reply("/near_point", Reply(body=fixture("near_point")))

        wizard = self._open()

        near = [rec.params for rec in self.fake.received if rec.path == "/near_point"]
        self.assertEqual(len(near), 1)
        self.assertEqual(
            (near[0]["lat"], near[0]["long"], near[0]["radius"], near[0]["activite_principale"]),
            ("48.87", "2.31", "50.0", "18.12Z,17.23Z"),
        )
        # The group subsidiary (GE) and the closed company are left out; the
        # companies found by both searches appear once.
        self.assertEqual(
            sorted(wizard.line_ids.mapped("siren")),
            sorted([Sirens.ATELIER, Sirens.PAPETERIES, Sirens.CARTONNAGES, Sirens.DUBOIS]),
        )
        self.assertEqual(wizard.found_count, 4)
        dubois = wizard.line_ids.filtered(lambda line: line.siren == Sirens.DUBOIS)
        self.assertRecordValues(
            dubois, [{"pareto_size": "micro", "is_local": False, "distance_km": 0.0}]
        )
        # Local ones first, nearest first.
        self.assertEqual(wizard.line_ids[-1], dubois)

    def test_needs_families_with_naf_codes(self):
        order = self._create_order(self.vendor_large, [(self.misc, 1, 10.0)], confirm=False)
        with self.assertRaisesRegex(UserError, "No line of this order"):
            self._open(order)
        order = self._create_order(self.vendor_large, [(self.cleaning, 1, 10.0)], confirm=False)
        with self.assertRaisesRegex(UserError, "Set the NAF codes"):
            self._open(order)
        self.assertEqual(self.fake.received, [])

    def test_registry_failure_is_a_clear_error(self):
        self.fake.reply("/search", Reply(502, "Bad Gateway"))
        with self.assertRaisesRegex(UserError, "unavailable"):
            self._open()

    def test_button_on_the_rfq_form(self):
        arch = self.env["purchase.order"].get_view(view_type="form")["arch"]
        self.assertIn(f'name="{self.action.id}"', arch)
        self.assertIn("Find local SMEs", arch)

    def test_only_buyers_may_search(self):
        employee = new_test_user(
            self.env,
            login="pareto_employee_2",
            groups="base.group_user",
            company_ids=[Command.set([self.company.id])],
        )
        with self.assertRaises(AccessError):
            self._open(user=employee)
        self.assertEqual(self.fake.received, [])


@tagged("post_install", "-at_install")
class TestRegistrySlots(RegistryCase):
    """The registry's budget (7 requests per second) is kept in PostgreSQL:
    shared by every worker of every Odoo server of the database. The test
    transaction cannot see other transactions, so the threads below book
    their slots on connections of their own, as workers of several servers
    would, with the booking the addon runs (``reserve_slot``)."""

    def _book(self):
        """Book a slot on a new connection, committed at once."""
        with sql_db.db_connect(self.env.cr.dbname).cursor() as cr:
            return reserve_slot(cr)

    def _in_threads(self, count, work):
        """Run ``work()`` in ``count`` threads; re-raise their first error."""
        errors = []

        def run():
            try:
                work()
            except Exception as exc:  # reported by the test below
                errors.append(exc)

        threads = [threading.Thread(target=run) for _ in range(count)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        if errors:
            raise errors[0]

    def test_slots_are_spaced_across_concurrent_connections(self):
        slots = []
        lock = threading.Lock()

        def work():
            for _ in range(5):
                slot = self._book()
                with lock:
                    slots.append(slot)

        self._in_threads(4, work)
        starts = sorted(start for start, _now in slots)
        self.assertEqual(len(starts), 20)
        gaps = [later - earlier for earlier, later in itertools.pairwise(starts)]
        self.assertGreaterEqual(min(gaps), SPACING_SECONDS - 1e-6, gaps)
        # Each booking answered at once, none waiting for its slot while holding the row.
        self.assertTrue(all(start - now <= 20 * SPACING_SECONDS + 1 for start, now in slots))

    def test_requests_of_concurrent_workers_reach_the_registry_spaced(self):
        self.fake.reply("/search", Reply(body=fixture("search_empty")))

        def reserve():
            start, now = self._book()
            return start - now

        def work():
            limiter = registry.SlotLimiter(reserve)
            with registry.RegistryClient(self.fake.url, rate_limiter=limiter) as client:
                for _ in range(3):
                    client.search(q="x")

        self._in_threads(3, work)
        arrivals = sorted(received.at for received in self.fake.received)
        self.assertEqual(len(arrivals), 9)
        gaps = [later - earlier for earlier, later in itertools.pairwise(arrivals)]
        # The clients send at their booked slots (spaced exactly: the test
        # above), never before; on a loaded machine a thread may wake late
        # (the first one included), so the arrivals are checked as a whole,
        # up to that jitter. Without the limiter they arrive within a few ms.
        jitter = 0.3
        self.assertGreaterEqual(statistics.median(gaps), SPACING_SECONDS - 0.03, gaps)
        self.assertGreaterEqual(arrivals[-1] - arrivals[0], 8 * SPACING_SECONDS - jitter, gaps)

    def _next_slot(self):
        """The row as other transactions see it (the test's own snapshot is older)."""
        with sql_db.db_connect(self.env.cr.dbname).cursor() as cr:
            cr.execute("SELECT next_slot FROM pareto_registry_slot WHERE id = 1")
            row = cr.fetchone()
        return row[0] if row else 0.0

    def _set_next_slot(self, seconds_ahead):
        with sql_db.db_connect(self.env.cr.dbname).cursor() as cr:
            reserve_slot(cr)  # the row exists
            cr.execute(
                "UPDATE pareto_registry_slot SET next_slot = EXTRACT(EPOCH FROM clock_timestamp())"
                " + %s WHERE id = 1",
                [seconds_ahead],
            )

    def test_the_addon_books_its_slots_in_a_transaction_of_its_own(self):
        self.fake.lookup(Sirens.ATELIER, Reply(body=fixture("search_page1")))
        partner = self._vendor("Atelier", Sirens.ATELIER)
        before = self._next_slot()
        partner.with_user(self.buyer).action_pareto_registry_update()
        # Committed by the booking itself, while the test's transaction is still open.
        self.assertGreaterEqual(
            self._next_slot(), max(before, time.time() - 5) + SPACING_SECONDS - 0.01
        )

    def test_a_caller_is_not_held_behind_a_long_queue(self):
        # Slots booked far ahead: an interactive call refuses to wait more
        # than a few seconds, with a clear message, and asks nothing.
        self._set_next_slot(30)
        self.addCleanup(self._set_next_slot, -1)
        partner = self._vendor("Atelier", Sirens.ATELIER)
        started = time.monotonic()
        with self.assertRaisesRegex(UserError, "too many requests; try again in 3[01] seconds"):
            partner.with_user(self.buyer).action_pareto_registry_update()
        self.assertLess(time.monotonic() - started, 2)
        self.assertEqual(self.fake.received, [])

    def test_ordering_never_waits_on_the_registry_budget(self):
        """Another transaction holds the slot row (a stuck booking): orders are
        confirmed as usual; a registry call gives up quickly with a clear
        message instead of holding the worker."""
        partner = self._vendor("Atelier", Sirens.ATELIER)
        with sql_db.db_connect(self.env.cr.dbname).cursor() as holder:
            reserve_slot(holder)  # the row stays locked until this transaction ends
            order = self._create_order(self.vendor_large, [(self.laptop, 1, 100.0)], confirm=True)
            self.assertEqual(order.state, "purchase")
            with (
                patch.object(pareto_registry_slot, "LOCK_TIMEOUT", "200ms"),
                self.assertLogs("odoo.sql_db", "ERROR"),  # the cancelled statement
                self.assertRaisesRegex(UserError, "too many requests; try again in 1 seconds"),
            ):
                partner.with_user(self.buyer).action_pareto_registry_update()
            holder.rollback()
        self.assertEqual(self.fake.received, [])
