"""pareto_odoo/README.rst is generated from readme/ and the manifest, and up to date
(the pre-commit hook regenerates it; this check needs no pandoc)."""

import ast
import pathlib
import re
import shutil
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))
import gen_addon_readme  # noqa: E402

ADDON = ROOT / "pareto_odoo"


def manifest():
    return ast.literal_eval((ADDON / "__manifest__.py").read_text(encoding="utf-8"))


def test_readme_is_up_to_date():
    readme = (ADDON / "README.rst").read_text(encoding="utf-8")
    digest = re.search(r"!! source digest: (sha256:\w+)", readme).group(1)
    assert digest == gen_addon_readme.source_digest(ADDON, manifest()), "run `make readme`"
    index = (ADDON / "static/description/index.html").read_text(encoding="utf-8")
    assert gen_addon_readme.MARKER in index
    assert digest in index


def test_digest_follows_what_the_readme_shows(tmp_path):
    addon = tmp_path / "pareto_odoo"
    shutil.copytree(ADDON / "readme", addon / "readme")
    data = manifest()
    digest = gen_addon_readme.source_digest(addon, data)
    more_data = {**data, "data": [*data["data"], "views/new_views.xml"]}
    assert gen_addon_readme.source_digest(addon, more_data) == digest
    assert gen_addon_readme.source_digest(addon, {**data, "name": "Other"}) != digest
    (addon / "readme" / "USAGE.md").write_text("Changed.\n", encoding="utf-8")
    assert gen_addon_readme.source_digest(addon, data) != digest
