"""The options that the size imports share: the Sirene stock job
(``pareto.sirene.job``) and the vendor list wizard (``pareto.vendor.import``)."""

from odoo import fields


def overwrite_manual_field(**attrs):
    """Whether the import replaces the sizes set by hand on vendors."""
    return fields.Boolean(string="Overwrite sizes set by hand", **attrs)


def track_history_field(**attrs):
    """Whether the import posts each size change in the vendor's chatter."""
    return fields.Boolean(string="Log changes in the vendors' chatter", **attrs)
