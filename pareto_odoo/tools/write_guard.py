"""What nobody may write, and numbers that cannot be stored: the guard every
model of the addon runs on ``create`` and ``write``.

Two rules, both derived from the field definitions (no hand-kept list):

* **Derived fields are never written.** A stored computed field of the addon
  without an inverse (``pareto_is_sme``, ``pareto_department``,
  ``pareto_siren``, ``purchase.order.pareto_status``,
  ``purchase.order.line.pareto_family_id``,
  ``product.category.pareto_effective_family_id``, ...) is what the addon
  derives from other fields: ``create`` and ``write`` refuse it for everyone,
  superuser included, with an :class:`~odoo.exceptions.AccessError` naming the
  fields. The ORM's own recompute still sets them (it does not go through
  ``write``), and so do the addon's set-based SQL refreshes. Context and user
  defaults (``default_<field>``) for them are ignored.
* **Numbers are finite and fit their column.** A float or monetary field of
  the addon refuses NaN and ±infinity (JSON-RPC and ``float("nan")`` send
  them), an integer field refuses non-integral values and values outside
  PostgreSQL's ``integer``; text that is not a number is refused too. A
  :class:`~odoo.exceptions.ValidationError` names the field, before anything
  is written (Odoo would otherwise fail with a traceback, or store NaN).

How to apply it to a model (the ``pareto.write.guard`` mixin does exactly
this, so inheriting it is enough)::

    class AccountMoveLine(models.Model):
        _inherit = ["account.move.line", "pareto.write.guard"]

        pareto_family_id = fields.Many2one(..., compute=..., store=True)

or, from a model's own ``create`` / ``write``::

    write_guard.check(self, vals_list)

Only the fields the addon defines are guarded (a field is the addon's when
``pareto_odoo`` is among the modules that define it), so Odoo's own fields
keep Odoo's behaviour. The field sets are computed once per model class.
"""

import math
import weakref

from odoo.exceptions import AccessError, ValidationError

from .params import shown

ADDON = "pareto_odoo"
INT4_MIN, INT4_MAX = -(2**31), 2**31 - 1

_FIELD_SETS = weakref.WeakKeyDictionary()  # model class -> (derived, floats, integers)


def _field_sets(model):
    """(derived, floats, integers): names of the addon's fields of ``model``."""
    cls = type(model)
    sets = _FIELD_SETS.get(cls)
    if sets is None:
        derived, floats, integers = set(), set(), set()
        for name, field in model._fields.items():
            if ADDON not in field._modules:
                continue
            if field.store and field.compute and field.readonly and not field.inverse:
                derived.add(name)
            if field.type in ("float", "monetary"):
                floats.add(name)
            elif field.type == "integer":
                integers.add(name)
        sets = _FIELD_SETS[cls] = (frozenset(derived), frozenset(floats), frozenset(integers))
    return sets


def derived_fields(model):
    """Names of the stored computed fields of the addon on ``model`` that have
    no inverse: what nobody may write."""
    return _field_sets(model)[0]


def check(model, vals_list):
    """Refuse ``vals_list`` (the values of a ``create`` or a ``write``) if
    they write a derived field or an invalid number; see the module's
    documentation."""
    derived, floats, integers = _field_sets(model)
    if not (derived or floats or integers):
        return
    for vals in vals_list:
        written = derived.intersection(vals)
        if written:
            raise AccessError(
                model.env._(
                    "Cannot write %(fields)s: computed by Pareto from other fields.",
                    fields=_labels(model, written),
                )
            )
        for name in floats.intersection(vals):
            _check_number(model, name, vals[name], integer=False)
        for name in integers.intersection(vals):
            _check_number(model, name, vals[name], integer=True)


def drop_derived(model, defaults):
    """``defaults`` (from ``default_get``) without the derived fields."""
    derived = derived_fields(model)
    if derived.isdisjoint(defaults):
        return defaults
    return {name: value for name, value in defaults.items() if name not in derived}


def _check_number(model, name, value, integer):
    if value is None or value is False or isinstance(value, bool):
        return
    try:
        number = float(value)
    except (TypeError, ValueError, OverflowError):
        number = math.nan
    if not integer and math.isfinite(number):
        return
    if integer and math.isfinite(number) and number.is_integer() and INT4_MIN <= number <= INT4_MAX:
        return
    if integer:
        message = model.env._(
            "%(field)s must be a whole number between %(min)s and %(max)s, not “%(value)s”.",
            field=_labels(model, [name]),
            min=INT4_MIN,
            max=INT4_MAX,
            value=shown(value),
        )
    else:
        message = model.env._(
            "%(field)s must be a finite number, not “%(value)s”.",
            field=_labels(model, [name]),
            value=shown(value),
        )
    raise ValidationError(message)


def _labels(model, names):
    return ", ".join(model._fields[name]._description_string(model.env) for name in sorted(names))
