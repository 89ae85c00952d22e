"""Generate an addon's README.rst and static/description/index.html from readme/.

The OCA does this with ``oca-gen-addon-readme`` (OCA/maintainer-tools), which is not
published on PyPI: it installs from its Git repository only, which CI machines cannot
reach. This script produces the same layout from the same inputs (the ``readme/``
fragments in Markdown or reStructuredText, and the manifest): title, generated-file
banner with a source digest, maturity / licence / repository badges, description,
table of contents, the other fragments in the OCA's order, bug tracker and credits.
Markdown is converted with pandoc (GitHub-flavoured Markdown, no raw HTML, as the OCA
does), the HTML page with docutils.

    python scripts/gen_addon_readme.py pareto_odoo [--check] [--branch 19.0]

Without ``--check`` it rewrites the files whose content changed (pre-commit then
reports them as modified); with ``--check`` it writes nothing and exits 1 when a
file is out of date. Needs ``pypandoc`` (with a pandoc binary, e.g.
``pypandoc_binary``) when a fragment is in Markdown, and ``docutils``.
"""

import argparse
import ast
import hashlib
import pathlib
import re
import sys

# (name, title, heading level of the fragment's own content: 2 = a section, 3 = under Credits)
FRAGMENTS = (
    ("DESCRIPTION", None, 2),
    ("CONTEXT", "Use Cases / Context", 2),
    ("INSTALL", "Installation", 2),
    ("CONFIGURE", "Configuration", 2),
    ("USAGE", "Usage", 2),
    ("DEVELOP", "Development", 2),
    ("ROADMAP", "Known issues / Roadmap", 2),
    ("HISTORY", "Changelog", 2),
    ("CONTRIBUTORS", "Contributors", 3),
    ("CREDITS", "Other credits", 3),
)
STATUS_BADGES = {
    "alpha": ("Alpha-red", "Alpha"),
    "beta": ("Beta-yellow", "Beta"),
    "production/stable": ("Production%2FStable-green", "Production/Stable"),
    "mature": ("Mature-brightgreen", "Mature"),
}
LICENCES = {
    "AGPL-3": "https://www.gnu.org/licenses/agpl-3.0-standalone.html",
    "GPL-3": "https://www.gnu.org/licenses/gpl-3.0-standalone.html",
    "LGPL-3": "https://www.gnu.org/licenses/lgpl-3.0-standalone.html",
}
MARKDOWN = "gfm-raw_html-gfm_auto_identifiers"
# As the OCA (after pypa/readme_renderer): no file inclusion, no raw HTML, stop on warnings.
DOCUTILS_SETTINGS = {
    "file_insertion_enabled": False,
    "raw_enabled": False,
    "halt_level": 2,
    "report_level": 2,
    "smart_quotes": True,
    "syntax_highlight": "short",
    "xml_declaration": False,
    "output_encoding": "utf-8",
    "embed_stylesheet": True,
}
MARKER = "scripts/gen_addon_readme.py"
MANIFEST_KEYS = ("name", "development_status", "license", "website", "author", "maintainers")


def read_manifest(addon):
    return ast.literal_eval((addon / "__manifest__.py").read_text(encoding="utf-8"))


def fragment_source(addon, name):
    candidates = (addon / "readme" / f"{name}{ext}" for ext in (".md", ".rst"))
    found = [path for path in candidates if path.is_file()]
    if len(found) > 1:
        raise SystemExit(f"{addon.name}: both {found[0].name} and {found[1].name}; keep one.")
    return found[0] if found else None


def to_rst(path, level):
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".md":
        import pypandoc  # noqa: PLC0415 - only needed for Markdown fragments

        text = pypandoc.convert_text(
            text,
            "rst",
            format=MARKDOWN,
            extra_args=[f"--shift-heading-level-by={level - 2}", "--wrap=preserve"],
            sandbox=True,
        )
    return text.strip() + "\n"


def heading(title, char):
    return f"{title}\n{char * len(title)}\n"


def badges(manifest, org, repo, branch, addon_name):
    result = []
    status = manifest.get("development_status", "Beta").lower()
    if status in STATUS_BADGES:
        slug, alt = STATUS_BADGES[status]
        result.append(
            (
                f"https://img.shields.io/badge/maturity-{slug}.png",
                "https://odoo-community.org/page/development-status",
                alt,
            )
        )
    licence = manifest.get("license")
    if licence in LICENCES:
        result.append(
            (
                f"https://img.shields.io/badge/license-{licence.replace('-', '--')}-blue.png",
                LICENCES[licence],
                f"License: {licence}",
            )
        )
    result.append(
        (
            f"https://img.shields.io/badge/github-{org.replace('-', '--')}%2F"
            f"{repo.replace('-', '--')}-lightgray.png?logo=github",
            f"https://github.com/{org}/{repo}/tree/{branch}/{addon_name}",
            f"{org}/{repo}",
        )
    )
    lines = []
    for index, (image, target, alt) in enumerate(result, 1):
        lines += [f".. |badge{index}| image:: {image}", f"    :target: {target}"]
        lines += [f"    :alt: {alt}"]
    lines += ["", " ".join(f"|badge{index}|" for index in range(1, len(result) + 1))]
    return "\n".join(lines) + "\n"


def credits(manifest, fragments, org, repo, branch, addon_name):
    parts = [heading("Credits", "=")]
    authors = [a.strip() for a in manifest.get("author", "").split(",") if a.strip()]
    if authors:
        parts.append(heading("Authors", "-") + "\n" + "".join(f"- {a}\n" for a in authors))
    titles = {name: title for name, title, _level in FRAGMENTS}
    for name in ("CONTRIBUTORS", "CREDITS"):
        if name in fragments:
            parts.append(heading(titles[name], "-") + "\n" + fragments[name])
    maintainers = manifest.get("maintainers", [])
    text = heading("Maintainers", "-")
    if maintainers:
        text += "\n" + "".join(
            f".. |maintainer-{m}| image:: https://github.com/{m}.png?size=40px\n"
            f"    :target: https://github.com/{m}\n    :alt: {m}\n"
            for m in maintainers
        )
        text += f"\nCurrent maintainer{'s' if len(maintainers) > 1 else ''}:\n\n"
        text += " ".join(f"|maintainer-{m}|" for m in maintainers) + "\n"
    text += (
        f"\nThis module is part of the `{org}/{repo} "
        f"<https://github.com/{org}/{repo}/tree/{branch}/{addon_name}>`_ project on GitHub.\n"
        "\nYou are welcome to contribute.\n"
    )
    parts.append(text)
    return "\n".join(parts)


def source_digest(addon, manifest):
    """Of what the README is made of: the fragments and the manifest keys it shows (so
    that adding a data file to the manifest leaves it as it is)."""
    digest = hashlib.sha256(
        repr(sorted((key, manifest.get(key)) for key in MANIFEST_KEYS)).encode()
    )
    for path in sorted((addon / "readme").glob("*")):
        if path.is_file():
            digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return "sha256:" + digest.hexdigest()


def render_readme(addon, branch):
    manifest = read_manifest(addon)
    match = re.match(r"https://github\.com/([^/]+)/([^/]+)", manifest.get("website", ""))
    if not match:
        raise SystemExit(f"{addon.name}: the manifest's website must be its GitHub repository.")
    org, repo = match.groups()
    fragments = {}
    for name, _title, level in FRAGMENTS:
        path = fragment_source(addon, name)
        if path and path.read_text(encoding="utf-8").strip():
            fragments[name] = to_rst(path, level)
    if "DESCRIPTION" not in fragments:
        raise SystemExit(f"{addon.name}: readme/DESCRIPTION.md is required.")
    title = manifest["name"]
    banner = "!" * 70
    parts = [
        "=" * len(title) + "\n" + title + "\n" + "=" * len(title) + "\n",
        "..\n"
        f"   {banner}\n"
        f"   !! This file is generated by {MARKER} from readme/\n"
        "   !! and the manifest: changes will be overwritten.\n"
        f"   {banner}\n"
        f"   !! source digest: {source_digest(addon, manifest)}\n"
        f"   {banner}\n",
        badges(manifest, org, repo, branch, addon.name),
        fragments["DESCRIPTION"],
        "**Table of contents**\n\n.. contents::\n   :local:\n",
    ]
    for name, title, level in FRAGMENTS:
        if level == 2 and title and name in fragments:
            parts.append(heading(title, "=") + "\n" + fragments[name])
    issues = f"https://github.com/{org}/{repo}/issues"
    parts.append(
        heading("Bug Tracker", "=") + f"\nBugs are tracked on `GitHub Issues <{issues}>`_.\n"
        "In case of trouble, please check there if your issue has already been reported.\n"
    )
    parts.append(credits(manifest, fragments, org, repo, branch, addon.name))
    return "\n".join(parts)


def render_html(readme_text):
    from docutils.core import publish_string  # noqa: PLC0415

    html = publish_string(
        readme_text, writer_name="html4css1", settings_overrides=DOCUTILS_SETTINGS
    ).decode("utf-8")
    # Keep the page stable across docutils versions.
    html = re.sub(r'(<meta name="generator" content="Docutils)[^"]*"', r'\1"', html)
    return html.replace("<head>", f"<head>\n<!-- generated by {MARKER} -->", 1)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("addons", nargs="+", type=pathlib.Path)
    parser.add_argument("--branch", default="19.0")
    parser.add_argument("--check", action="store_true", help="write nothing; exit 1 if stale")
    args = parser.parse_args(argv)
    stale = []
    for addon in args.addons:
        readme = render_readme(addon.resolve(), args.branch)
        outputs = {
            addon / "README.rst": readme,
            addon / "static" / "description" / "index.html": render_html(readme),
        }
        for path, text in outputs.items():
            if path.is_file() and path.read_text(encoding="utf-8") == text:
                continue
            stale.append(path)
            if not args.check:
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text(text, encoding="utf-8")
    for path in stale:
        print(f"{path}: {'out of date' if args.check else 'regenerated'}")
    return 1 if stale and args.check else 0


if __name__ == "__main__":
    sys.exit(main())
