"""The options that the size imports share: the Sirene stock job
(``pareto.sirene.job``) and the vendor list wizard (``pareto.vendor.import``)."""

from odoo import fields


def overwrite_manual_field(help):
    """Whether the import replaces the sizes set by hand on vendors."""
    return fields.Boolean(string="Overwrite sizes set by hand", help=help)


def track_history_field(help):
    """Whether the import posts each size change in the vendor's chatter."""
    return fields.Boolean(string="Log changes in the vendors' chatter", help=help)
