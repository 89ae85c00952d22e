"""Check a built addon wheel against the checkout.

    python scripts/check_wheel.py dist/odoo_addon_pareto_odoo-*.whl pareto_odoo

Fails when a file under version control in the addon is missing from the wheel (whool
packages what git tracks), when the wheel carries files of another addon, or when its
requirements do not match the manifest (Odoo 19, and every external dependency with
its version range).
"""

import ast
import email.parser
import pathlib
import subprocess
import sys
import zipfile

NOT_PACKAGED = {"pyproject.toml"}


def check(wheel_path, addon):
    addon = pathlib.Path(addon)
    manifest = ast.literal_eval((addon / "__manifest__.py").read_text(encoding="utf-8"))
    tracked = subprocess.run(
        ["git", "ls-files", "-z", "--", "."], cwd=addon, check=True, capture_output=True, text=True
    ).stdout.split("\0")
    expected = {name for name in tracked if name and name not in NOT_PACKAGED}
    prefix = f"odoo/addons/{addon.name}/"
    with zipfile.ZipFile(wheel_path) as wheel:
        names = wheel.namelist()
        packaged = {n[len(prefix) :] for n in names if n.startswith(prefix)}
        metadata_name = next(n for n in names if n.endswith(".dist-info/METADATA"))
        metadata = email.parser.Parser().parsestr(wheel.read(metadata_name).decode("utf-8"))
    problems = [f"missing from the wheel: {name}" for name in sorted(expected - packaged)]
    problems += [
        f"outside the addon: {name}"
        for name in names
        if not name.startswith(prefix) and ".dist-info/" not in name
    ]
    if metadata["Name"] != f"odoo-addon-{addon.name}":
        problems.append(f"distribution name {metadata['Name']!r}")
    requires = {r.replace(" ", "") for r in metadata.get_all("Requires-Dist") or []}
    wanted = {"odoo==19.0.*", *manifest.get("external_dependencies", {}).get("python", [])}
    problems += [f"requirement not in the wheel: {r}" for r in sorted(wanted - requires)]
    return problems, len(packaged), metadata


def main(argv=None):
    wheel_path, addon = (argv or sys.argv[1:])[:2]
    problems, count, metadata = check(wheel_path, addon)
    for problem in problems:
        print(f"{wheel_path}: {problem}")
    if not problems:
        print(f"   {metadata['Name']} {metadata['Version']}: {count} files, as tracked; requires")
        print("   " + ", ".join(metadata.get_all("Requires-Dist") or []))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
