"""The legal cap on payment terms (art. L.441-10), as the vendors and the
purchase orders show it: both compute the two fields in
``_compute_pareto_payment_term_over_cap`` and search the flag with
``_search_pareto_payment_term_over_cap``."""

from odoo import fields

from ..tools import boolean_search


def days_over_cap_field():
    """How many days the payment term can exceed the legal cap by."""
    return fields.Integer(
        string="Days over the Legal Payment Cap",
        compute="_compute_pareto_payment_term_over_cap",
    )


def over_cap_field(**attrs):
    """Whether the payment term of an SME vendor can exceed the legal cap."""
    return fields.Boolean(
        string="Payment Term over the Legal Cap",
        compute="_compute_pareto_payment_term_over_cap",
        search="_search_pareto_payment_term_over_cap",
        **attrs,
    )


def set_over_cap(record, term, vendor):
    """Compute both fields of ``record``, whose payment term to ``vendor`` is ``term``."""
    days = term._pareto_days_over_cap_for(vendor)
    record.pareto_payment_term_days_over = days
    record.pareto_payment_term_over_cap = bool(days)


def search_over_cap(records, operator, value, vendor_path, term_path):
    """The domain of ``records`` whose flag compares to ``value`` with ``operator``:
    their vendor company at ``vendor_path``, their payment term at ``term_path``."""
    domain = records.env["account.payment.term"]._pareto_over_cap_domain(vendor_path, term_path)
    return boolean_search(operator, value, domain)
