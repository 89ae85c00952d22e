"""The Python packages the addon imports are declared: in the manifest's
external_dependencies (checked by Odoo at install, turned into the wheel's
requirements), and with the same ranges in requirements.txt."""

import ast
import pathlib
import re
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
ADDON = ROOT / "pareto_odoo"
# Top-level modules that Odoo 19 itself requires (its requirements.txt): the addon may
# use them without declaring them, as every Odoo environment has them.
ODOO_PROVIDED = {
    "odoo", "babel", "dateutil", "docutils", "lxml", "markupsafe", "PIL", "polib",
    "psycopg2", "pytz", "reportlab", "werkzeug", "xlrd", "xlwt", "zeep",
}  # fmt: skip
# Imported inside a function, only by the standalone diagnostic, which says so without it.
OPTIONAL = {"matplotlib": "matplotlib"}
# Module name -> PyPI name, where they differ.
DISTRIBUTIONS = {"stdnum": "python-stdnum", "xlsxwriter": "XlsxWriter", "yaml": "PyYAML"}


def requirement_name(spec):
    return re.split(r"[<>=!~;\[ ]", spec, maxsplit=1)[0]


def manifest_dependencies():
    manifest = ast.literal_eval((ADDON / "__manifest__.py").read_text(encoding="utf-8"))
    return manifest.get("external_dependencies", {}).get("python", [])


def requirements(name="requirements.txt"):
    lines = (ROOT / name).read_text(encoding="utf-8").splitlines()
    return [line.split("#")[0].strip() for line in lines if line.split("#")[0].strip()]


def imported_modules(path):
    """Top-level modules imported by a file: (module, imported at module level)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    top_level = set(tree.body)
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and not node.level:
            names = [node.module]
        else:
            continue
        for name in names:
            yield name.split(".")[0], node in top_level


def third_party_imports():
    local = {"pareto_odoo"} | {p.stem for p in ADDON.rglob("*.py")}
    found = {}
    for path in ADDON.rglob("*.py"):
        for module, module_level in imported_modules(path):
            if module in sys.stdlib_module_names or module in local:
                continue
            found.setdefault(module, set()).add((path.relative_to(ROOT), module_level))
    return found


def test_manifest_and_requirements_agree():
    declared = {requirement_name(spec): spec for spec in manifest_dependencies()}
    listed = {requirement_name(spec): spec for spec in requirements()}
    assert declared, "the manifest names no external dependency"
    for name, spec in declared.items():
        assert listed.get(name) == spec, f"{spec} (manifest) vs {listed.get(name)} (requirements)"
    assert set(listed) - set(declared) == set(OPTIONAL.values())


def test_every_imported_package_is_declared():
    declared = {requirement_name(spec).lower() for spec in manifest_dependencies()}
    for_tests = declared | {
        requirement_name(s).lower() for s in requirements("requirements-dev.txt")
    }
    undeclared = {}
    for module, places in third_party_imports().items():
        if module in ODOO_PROVIDED:
            continue
        if module in OPTIONAL:
            assert not any(level for _path, level in places), f"{module} imported at load"
            continue
        for path, _level in places:
            allowed = for_tests if "tests" in path.parts else declared
            if DISTRIBUTIONS.get(module, module).lower() not in allowed:
                undeclared.setdefault(module, []).append(str(path))
    assert not undeclared, f"imported but not in the manifest's external_dependencies: {undeclared}"


def test_every_dependency_has_a_range():
    for spec in requirements():
        assert re.search(r"[<>=]", spec), f"{spec}: give it a version range"
