"""Repair of the size sources turned into ``manual`` by mistake (upgrade to
19.0.1.1.0, see ``migrations/19.0.1.1.0/post-migrate.py``).

Before 19.0.1.1.0, a size written without its source was always taken as
set by hand. Two writes of code hit that rule:

* the registry refresh (button and scheduled action) writes only the fields
  that change: when the registry changed the size of a vendor whose source
  was already ``registry``, the size went alone and the vendor became
  ``manual`` (and was never refreshed again);
* the commercial sync of a company to its contacts writes only the fields
  that change: a contact of a company whose size changed with its source
  unchanged (registry refresh, import, a manager keeping the source) became
  ``manual`` while its company was not.

The history tells them apart from real changes by hand:

* a vendor company is restored to ``registry`` when its latest change of
  source, tracked in its chatter, went from *National registry* to *Set by
  hand* together with a change of size, in the same transaction as a note of
  the registry refresh on that vendor (a change by hand is a separate
  request, with no such note), its size has not been changed since, and it
  has a registry refresh date;
* a contact set by hand whose size is its company's takes its company's
  source when that is ``registry`` or ``import``.

Set-based SQL: it runs on databases with millions of partners.
"""

import logging

from odoo.tools import SQL

_logger = logging.getLogger(__name__)


def _field_id(env, name):
    env.cr.execute(
        SQL(
            "SELECT id FROM ir_model_fields WHERE model = 'res.partner' AND name = %s",
            name,
        )
    )
    row = env.cr.fetchone()
    return row and row[0]


def _source_labels(env, field_id):
    """{source key: [every label it was tracked with]}: tracking values hold
    the selection's label in the writer's language (or the key itself)."""
    env.cr.execute(
        SQL(
            """SELECT selection.value, label.value
                 FROM ir_model_fields_selection selection
                CROSS JOIN LATERAL jsonb_each_text(selection.name) label
                WHERE selection.field_id = %s""",
            field_id,
        )
    )
    labels = {}
    for key, label in env.cr.fetchall():
        labels.setdefault(key, {key}).add(label)
    return {key: sorted(values) for key, values in labels.items()}


def restore_size_sources(env):
    """Restore the sources of the vendor companies and contacts that the
    history shows came from the registry or an import; return the ids of
    the (companies, contacts) restored."""
    env.flush_all()
    source_field = _field_id(env, "pareto_size_source")
    size_field = _field_id(env, "pareto_size")
    companies = []
    if source_field and size_field:
        labels = _source_labels(env, source_field)
        env.cr.execute(
            SQL(
                """
                WITH latest_source AS (
                    SELECT DISTINCT ON (message.res_id)
                           message.res_id AS partner_id, message.id AS message_id,
                           message.create_date, value.old_value_char, value.new_value_char
                      FROM mail_tracking_value value
                      JOIN mail_message message ON message.id = value.mail_message_id
                     WHERE value.field_id = %(source_field)s
                       AND message.model = 'res.partner'
                     ORDER BY message.res_id, message.id DESC
                )
                UPDATE res_partner partner
                   SET pareto_size_source = 'registry'
                  FROM latest_source flip
                 WHERE partner.id = flip.partner_id
                   AND partner.id = partner.commercial_partner_id
                   AND partner.pareto_size_source = 'manual'
                   AND partner.pareto_size IS NOT NULL
                   AND partner.pareto_registry_date IS NOT NULL
                   AND flip.old_value_char = ANY(%(registry)s)
                   AND flip.new_value_char = ANY(%(manual)s)
                   AND EXISTS (
                       SELECT 1 FROM mail_tracking_value size
                        WHERE size.mail_message_id = flip.message_id
                          AND size.field_id = %(size_field)s)
                   AND NOT EXISTS (
                       SELECT 1 FROM mail_tracking_value size
                         JOIN mail_message later ON later.id = size.mail_message_id
                        WHERE size.field_id = %(size_field)s
                          AND later.model = 'res.partner'
                          AND later.res_id = partner.id
                          AND later.id > flip.message_id)
                   AND EXISTS (
                       SELECT 1 FROM mail_message note
                        WHERE note.model = 'res.partner'
                          AND note.res_id = partner.id
                          AND note.message_type = 'comment'
                          AND note.create_date = flip.create_date
                          AND note.id <> flip.message_id)
             RETURNING partner.id
                """,
                source_field=source_field,
                size_field=size_field,
                registry=labels.get("registry", ["registry"]),
                manual=labels.get("manual", ["manual"]),
            )
        )
        companies = sorted(row[0] for row in env.cr.fetchall())
    env.cr.execute(
        SQL(
            """
            UPDATE res_partner contact
               SET pareto_size_source = company.pareto_size_source
              FROM res_partner company
             WHERE company.id = contact.commercial_partner_id
               AND contact.id <> company.id
               AND contact.pareto_size_source = 'manual'
               AND company.pareto_size_source IN ('registry', 'import')
               AND contact.pareto_size IS NOT DISTINCT FROM company.pareto_size
         RETURNING contact.id
            """
        )
    )
    contacts = sorted(row[0] for row in env.cr.fetchall())
    env["res.partner"].invalidate_model(["pareto_size_source"])
    _logger.info(
        "Pareto: size source restored on %s vendor companies (registry) and %s contacts "
        "(their company's).",
        len(companies),
        len(contacts),
    )
    return companies, contacts
