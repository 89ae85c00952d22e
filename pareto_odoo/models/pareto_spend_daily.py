import datetime

import pytz

from odoo import fields, models
from odoo.tools import SQL

# The spend of one confirmed purchase line, in company currency, as Odoo's
# ``amount_total_cc`` converts it (the order's rate at its order date).
# ``line`` and ``po`` are aliases of purchase_order_line and purchase_order
# rows. Shared by the triggers, the rebuild and the live query so that a
# subtraction always cancels the matching addition exactly (numeric).
LINE_AMOUNT = SQL(
    "ROUND(COALESCE(line.price_subtotal, 0) / COALESCE(NULLIF(po.currency_rate, 0), 1), 6)"
)
# The lines that count as spend of a family (sections, notes, down payments
# and lines without a family do not).
LINE_COUNTS = SQL(
    """po.state = 'purchase' AND po.date_approve IS NOT NULL
       AND line.pareto_family_id IS NOT NULL AND line.display_type IS NULL
       AND line.is_downpayment IS NOT TRUE"""
)

TRIGGERS = (
    # (trigger, table, timing and events, function)
    (
        "pareto_spend_daily_lines_insert",
        "purchase_order_line",
        "AFTER INSERT ON purchase_order_line REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT",
        "pareto_spend_daily_on_lines",
    ),
    (
        "pareto_spend_daily_lines_update",
        "purchase_order_line",
        "AFTER UPDATE ON purchase_order_line REFERENCING OLD TABLE AS old_rows "
        "NEW TABLE AS new_rows FOR EACH STATEMENT",
        "pareto_spend_daily_on_lines",
    ),
    (
        "pareto_spend_daily_lines_delete",
        "purchase_order_line",
        "AFTER DELETE ON purchase_order_line REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT",
        "pareto_spend_daily_on_lines",
    ),
    (
        "pareto_spend_daily_orders_update",
        "purchase_order",
        "AFTER UPDATE ON purchase_order REFERENCING OLD TABLE AS old_rows "
        "NEW TABLE AS new_rows FOR EACH STATEMENT",
        "pareto_spend_daily_on_orders",
    ),
    (
        "pareto_spend_daily_orders_delete",
        "purchase_order",
        "BEFORE DELETE ON purchase_order FOR EACH ROW WHEN (OLD.state = 'purchase')",
        "pareto_spend_daily_on_order_delete",
    ),
    (
        "pareto_spend_daily_partners_update",
        "res_partner",
        "AFTER UPDATE ON res_partner REFERENCING OLD TABLE AS old_rows "
        "NEW TABLE AS new_rows FOR EACH STATEMENT",
        "pareto_spend_daily_on_partners",
    ),
)
FUNCTIONS = (
    "pareto_spend_daily_on_lines",
    "pareto_spend_daily_on_orders",
    "pareto_spend_daily_on_order_delete",
    "pareto_spend_daily_on_partners",
)


def _contributions(lines, orders, sign):
    """SELECT company_id, family_id, day, amount, is_sme: the signed spend of
    the ``lines`` rows (SQL of a relation of purchase_order_line rows) joined
    with the ``orders`` rows, the vendors' current classification."""
    return SQL(
        """
        SELECT po.company_id, line.pareto_family_id AS family_id,
               po.date_approve::date AS day, %(sign)s * %(amount)s AS amount,
               COALESCE(vendor.pareto_is_sme, FALSE) AS is_sme
          FROM %(lines)s line
          JOIN %(orders)s po ON po.id = line.order_id
          JOIN res_partner contact ON contact.id = po.partner_id
          JOIN res_partner vendor
            ON vendor.id = COALESCE(contact.commercial_partner_id, contact.id)
         WHERE %(counts)s AND vendor.pareto_excluded IS NOT TRUE
        """,
        sign=SQL(sign),
        amount=LINE_AMOUNT,
        lines=SQL(lines),
        orders=SQL(orders),
        counts=LINE_COUNTS,
    )


def _apply(deltas, with_clause=None):
    """Add the signed ``deltas`` (SQL of company_id, family_id, day, amount,
    is_sme rows) to the daily aggregate."""
    return SQL(
        """
        %(with_clause)s
        INSERT INTO pareto_spend_daily AS agg (company_id, family_id, day, total, sme_total)
        SELECT delta.company_id, delta.family_id, delta.day, SUM(delta.amount),
               COALESCE(SUM(delta.amount) FILTER (WHERE delta.is_sme), 0)
          FROM (%(deltas)s) delta
         WHERE EXISTS (SELECT FROM pareto_family family WHERE family.id = delta.family_id)
         GROUP BY delta.company_id, delta.family_id, delta.day
        HAVING SUM(delta.amount) != 0
            OR COALESCE(SUM(delta.amount) FILTER (WHERE delta.is_sme), 0) != 0
        ON CONFLICT (company_id, family_id, day) DO UPDATE
           SET total = agg.total + EXCLUDED.total,
               sme_total = agg.sme_total + EXCLUDED.sme_total
        """,
        with_clause=with_clause or SQL(),
        deltas=deltas,
    )


# Above this many changed rows, a trigger plans its statement without nested
# loops: bulk loads (imports, set-based updates) often run on tables whose
# statistics predate the load, where the planner would otherwise scan a table
# once per changed row. Small changes keep the index lookups. The functions
# also run without JIT: the row estimates of transition tables make the
# planner expect huge joins, and compiling them cost seconds (2.2 s instead
# of 7.5 s for a 100,000-line family remapping).
BULK_ROWS = 2000


def _bulk_aware(rows_table, body, bulk_rows=BULK_ROWS):
    """PL/pgSQL running ``body`` with hash joins when the transition table
    ``rows_table`` is large (needs a ``nestloop text`` variable)."""
    return SQL(
        """
        IF (SELECT COUNT(*) FROM %(rows)s) > %(bulk)s THEN
            nestloop := current_setting('enable_nestloop');
            PERFORM set_config('enable_nestloop', 'off', TRUE);
            %(body)s
            PERFORM set_config('enable_nestloop', nestloop, TRUE);
        ELSE
            %(body)s
        END IF;
        """,
        rows=SQL(rows_table),
        bulk=SQL(str(int(bulk_rows))),
        body=body,
    )


def _changed_condition(columns):
    """SQL: the UPDATE changed one of ``columns`` of the row (prev -> cur)."""
    return SQL(
        "(%s) IS DISTINCT FROM (%s)",
        SQL(", ").join(SQL("prev.%s", SQL.identifier(column)) for column in columns),
        SQL(", ").join(SQL("cur.%s", SQL.identifier(column)) for column in columns),
    )


def _changed_cte(columns):
    """WITH changed: the ids of the rows whose ``columns`` the UPDATE changed."""
    return SQL(
        """
        WITH changed AS (
            SELECT prev.id FROM old_rows prev JOIN new_rows cur ON cur.id = prev.id
             WHERE %s
        )
        """,
        _changed_condition(columns),
    )


def _if_changed(columns, statement):
    """PL/pgSQL running ``statement`` when some row of the UPDATE changed one
    of ``columns`` (needs a ``changed_rows bigint`` variable). A count, not
    a LIMIT 1: with nothing changed, a "fast start" plan would compare every
    old row with every new one."""
    return SQL(
        """
        SELECT COUNT(*) INTO changed_rows
          FROM old_rows prev JOIN new_rows cur ON cur.id = prev.id
         WHERE %(changed)s;
        IF changed_rows > 0 THEN
            %(statement)s;
        END IF;
        """,
        changed=_changed_condition(columns),
        statement=statement,
    )


LINE_COLUMNS = ("order_id", "pareto_family_id", "price_subtotal", "display_type", "is_downpayment")
ORDER_COLUMNS = ("state", "date_approve", "currency_rate", "company_id", "partner_id")
PARTNER_COLUMNS = ("commercial_partner_id", "pareto_is_sme", "pareto_excluded")


class ParetoSpendDaily(models.Model):
    """Confirmed spend per company, purchasing family and day: the maintained
    aggregate that makes the compliance of an order cost the same with ten
    thousand or ten million purchase lines.

    One row per (company, family, UTC day of the confirmation) with the
    total and the SME part, in company currency, vendors flagged
    ``pareto_excluded`` left out. PostgreSQL statement triggers keep it
    exact on every change of a line, an order or a vendor's classification,
    whatever makes it (ORM, set-based SQL, imports): each trigger adds the
    new contribution of the changed rows and subtracts the old one, set-based.
    Nothing writes it through the ORM; :meth:`_rebuild` recomputes it.
    """

    _name = "pareto.spend.daily"
    _description = "Daily Spend per Purchasing Family"
    _log_access = False
    _order = "day desc, id"

    company_id = fields.Many2one("res.company", required=True, readonly=True, ondelete="cascade")
    family_id = fields.Many2one(
        "pareto.family",
        string="Purchasing Family",
        required=True,
        readonly=True,
        ondelete="cascade",
    )
    day = fields.Date(required=True, readonly=True, help="Confirmation day (UTC).")
    total = fields.Float(string="Spend", digits=(16, 6), readonly=True)
    sme_total = fields.Float(string="SME Spend", digits=(16, 6), readonly=True)

    _company_family_day_uniq = models.UniqueIndex(
        "(company_id, family_id, day)",
        "One aggregate row per company, family and day.",
    )

    def init(self):
        cr = self.env.cr
        cr.execute(
            SQL(
                "SELECT COUNT(*) FROM pg_trigger WHERE tgname IN %s",
                tuple(name for name, *_rest in TRIGGERS),
            )
        )
        had_triggers = cr.fetchone()[0] == len(TRIGGERS)
        self._create_functions()
        for name, table, definition, function in TRIGGERS:
            cr.execute(
                SQL(
                    "DROP TRIGGER IF EXISTS %s ON %s",
                    SQL.identifier(name),
                    SQL.identifier(table),
                )
            )
            cr.execute(
                SQL(
                    "CREATE TRIGGER %s %s EXECUTE FUNCTION %s()",
                    SQL.identifier(name),
                    SQL(definition),
                    SQL.identifier(function),
                )
            )
        if not had_triggers:
            # Lines may have changed while the triggers were missing (none
            # has a family yet at install: nothing to do then).
            cr.execute(
                SQL("SELECT 1 FROM purchase_order_line WHERE pareto_family_id IS NOT NULL LIMIT 1")
            )
            if cr.fetchone():
                self._rebuild(flush=False)

    def _create_functions(self, bulk_rows=BULK_ROWS):
        """(Re)create the trigger functions; ``bulk_rows``: see BULK_ROWS."""
        for statement in self._function_definitions(bulk_rows):
            self.env.cr.execute(statement)

    def _drop_triggers(self):
        """Remove the triggers and their functions (uninstall)."""
        cr = self.env.cr
        for name, table, _definition, _function in TRIGGERS:
            cr.execute(
                SQL(
                    "DROP TRIGGER IF EXISTS %s ON %s",
                    SQL.identifier(name),
                    SQL.identifier(table),
                )
            )
        for function in FUNCTIONS:
            cr.execute(SQL("DROP FUNCTION IF EXISTS %s()", SQL.identifier(function)))

    def _rebuild(self, flush=True):
        """Recompute the whole aggregate from the purchase lines, in one
        set-based statement (install, repair)."""
        if flush:
            self.env.flush_all()
        self.env.cr.execute(SQL("DELETE FROM pareto_spend_daily"))
        self.env.cr.execute(_apply(_contributions("purchase_order_line", "purchase_order", "1")))
        self.invalidate_model()

    def _function_definitions(self, bulk_rows=BULK_ROWS):
        lines_update = _changed_cte(LINE_COLUMNS)
        orders_update = _changed_cte(ORDER_COLUMNS)
        # A vendor's classification is its commercial partner's: a change of
        # flags or of commercial partner changes the spend of every order
        # whose vendor is, or belongs to, a changed partner.
        partners_update = SQL(
            """
            WITH changed AS (
                SELECT prev.id, prev.commercial_partner_id AS old_commercial_id,
                       prev.pareto_is_sme AS old_sme, prev.pareto_excluded AS old_excluded
                  FROM old_rows prev JOIN new_rows cur ON cur.id = prev.id
                 WHERE %(changed)s
            ), contacts AS (
                SELECT id FROM changed
                 UNION
                SELECT contact.id FROM res_partner contact
                  JOIN changed ON changed.id = contact.commercial_partner_id
            ), flags AS (
                SELECT contact.id,
                       CASE WHEN old_commercial.id IS NOT NULL THEN old_commercial.old_sme
                            ELSE old_vendor.pareto_is_sme END AS old_sme,
                       CASE WHEN old_commercial.id IS NOT NULL THEN old_commercial.old_excluded
                            ELSE old_vendor.pareto_excluded END AS old_excluded,
                       new_vendor.pareto_is_sme AS new_sme,
                       new_vendor.pareto_excluded AS new_excluded
                  FROM contacts
                  JOIN res_partner contact ON contact.id = contacts.id
                  LEFT JOIN changed own ON own.id = contact.id
                  JOIN res_partner old_vendor
                    ON old_vendor.id = COALESCE(
                        CASE WHEN own.id IS NOT NULL THEN own.old_commercial_id
                             ELSE contact.commercial_partner_id END,
                        contact.id)
                  LEFT JOIN changed old_commercial ON old_commercial.id = old_vendor.id
                  JOIN res_partner new_vendor
                    ON new_vendor.id = COALESCE(contact.commercial_partner_id, contact.id)
            ), order_lines AS (
                SELECT po.company_id, line.pareto_family_id AS family_id,
                       po.date_approve::date AS day, %(amount)s AS amount, flags.*
                  FROM flags
                  JOIN purchase_order po ON po.partner_id = flags.id
                  JOIN purchase_order_line line ON line.order_id = po.id
                 WHERE %(counts)s
            )
            """,
            amount=LINE_AMOUNT,
            counts=LINE_COUNTS,
            changed=_changed_condition(PARTNER_COLUMNS),
        )
        partner_deltas = SQL(
            """
            SELECT company_id, family_id, day, -amount AS amount,
                   COALESCE(old_sme, FALSE) AS is_sme
              FROM order_lines WHERE old_excluded IS NOT TRUE
             UNION ALL
            SELECT company_id, family_id, day, amount, COALESCE(new_sme, FALSE)
              FROM order_lines WHERE new_excluded IS NOT TRUE
            """
        )
        header = SQL(
            """
            LANGUAGE plpgsql SET jit = off AS $pareto$
            DECLARE
                nestloop text;
                changed_rows bigint;
            BEGIN
            """
        )
        footer = SQL(
            """
                RETURN NULL;
            END
            $pareto$
            """
        )
        lines_update_deltas = _apply(
            SQL(
                "%s UNION ALL %s",
                _contributions(
                    "(SELECT * FROM old_rows WHERE id IN (SELECT id FROM changed))",
                    "purchase_order",
                    "-1",
                ),
                _contributions(
                    "(SELECT * FROM new_rows WHERE id IN (SELECT id FROM changed))",
                    "purchase_order",
                    "1",
                ),
            ),
            lines_update,
        )
        orders_update_deltas = _apply(
            SQL(
                "%s UNION ALL %s",
                _contributions(
                    "purchase_order_line",
                    "(SELECT * FROM old_rows WHERE id IN (SELECT id FROM changed))",
                    "-1",
                ),
                _contributions(
                    "purchase_order_line",
                    "(SELECT * FROM new_rows WHERE id IN (SELECT id FROM changed))",
                    "1",
                ),
            ),
            orders_update,
        )
        return [
            SQL(
                """
                CREATE OR REPLACE FUNCTION pareto_spend_daily_on_lines() RETURNS trigger
                %(header)s
                IF TG_OP = 'INSERT' THEN
                    %(insert)s
                ELSIF TG_OP = 'DELETE' THEN
                    %(delete)s
                ELSE
                    %(update)s
                END IF;
                %(footer)s
                """,
                header=header,
                footer=footer,
                insert=_bulk_aware(
                    "new_rows",
                    SQL("%s;", _apply(_contributions("new_rows", "purchase_order", "1"))),
                    bulk_rows,
                ),
                delete=_bulk_aware(
                    "old_rows",
                    SQL("%s;", _apply(_contributions("old_rows", "purchase_order", "-1"))),
                    bulk_rows,
                ),
                update=_bulk_aware(
                    "new_rows", _if_changed(LINE_COLUMNS, lines_update_deltas), bulk_rows
                ),
            ),
            SQL(
                """
                CREATE OR REPLACE FUNCTION pareto_spend_daily_on_orders() RETURNS trigger
                %(header)s
                %(update)s
                %(footer)s
                """,
                header=header,
                footer=footer,
                update=_bulk_aware(
                    "new_rows", _if_changed(ORDER_COLUMNS, orders_update_deltas), bulk_rows
                ),
            ),
            SQL(
                """
                CREATE OR REPLACE FUNCTION pareto_spend_daily_on_order_delete() RETURNS trigger
                LANGUAGE plpgsql SET jit = off AS $pareto$
                BEGIN
                    %(delete)s;
                    RETURN OLD;
                END
                $pareto$
                """,
                delete=_apply(
                    _contributions(
                        "purchase_order_line",
                        "(SELECT * FROM purchase_order WHERE id = OLD.id)",
                        "-1",
                    )
                ),
            ),
            SQL(
                """
                CREATE OR REPLACE FUNCTION pareto_spend_daily_on_partners() RETURNS trigger
                %(header)s
                %(update)s
                %(footer)s
                """,
                header=header,
                footer=footer,
                update=_bulk_aware(
                    "new_rows",
                    _if_changed(PARTNER_COLUMNS, _apply(partner_deltas, partners_update)),
                    bulk_rows,
                ),
            ),
        ]

    def _confirmed_spend(
        self, company, family_ids, date_from, date_to, exclude_order_id=None, partner_id=None
    ):
        """``(families, vendor)``: for each family of ``family_ids`` (by
        name), a dict of its ``family_id``, ``name`` (complete name),
        ``target``, and the confirmed spend of ``company`` in the family
        between the two dates (inclusive, in the user's timezone), without
        the order ``exclude_order_id``, in company currency: ``total`` and
        ``sme_total``; and the ``(is_sme, excluded)`` classification of the
        commercial partner of ``partner_id``. One statement.

        Whole UTC days come from the aggregate; the hours of the first and
        last UTC days that belong to the period, and the excluded order's own
        contribution, come from the lines: an index range on
        ``purchase_order.date_approve`` of at most two days, and one order.
        """
        if not family_ids:
            return [], (False, False)
        tz = self.env.tz
        start = self._utc(tz, date_from)
        end = self._utc(tz, date_to + datetime.timedelta(days=1))
        # Whole UTC days of the period: first_day <= day < last_day.
        first_day = start.date()
        if start.time() != datetime.time.min:
            first_day += datetime.timedelta(days=1)
        last_day = max(end.date(), first_day)
        first_day_start = datetime.datetime.combine(first_day, datetime.time.min)
        last_day_start = datetime.datetime.combine(last_day, datetime.time.min)
        self.env["res.partner"].flush_model(
            ["commercial_partner_id", "pareto_is_sme", "pareto_excluded"]
        )
        self.env["purchase.order"].flush_model(
            ["state", "date_approve", "currency_rate", "company_id", "partner_id"]
        )
        self.env["purchase.order.line"].flush_model(
            ["order_id", "pareto_family_id", "price_subtotal", "display_type", "is_downpayment"]
        )
        families = list(family_ids)

        def order_lines(sign, condition):
            return SQL(
                """
                SELECT line.pareto_family_id AS family_id, %(sign)s * %(amount)s AS amount,
                       COALESCE(vendor.pareto_is_sme, FALSE) AS is_sme
                  FROM purchase_order po
                  JOIN purchase_order_line line ON line.order_id = po.id
                  JOIN res_partner contact ON contact.id = po.partner_id
                  JOIN res_partner vendor
                    ON vendor.id = COALESCE(contact.commercial_partner_id, contact.id)
                 WHERE %(counts)s AND vendor.pareto_excluded IS NOT TRUE
                   AND po.company_id = %(company)s
                   AND line.pareto_family_id = ANY(%(families)s::int4[])
                   AND %(condition)s
                """,
                sign=SQL(sign),
                amount=LINE_AMOUNT,
                counts=LINE_COUNTS,
                company=company.id,
                families=families,
                condition=condition,
            )

        own_order = exclude_order_id or 0
        # Other orders confirmed in the parts of the first and last UTC days
        # that belong to the period (the aggregate only has whole days).
        edges = order_lines(
            "1",
            SQL(
                """po.id != %(own_order)s
                   AND ((po.date_approve >= %(start)s AND po.date_approve < %(first_day)s)
                        OR (po.date_approve >= %(last_day)s AND po.date_approve < %(end)s))""",
                own_order=own_order,
                start=start,
                end=end,
                first_day=min(first_day_start, end),
                last_day=last_day_start,
            ),
        )
        # This order, if confirmed on one of the whole days: out of the total.
        own = order_lines(
            "-1",
            SQL(
                """po.id = %(own_order)s
                   AND po.date_approve >= %(first_day)s AND po.date_approve < %(last_day)s""",
                own_order=own_order,
                first_day=first_day_start,
                last_day=last_day_start,
            ),
        )
        self.env.cr.execute(
            SQL(
                """
                SELECT family.id, family.complete_name, family.target_share::float8,
                       COALESCE(spend.total, 0)::float8, COALESCE(spend.sme_total, 0)::float8,
                       COALESCE(vendor.pareto_is_sme, FALSE),
                       COALESCE(vendor.pareto_excluded, FALSE)
                  FROM pareto_family family
                  LEFT JOIN (
                    SELECT family_id, SUM(total) AS total, SUM(sme_total) AS sme_total
                      FROM (
                        SELECT family_id, total, sme_total
                          FROM pareto_spend_daily
                         WHERE company_id = %(company)s
                           AND family_id = ANY(%(families)s::int4[])
                           AND day >= %(first_day)s AND day < %(last_day)s
                         UNION ALL
                        SELECT family_id, amount, CASE WHEN is_sme THEN amount ELSE 0 END
                          FROM (%(edges)s UNION ALL %(own)s) order_lines
                      ) rows
                     GROUP BY family_id
                  ) spend ON spend.family_id = family.id
                  LEFT JOIN res_partner contact ON contact.id = %(partner)s
                  LEFT JOIN res_partner vendor
                         ON vendor.id = COALESCE(contact.commercial_partner_id, contact.id)
                 WHERE family.id = ANY(%(families)s::int4[])
                 ORDER BY family.complete_name, family.id
                """,
                company=company.id,
                families=families,
                first_day=first_day,
                last_day=last_day,
                edges=edges,
                own=own,
                partner=partner_id or 0,
            )
        )
        rows = self.env.cr.fetchall()
        vendor = (rows[0][5], rows[0][6]) if rows else (False, False)
        return [
            {
                "family_id": family_id,
                "name": name,
                "target": target or 0.0,
                "total": total,
                "sme_total": sme_total,
            }
            for family_id, name, target, total, sme_total, _sme, _excluded in rows
        ], vendor

    @staticmethod
    def _utc(tz, day):
        """Naive UTC datetime of midnight of ``day`` in ``tz``."""
        local = tz.localize(datetime.datetime.combine(day, datetime.time.min))
        return local.astimezone(pytz.utc).replace(tzinfo=None)
