import pytest

from pareto_odoo.engine import compliance


@pytest.mark.parametrize(
    ("status", "total", "shown"),
    [
        (compliance.OK, 0.0, compliance.NO_SPEND),
        (compliance.OK, None, compliance.NO_SPEND),
        (compliance.OK, 100.0, compliance.OK),
        (compliance.WARNING, 100.0, compliance.WARNING),
        (compliance.BELOW, 100.0, compliance.BELOW),
        (None, 0.0, None),  # Unclassified spend has no status
    ],
)
def test_shown_status(status, total, shown):
    assert compliance.shown_status(status, total) == shown


def test_no_spend_is_ok_for_the_rules():
    # The public status of a family without spend stays "ok" (DESIGN.md).
    assert compliance.status(None, 20.0, 5.0) == compliance.OK
    assert compliance.family_figures(20.0, 5.0, 0.0, 0.0, 0.0, 0.0)["status"] == compliance.OK


@pytest.mark.parametrize(
    ("share", "target", "below"),
    [
        (None, 20.0, False),  # no spend before the order
        (20.0, 20.0, False),  # on target
        (19.9, 20.0, True),  # within the warning margin: already below target
        (0.0, 20.0, True),
        (0.0, 0.0, False),
    ],
)
def test_already_below(share, target, below):
    assert compliance.already_below(share, target) is below
