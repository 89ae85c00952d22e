"""The legal cap on payment terms (art. L.441-10), as the vendors and the
purchase orders show it: both compute the two fields in
``_compute_pareto_payment_term_over_cap`` and search the flag with
``_search_pareto_payment_term_over_cap``."""

from odoo import fields


def days_over_cap_field():
    """How many days the payment term can exceed the legal cap by."""
    return fields.Integer(
        string="Days over the Legal Payment Cap",
        compute="_compute_pareto_payment_term_over_cap",
    )


def over_cap_field(help):
    """Whether the payment term of an SME vendor can exceed the legal cap."""
    return fields.Boolean(
        string="Payment Term over the Legal Cap",
        compute="_compute_pareto_payment_term_over_cap",
        search="_search_pareto_payment_term_over_cap",
        help=help,
    )
