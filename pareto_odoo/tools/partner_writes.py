"""Batched writes of vendor classifications, for the bulk imports."""

from collections import defaultdict


def write_grouped(partners, values_by_id):
    """Write ``{partner id: vals}`` with one ``write`` per distinct ``vals``.

    An import gives most vendors one of a handful of values (five sizes, a few
    years): grouping turns thousands of single-record writes into a few
    set-based ones. ``partners`` is the ``res.partner`` model (its environment
    and context are used). Returns the number of ``write`` calls.
    """
    groups = defaultdict(list)
    for partner_id, vals in values_by_id.items():
        groups[tuple(sorted(vals.items()))].append(partner_id)
    for key, ids in groups.items():
        partners.browse(sorted(ids)).write(dict(key))
    return len(groups)
