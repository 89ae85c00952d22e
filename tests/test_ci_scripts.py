"""The scripts find Odoo 19 as the README says, and skip the addon tier without it."""

import functools
import os
import pathlib
import subprocess
import sys
import textwrap
import zipfile

import pytest

ROOT = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))
import check_wheel  # noqa: E402
import junit_counts  # noqa: E402


def detect(env, source="checkout"):
    """ODOO_FOUND, ODOO_ADDONS_PATH, PYTHON and the reason, as odoo_env.sh sets them."""
    script = (
        f"PARETO_ADDON_SOURCE={source} source scripts/odoo_env.sh; "
        'printf "%s\\n" "$ODOO_FOUND" "${ODOO_ADDONS_PATH:-}" "$PYTHON" "$ODOO_MISSING_REASON"'
    )
    clean = {k: v for k, v in os.environ.items() if k not in ("PYTHON", "ODOO_PYTHON")}
    result = subprocess.run(
        ["bash", "-c", script], cwd=ROOT, env={**clean, **env}, capture_output=True,
        text=True, check=True,
    )  # fmt: skip
    return result.stdout.split("\n")[:4]


@pytest.fixture
def fake_odoo(tmp_path):
    """An interpreter that imports an "Odoo 19" from a source tree with a purchase addon
    beside it, and a pareto_odoo installed in its site-packages (as from the wheel): odoo
    and odoo.addons are namespace packages spread over both."""
    (tmp_path / "odoo").mkdir()
    (tmp_path / "odoo" / "release.py").write_text("version_info = (19, 0, 0, 'final', 0, '')\n")
    (tmp_path / "addons" / "purchase").mkdir(parents=True)
    (tmp_path / "addons" / "purchase" / "__manifest__.py").write_text("{}\n")
    site = tmp_path / "site-packages"
    (site / "odoo" / "addons" / "pareto_odoo").mkdir(parents=True)
    (site / "odoo" / "addons" / "pareto_odoo" / "__init__.py").write_text("")
    python = tmp_path / "python"
    # -S: without this interpreter's own site-packages (where a real Odoo may be).
    python.write_text(f'#!/bin/sh\nPYTHONPATH={site}:{tmp_path} exec {sys.executable} -S "$@"\n')
    python.chmod(0o755)
    return tmp_path, str(python)


def test_no_odoo_in_python():
    found, _path, python, reason = detect({"PYTHON": "/bin/false"})
    assert (found, python) == ("0", "/bin/false")
    assert "Odoo 19 is not importable by /bin/false" in reason


def test_explicit_odoo_python_must_import_odoo(fake_odoo):
    _root, python = fake_odoo
    found, _path, _python, reason = detect({"PYTHON": python, "ODOO_PYTHON": "/bin/false"})
    assert found == "0"
    assert "ODOO_PYTHON=/bin/false does not import Odoo 19" in reason


def test_odoo_found_in_python_or_odoo_python(fake_odoo):
    root, python = fake_odoo
    assert detect({"PYTHON": python}) == ["1", f"{root}/addons,{ROOT}", python, ""]
    assert detect({"PYTHON": "/bin/false", "ODOO_PYTHON": python}) == [
        "1", f"{root}/addons,{ROOT}", python, "",
    ]  # fmt: skip
    # Testing the installed wheel: Odoo's core addons only, never this checkout.
    assert detect({"PYTHON": python}, source="installed")[:2] == ["1", f"{root}/addons"]


def test_addon_dir(fake_odoo):
    root, python = fake_odoo
    script = "source scripts/odoo_env.sh; addon_dir"
    run = functools.partial(
        subprocess.run, ["bash", "-c", script], cwd=ROOT, capture_output=True, text=True
    )
    installed = run(env={**os.environ, "PYTHON": python, "PARETO_ADDON_SOURCE": "installed"})
    assert installed.stdout.strip() == f"{root}/site-packages/odoo/addons/pareto_odoo"
    checkout = run(env={**os.environ, "PYTHON": python, "PARETO_ADDON_SOURCE": "checkout"})
    assert checkout.stdout.strip() == f"{ROOT}/pareto_odoo"
    (root / "site-packages" / "odoo" / "addons" / "pareto_odoo" / "__init__.py").unlink()
    (root / "site-packages" / "odoo" / "addons" / "pareto_odoo").rmdir()
    missing = run(env={**os.environ, "PYTHON": python, "PARETO_ADDON_SOURCE": "installed"})
    assert missing.returncode == 1
    assert "pareto_odoo is not installed" in missing.stderr


def test_addon_tier_skipped_with_one_line():
    result = subprocess.run(
        ["bash", "scripts/test_odoo.sh"], cwd=ROOT, capture_output=True, text=True,
        env={**os.environ, "PYTHON": "/bin/false"}, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        "Addon tier skipped: Odoo 19 is not importable by /bin/false (install Odoo 19 from "
        "source with 'pip install -e <odoo>', or set PYTHON or ODOO_PYTHON to the interpreter "
        "that has it)."
    ]


def make_wheel(path, files, requires):
    with zipfile.ZipFile(path, "w") as wheel:
        for name in files:
            wheel.writestr(name, "")
        metadata = "Name: odoo-addon-pareto_odoo\nVersion: 19.0.1.0.0\n"
        metadata += "".join(f"Requires-Dist: {r}\n" for r in requires)
        wheel.writestr("odoo_addon_pareto_odoo-19.0.1.0.0.dist-info/METADATA", metadata)


def test_check_wheel(tmp_path):
    tracked = subprocess.run(
        ["git", "ls-files", "--", "."], cwd=ROOT / "pareto_odoo", capture_output=True,
        text=True, check=True,
    ).stdout.split()  # fmt: skip
    packaged = [f"odoo/addons/pareto_odoo/{n}" for n in tracked if n != "pyproject.toml"]
    manifest = check_wheel.ast.literal_eval((ROOT / "pareto_odoo/__manifest__.py").read_text())
    requires = ["odoo==19.0.*", *manifest["external_dependencies"]["python"]]
    make_wheel(tmp_path / "ok.whl", packaged, requires)
    assert check_wheel.check(tmp_path / "ok.whl", ROOT / "pareto_odoo")[0] == []
    make_wheel(tmp_path / "bad.whl", [*packaged[1:], "odoo/addons/other/x.py"], requires[1:])
    problems = check_wheel.check(tmp_path / "bad.whl", ROOT / "pareto_odoo")[0]
    assert problems == [
        f"missing from the wheel: {packaged[0].removeprefix('odoo/addons/pareto_odoo/')}",
        "outside the addon: odoo/addons/other/x.py",
        "requirement not in the wheel: odoo==19.0.*",
    ]


def test_junit_counts(tmp_path):
    report = tmp_path / "report.xml"
    report.write_text(
        textwrap.dedent(
            """\
            <testsuites><testsuite>
              <testcase name="a"/>
              <testcase name="b"><failure message="boom"/></testcase>
              <testcase name="c"><error message="setup"/></testcase>
              <testcase name="d"><skipped message="The demo data is not installed."/></testcase>
              <testcase name="e"><skipped message="Chrome executable not found"/></testcase>
            </testsuite></testsuites>
            """
        )
    )
    assert junit_counts.counts(report) == (5, 2, 2, 1)
