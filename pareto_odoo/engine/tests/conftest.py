import warnings

import pytest


@pytest.fixture(autouse=True)
def _warnings_are_errors():
    """Any warning fails an engine test (pytest's configuration cannot say so for this
    folder only: under pytest-odoo, Odoo's own warning filters and log apply)."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        yield
