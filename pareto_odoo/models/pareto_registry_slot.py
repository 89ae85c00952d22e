import time

from odoo import fields, models
from odoo.sql_db import Cursor
from odoo.tools import SQL

# The registry accepts at most 7 requests per second per IP address. Requests
# are spaced evenly (one every 0.15 s, about 6.7 per second) rather than let
# through in bursts of 7 a second apart: a burst reaches the registry with
# some jitter and may then count 8 or more within one second on its side.
SPACING_SECONDS = 0.15
# A slot further ahead than this means the database's clock was set back:
# start again from now rather than hold every caller.
MAX_AHEAD_SECONDS = 60.0
SLOT_ID = 1
# A booking never waits long for the row: the database is then too busy.
LOCK_TIMEOUT = "5s"


class ParetoRegistrySlot(models.Model):
    """The clock of registry request slots, shared by every worker of every
    Odoo server of the database: one row whose ``next_slot`` (epoch seconds
    on the database's clock) :meth:`_reserve` moves forward by
    ``SPACING_SECONDS`` for each request, in a transaction of its own."""

    _name = "pareto.registry.slot"
    _description = "Company Registry Request Slot"
    _log_access = False

    next_slot = fields.Float(
        string="Next Free Slot", readonly=True, help="Epoch seconds, on the database's clock."
    )

    def _reserve(self, spacing=SPACING_SECONDS):
        """Book the next request slot; return the seconds to wait until it.

        The wait is counted from the moment the database answered, so that
        committing and closing the booking's transaction do not shift the
        request (requests of different workers would otherwise bunch up)."""
        with self.env.registry.cursor() as cr:
            start, now = reserve_slot(cr, spacing)
            answered = time.monotonic()
        return max(0.0, start - now - (time.monotonic() - answered))

    def _reserve_slot(self, spacing=SPACING_SECONDS):
        """Book the next request slot: ``(slot start, now)``, epoch seconds on
        the database's clock, in a transaction of its own (a new cursor,
        committed at once): the row is locked for one statement, never while
        the caller's transaction goes on, and never while anyone waits for
        their slot."""
        with self.env.registry.cursor() as cr:
            return reserve_slot(cr, spacing)


def reserve_slot(cr, spacing=SPACING_SECONDS):
    """Book the next slot on ``cr`` (a cursor of its own, committed by the
    caller): ``(slot start, now)``, epoch seconds.

    READ COMMITTED, so that concurrent bookings queue on the row's lock and
    each sees the one before it (Odoo's REPEATABLE READ would make them fail
    to serialise). ``clock_timestamp()`` is the database server's clock, the
    same for all the Odoo servers sharing it; the ``now`` returned is read
    after the row's lock was obtained.
    """
    if isinstance(cr, Cursor):  # not a test cursor inside a test's transaction
        cr.execute(SQL("SET TRANSACTION ISOLATION LEVEL READ COMMITTED"))
    cr.execute(SQL("SET LOCAL lock_timeout = %s", LOCK_TIMEOUT))
    cr.execute(
        SQL(
            """WITH now AS (SELECT EXTRACT(EPOCH FROM clock_timestamp())::float8 AS now)
               INSERT INTO pareto_registry_slot AS slot (id, next_slot)
               SELECT %(id)s, now.now + %(spacing)s FROM now
               ON CONFLICT (id) DO UPDATE SET next_slot = %(spacing)s + CASE
                   WHEN slot.next_slot > (SELECT now FROM now) + %(ahead)s
                   THEN (SELECT now FROM now)
                   ELSE GREATEST(slot.next_slot, (SELECT now FROM now))
                   END
               RETURNING slot.next_slot - %(spacing)s,
                         EXTRACT(EPOCH FROM clock_timestamp())::float8""",
            id=SLOT_ID,
            spacing=spacing,
            ahead=MAX_AHEAD_SECONDS,
        )
    )
    return cr.fetchone()
