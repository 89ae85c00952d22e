import pytest

from pareto_odoo.engine import accounts


def test_parse_prefixes_strips_and_dedupes():
    assert accounts.parse_prefixes(" 6226, 6227,,6226 ") == ["6226", "6227"]
    assert accounts.parse_prefixes("") == []
    assert accounts.parse_prefixes(None) == []


@pytest.mark.parametrize("text", ["62 26", "6226;6227", "62-26", "6%"])
def test_parse_prefixes_refuses_non_codes(text):
    with pytest.raises(accounts.AccountPrefixError) as error:
        accounts.parse_prefixes(text)
    assert error.value.args[0] == accounts.INVALID_PREFIX


def test_longest_prefix_wins():
    families = [("fees", ["622"]), ("legal", ["6226", "6227"]), ("energy", ["6061"])]
    assert accounts.family_of_account("622600", families) == "legal"
    assert accounts.family_of_account("622100", families) == "fees"
    assert accounts.family_of_account("606100", families) == "energy"
    assert accounts.family_of_account("601000", families) is None
    assert accounts.family_of_account(False, families) is None


def test_tie_goes_to_first_family():
    assert accounts.family_of_account("6226", [("a", ["6226"]), ("b", ["6226"])]) == "a"
