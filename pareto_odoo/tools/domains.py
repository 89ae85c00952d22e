"""Search methods of computed boolean fields."""

from odoo.fields import Domain


def boolean_search(operator, value, domain):
    """The domain of a search on a computed boolean field whose true
    records match ``domain``: Odoo 19 hands search methods ``in`` with the
    values sought (True, False or both); other operators are left to the ORM
    (``NotImplemented``)."""
    if operator != "in":
        return NotImplemented
    if True in value and False in value:
        return Domain.TRUE
    return domain if True in value else ~domain
