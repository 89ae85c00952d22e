from odoo import fields, models
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

        Runs in its own short transaction (a new cursor, committed at once):
        the row is locked for the duration of one UPDATE, never while the
        caller's transaction goes on, and never while anyone waits for their
        slot. ``clock_timestamp()`` is the database server's clock, the same
        for all the Odoo servers sharing it.
        """
        with self.env.registry.cursor() as cr:
            cr.execute(SQL("SET LOCAL lock_timeout = '5s'"))
            cr.execute(
                SQL(
                    """INSERT INTO pareto_registry_slot AS slot (id, next_slot)
                       VALUES (%(id)s, EXTRACT(EPOCH FROM clock_timestamp())::float8 + %(spacing)s)
                       ON CONFLICT (id) DO UPDATE SET next_slot = %(spacing)s + CASE
                           WHEN slot.next_slot > EXTRACT(EPOCH FROM clock_timestamp())::float8
                                                 + %(ahead)s
                           THEN EXTRACT(EPOCH FROM clock_timestamp())::float8
                           ELSE GREATEST(slot.next_slot,
                                         EXTRACT(EPOCH FROM clock_timestamp())::float8)
                           END
                       RETURNING next_slot - %(spacing)s
                                 - EXTRACT(EPOCH FROM clock_timestamp())::float8""",
                    id=SLOT_ID,
                    spacing=spacing,
                    ahead=MAX_AHEAD_SECONDS,
                )
            )
            (wait,) = cr.fetchone()
        return max(0.0, wait)
