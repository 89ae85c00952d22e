"""The PostgreSQL triggers that keep the spend aggregates exact.

Every change of a line, a header (order or bill) or a vendor's classification
that moves spend writes its signed difference as rows of ``pareto_spend_delta``
(append-only: concurrent transactions never update the same row, so they
never wait for each other nor fail to serialise); a scheduled merge folds the
deltas into the two aggregates, ``pareto_spend_daily`` (company, family, day,
source: total and SME part, excluded vendors left out) and
``pareto_spend_vendor`` (company, family or none, partner, day, source:
amount), with the latter's yearly totals (``pareto_spend_vendor_year``) and
its sum over the suggestions' history window (``pareto_spend_history``)
written by the same statement. Readers add the deltas not merged yet, so the
figures are exact at any time. A statement that changes many rows at once (imports, set-based
updates, mapping changes) merges its difference directly instead.
"""

from odoo.tools import SQL

from .spend import BILL, ORDER, SOURCES, since_sql, spend_lines

DELTA_COLUMNS = SQL("company_id, family_id, partner_id, day, source, amount, total, sme_total")

# Above this many changed rows, a trigger plans its statements without
# nested loops and merges its difference into the aggregates at once (bulk
# loads, set-based updates, mapping changes). PL/pgSQL keeps each statement's
# plan for the session, planned for the transition tables of its first run:
# a plan made for one row joins the old and new rows by a nested loop, which
# stays cheap up to a few hundred rows (200 x 200 comparisons) but not for
# thousands; the bulk branch has its own copies of the statements, planned
# for large tables with hash joins. The functions also run without JIT: the
# row estimates of transition tables make the planner expect huge joins, and
# compiling them cost seconds.
BULK_ROWS = 200


def delta_rows(contributions, source):
    """SELECT of delta columns from spend rows (see ``spend_lines``) with
    ``is_sme``/``excluded`` flags, grouped by key: ``amount`` for the vendor
    aggregate, ``total``/``sme_total`` for the family aggregate."""
    return SQL(
        """
        SELECT company_id, family_id, partner_id, day, %(source)s AS source,
               SUM(amount) AS amount,
               COALESCE(SUM(amount) FILTER (WHERE family_id IS NOT NULL AND NOT excluded), 0)
                   AS total,
               COALESCE(SUM(amount) FILTER (
                   WHERE family_id IS NOT NULL AND NOT excluded AND is_sme), 0) AS sme_total
          FROM (%(contributions)s) contribution
         WHERE family_id IS NULL
            OR EXISTS (SELECT FROM pareto_family family WHERE family.id = contribution.family_id)
         GROUP BY company_id, family_id, partner_id, day
        """,
        source=source.name,
        contributions=contributions,
    )


def merge_sql(deltas):
    """One statement adding the rows of ``deltas`` (SQL with the delta
    columns) to both aggregates, the vendor aggregate's yearly totals and
    the history snapshot."""
    return SQL(
        """
        WITH moved AS (%(deltas)s),
        daily AS (
            INSERT INTO pareto_spend_daily AS agg (company_id, family_id, day, source,
                                                    total, sme_total)
            SELECT company_id, family_id, day, source, SUM(total), SUM(sme_total)
              FROM moved WHERE family_id IS NOT NULL
             GROUP BY company_id, family_id, day, source
            HAVING SUM(total) != 0 OR SUM(sme_total) != 0
            ON CONFLICT (company_id, family_id, day, source) DO UPDATE
               SET total = agg.total + EXCLUDED.total,
                   sme_total = agg.sme_total + EXCLUDED.sme_total
        ),
        history AS (%(history)s),
        yearly AS (%(yearly)s)
        INSERT INTO pareto_spend_vendor AS agg (company_id, family_id, partner_id, day, source,
                                                amount)
        SELECT company_id, family_id, partner_id, day, source, SUM(amount)
          FROM moved
         GROUP BY company_id, family_id, partner_id, day, source
        HAVING SUM(amount) != 0
        ON CONFLICT (company_id, COALESCE(family_id, 0), partner_id, day, source) DO UPDATE
           SET amount = agg.amount + EXCLUDED.amount
        """,
        deltas=deltas,
        history=history_sql(SQL("moved"), since_sql()),
        yearly=yearly_sql(SQL("moved")),
    )


def history_sql(rows, since):
    """INSERT adding the spend rows of the table or CTE ``rows`` (vendor
    aggregate columns) dated from ``since`` on to ``pareto_spend_history``."""
    return SQL(
        """
        INSERT INTO pareto_spend_history AS agg (company_id, source, family_id, partner_id, amount)
        SELECT company_id, source, family_id, partner_id, SUM(amount)
          FROM %(rows)s WHERE family_id IS NOT NULL AND day >= %(since)s
         GROUP BY company_id, source, family_id, partner_id
        HAVING SUM(amount) != 0
        ON CONFLICT (company_id, source, family_id, partner_id) DO UPDATE
           SET amount = agg.amount + EXCLUDED.amount
        """,
        rows=rows,
        since=since,
    )


def yearly_sql(rows):
    """INSERT adding the spend rows of the table or CTE ``rows`` to their
    year's totals in ``pareto_spend_vendor_year``."""
    return SQL(
        """
        INSERT INTO pareto_spend_vendor_year AS agg (company_id, family_id, partner_id, day,
                                                     source, amount)
        SELECT company_id, family_id, partner_id, date_trunc('year', day)::date, source,
               SUM(amount)
          FROM %(rows)s
         GROUP BY company_id, family_id, partner_id, date_trunc('year', day), source
        HAVING SUM(amount) != 0
        ON CONFLICT (company_id, source, day, COALESCE(family_id, 0), partner_id) DO UPDATE
           SET amount = agg.amount + EXCLUDED.amount
        """,
        rows=rows,
    )


def _log_or_merge(deltas, rows_table, bulk_rows, changed_columns=None):
    """PL/pgSQL: append ``deltas`` to the log, or merge them at once (with
    hash joins) when the transition table ``rows_table`` is large; for an
    UPDATE, only when some row changed one of ``changed_columns``.

    Each branch has its own copy of every statement: PL/pgSQL keeps the plan
    of a statement for the session, planned for the size of the transition
    table of its first run; a plan made for one row and reused for thousands
    (a nested loop over both transition tables) would take minutes."""

    def guarded(statement):
        return _if_changed(changed_columns, statement) if changed_columns else statement

    return SQL(
        """
        IF (SELECT COUNT(*) FROM %(rows)s) > %(bulk)s THEN
            nestloop := current_setting('enable_nestloop');
            PERFORM set_config('enable_nestloop', 'off', TRUE);
            %(merge)s
            PERFORM set_config('enable_nestloop', nestloop, TRUE);
        ELSE
            %(log)s
        END IF;
        """,
        rows=SQL(rows_table),
        bulk=SQL(str(int(bulk_rows))),
        merge=guarded(SQL("%s;", merge_sql(deltas))),
        log=guarded(
            SQL(
                """INSERT INTO pareto_spend_delta (%s)
                   SELECT * FROM (%s) delta
                    WHERE amount != 0 OR total != 0 OR sme_total != 0;""",
                DELTA_COLUMNS,
                deltas,
            )
        ),
    )


def _changed(columns):
    """SQL: the UPDATE changed one of ``columns`` of the row (prev -> cur)."""
    return SQL(
        "(%s) IS DISTINCT FROM (%s)",
        SQL(", ").join(SQL("prev.%s", SQL.identifier(column)) for column in columns),
        SQL(", ").join(SQL("cur.%s", SQL.identifier(column)) for column in columns),
    )


def _changed_rows(columns, side):
    """SQL relation: the ``side`` (old_rows/new_rows) version of the rows
    whose ``columns`` the UPDATE changed."""
    return SQL(
        """(SELECT side.* FROM %(side)s side
             WHERE side.id IN (SELECT prev.id FROM old_rows prev
                                 JOIN new_rows cur ON cur.id = prev.id
                                WHERE %(changed)s))""",
        side=SQL(side),
        changed=_changed(columns),
    )


def _if_changed(columns, statement):
    """PL/pgSQL running ``statement`` when some row of the UPDATE changed one
    of ``columns``. A count, not a LIMIT 1: with nothing changed, a "fast
    start" plan would compare every old row with every new one."""
    return SQL(
        """
        SELECT COUNT(*) INTO changed_rows
          FROM old_rows prev JOIN new_rows cur ON cur.id = prev.id
         WHERE %(changed)s;
        IF changed_rows > 0 THEN
            %(statement)s
        END IF;
        """,
        changed=_changed(columns),
        statement=statement,
    )


def _function(name, body, returns="NULL"):
    return SQL(
        """
        CREATE OR REPLACE FUNCTION %(name)s() RETURNS trigger
        LANGUAGE plpgsql SET jit = off AS $pareto$
        DECLARE
            nestloop text;
            changed_rows bigint;
        BEGIN
            %(body)s
            RETURN %(returns)s;
        END
        $pareto$
        """,
        name=SQL.identifier(name),
        body=body,
        returns=SQL(returns),
    )


def _update_deltas(source, table):
    """Deltas of an UPDATE of the source's lines or headers (``table``:
    "line" or "head"): the spend of the changed rows as it was (minus) and
    as it is (plus)."""
    columns = source.line_columns if table == "line" else source.head_columns
    relation = "lines" if table == "line" else "heads"
    return delta_rows(
        SQL(
            "%s UNION ALL %s",
            spend_lines(source, **{relation: _changed_rows(columns, "old_rows")}, sign=-1),
            spend_lines(source, **{relation: _changed_rows(columns, "new_rows")}),
        ),
        source,
    )


def _lines_function(source, bulk_rows):
    """Lines inserted, updated or deleted: add the new rows' spend, subtract
    the old rows'."""
    body = SQL(
        """
        IF TG_OP = 'INSERT' THEN
            %(insert)s
        ELSIF TG_OP = 'DELETE' THEN
            %(delete)s
        ELSE
            %(update)s
        END IF;
        """,
        insert=_log_or_merge(
            delta_rows(spend_lines(source, lines="new_rows"), source), "new_rows", bulk_rows
        ),
        delete=_log_or_merge(
            delta_rows(spend_lines(source, lines="old_rows", sign=-1), source),
            "old_rows",
            bulk_rows,
        ),
        update=_log_or_merge(
            _update_deltas(source, "line"), "new_rows", bulk_rows, source.line_columns
        ),
    )
    return _function(f"pareto_spend_{source.name}_lines", body)


def _heads_function(source, bulk_rows):
    """Orders or bills updated (state, date, rate, vendor...): subtract the
    spend of their lines as it was, add it as it is."""
    body = _log_or_merge(_update_deltas(source, "head"), "new_rows", bulk_rows, source.head_columns)
    return _function(f"pareto_spend_{source.name}_heads", body)


def _head_delete_function(source):
    """An order or bill deleted while it counts: subtract its lines' spend
    (before the lines go: they are deleted by cascade afterwards, when the
    header no longer exists for the lines' trigger)."""
    deltas = delta_rows(
        spend_lines(
            source,
            heads=f"(SELECT * FROM {source.head_table} WHERE id = OLD.id)",
            sign=-1,
        ),
        source,
    )
    body = SQL(
        """
        INSERT INTO pareto_spend_delta (%(columns)s)
        SELECT * FROM (%(deltas)s) delta WHERE amount != 0 OR total != 0 OR sme_total != 0;
        """,
        columns=DELTA_COLUMNS,
        deltas=deltas,
    )
    return _function(f"pareto_spend_{source.name}_head_delete", body, returns="OLD")


PARTNER_COLUMNS = ("commercial_partner_id", "pareto_is_sme", "pareto_excluded")


def _partner_flags_cte():
    """WITH flags: for every contact whose vendor classification the UPDATE
    changed (a changed partner, or a contact of one), the old and new
    ``sme``/``excluded`` flags of its vendor company (orders are placed with
    contacts); bill_flags: the partners whose own flags changed (a bill
    stores its commercial partner, which Odoo updates on the bill itself
    when a contact changes company)."""
    return SQL(
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
        ), bill_flags AS (
            SELECT prev.id, prev.pareto_is_sme AS old_sme, prev.pareto_excluded AS old_excluded,
                   cur.pareto_is_sme AS new_sme, cur.pareto_excluded AS new_excluded
              FROM old_rows prev JOIN new_rows cur ON cur.id = prev.id
             WHERE %(flags_changed)s
        )
        """,
        changed=_changed(PARTNER_COLUMNS),
        flags_changed=_changed(("pareto_is_sme", "pareto_excluded")),
    )


def _partner_deltas(source, flags):
    """The family aggregate's difference for ``source`` when vendors'
    flags change: the lines of the headers whose partner is one of the
    partners of the ``flags`` CTE, counted with the old flags (minus) and
    the new ones (plus). The vendor aggregate does not move."""
    key = "partner_id" if source is ORDER else "commercial_partner_id"
    lines = spend_lines(
        source,
        condition=SQL("head.%s IN (SELECT id FROM %s)", SQL.identifier(key), SQL(flags)),
    )
    return SQL(
        """
        SELECT company_id, family_id, partner_id, day, %(source)s AS source, 0 AS amount,
               SUM(CASE WHEN NOT COALESCE(flags.new_excluded, FALSE) THEN amount ELSE 0 END)
             - SUM(CASE WHEN NOT COALESCE(flags.old_excluded, FALSE) THEN amount ELSE 0 END)
                   AS total,
               SUM(CASE WHEN NOT COALESCE(flags.new_excluded, FALSE)
                         AND COALESCE(flags.new_sme, FALSE) THEN amount ELSE 0 END)
             - SUM(CASE WHEN NOT COALESCE(flags.old_excluded, FALSE)
                         AND COALESCE(flags.old_sme, FALSE) THEN amount ELSE 0 END)
                   AS sme_total
          FROM (%(lines)s) line
          JOIN %(flags)s flags ON flags.id = line.%(key)s
         WHERE line.family_id IS NOT NULL
         GROUP BY company_id, family_id, partner_id, day
        """,
        source=source.name,
        lines=lines,
        flags=SQL(flags),
        key=SQL("partner_id" if source is ORDER else "vendor_id"),
    )


def _partners_function(bulk_rows):
    """Vendors reclassified (size, exclusion, commercial partner): move
    their orders' and bills' spend between SME and non-SME, or in and out of
    the shares."""
    deltas = SQL(
        "%s %s UNION ALL %s",
        _partner_flags_cte(),
        _partner_deltas(ORDER, "flags"),
        _partner_deltas(BILL, "bill_flags"),
    )
    body = _log_or_merge(deltas, "new_rows", bulk_rows, PARTNER_COLUMNS)
    return _function("pareto_spend_partners", body)


def trigger_definitions():
    """[(trigger name, table, timing and events, function name)]."""
    triggers = []
    for source in SOURCES:
        lines = f"pareto_spend_{source.name}_lines"
        heads = f"pareto_spend_{source.name}_heads"
        for event, tables in (
            ("INSERT", "REFERENCING NEW TABLE AS new_rows"),
            ("UPDATE", "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows"),
            ("DELETE", "REFERENCING OLD TABLE AS old_rows"),
        ):
            triggers.append(
                (
                    f"{lines}_{event.lower()}",
                    source.line_table,
                    f"AFTER {event} ON {source.line_table} {tables} FOR EACH STATEMENT",
                    lines,
                )
            )
        triggers.append(
            (
                f"{heads}_update",
                source.head_table,
                f"AFTER UPDATE ON {source.head_table} REFERENCING OLD TABLE AS old_rows "
                "NEW TABLE AS new_rows FOR EACH STATEMENT",
                heads,
            )
        )
        state = "purchase" if source is ORDER else "posted"
        triggers.append(
            (
                f"pareto_spend_{source.name}_head_delete",
                source.head_table,
                f"BEFORE DELETE ON {source.head_table} FOR EACH ROW WHEN (OLD.state = '{state}')",
                f"pareto_spend_{source.name}_head_delete",
            )
        )
    triggers.append(
        (
            "pareto_spend_partners_update",
            "res_partner",
            "AFTER UPDATE ON res_partner REFERENCING OLD TABLE AS old_rows "
            "NEW TABLE AS new_rows FOR EACH STATEMENT",
            "pareto_spend_partners",
        )
    )
    return triggers


def function_definitions(bulk_rows=BULK_ROWS):
    """The CREATE FUNCTION statements of the triggers."""
    functions = []
    for source in SOURCES:
        functions += [
            _lines_function(source, bulk_rows),
            _heads_function(source, bulk_rows),
            _head_delete_function(source),
        ]
    functions.append(_partners_function(bulk_rows))
    return functions


def function_names():
    return sorted({function for *_rest, function in trigger_definitions()})
