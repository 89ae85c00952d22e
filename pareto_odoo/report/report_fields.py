"""Fields of the addon's SQL reports that group as the dashboard says them:
groups without a family read "Unclassified", without a size "Unknown size".

A falsy value label is not the field's string: Odoo translates it when it
describes the field, from a lazy term (as project.task does)."""

from odoo import fields
from odoo.tools import LazyTranslate

from ..models.res_partner import SIZE_SELECTION

_lt = LazyTranslate(__name__)


def family_field(string, **attrs):
    return fields.Many2one(
        "pareto.family",
        string=string,
        readonly=True,
        falsy_value_label=_lt("Unclassified"),  # pylint: disable=translation-field
        **attrs,
    )


def size_field():
    return fields.Selection(
        SIZE_SELECTION,
        string="Company Size",
        readonly=True,
        falsy_value_label=_lt("Unknown size"),  # pylint: disable=translation-field
    )


def amount_field(string, **attrs):
    """A spend measure, in the row's currency."""
    return fields.Monetary(string=string, readonly=True, **attrs)


def share_field(string, **attrs):
    """A share in percent: a grouped row shows the spend-weighted share of the
    group (the report's ``_RATIO_MEASURES``)."""
    return fields.Float(string=string, readonly=True, aggregator="avg", digits=(16, 1), **attrs)
