import pandas as pd

from pareto_odoo.engine import analysis

PURCHASES = pd.DataFrame(
    {
        "date": ["2024-01-10", "2024-02-10", "2024-03-10"],
        "supplier_id": ["A", "B", "C"],
        "family": ["IT", "IT", "IT"],
        "amount": [100.0, 300.0, 600.0],
    }
)
SUPPLIERS = pd.DataFrame(
    {
        "supplier_id": ["A", "B", "C"],
        "name": ["Paris SME", "Lyon SME", "Big"],
        "size": ["micro", "small", "large"],
        "zip": ["75011", "69003", "75008"],
    }
)


def test_locality_from_zip_codes_by_default():
    table = analysis.family_table(PURCHASES, SUPPLIERS)
    assert table.loc[0, "local_sme_total"] == 100.0
    assert table.loc[0, "local_share"] == 10.0


def test_is_local_column_overrides_zip_codes():
    # The addon decides locality itself (départements or radius of the
    # company): a Lyon SME within the radius is local, a Paris one is not.
    suppliers = SUPPLIERS.assign(is_local=[False, True, True])
    table = analysis.family_table(PURCHASES, suppliers)
    assert table.loc[0, "local_sme_total"] == 300.0
    assert table.loc[0, "local_share"] == 30.0
    assert table.loc[0, "sme_total"] == 400.0
    lines = analysis.spend_lines(PURCHASES, SUPPLIERS.assign(is_local=["yes", "", "no"]))
    assert lines["is_local"].tolist() == [True, False, False]
