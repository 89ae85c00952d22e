"""Run oca-checks-odoo-module, setting aside the findings of temporarily exempted files.

    python scripts/oca_checks_module.py [--exempt REGEX ...] FILE_OR_MODULE...

The OCA's check reads the whole addon from its manifest, whichever files pre-commit
passes, so a file that another branch is rewriting cannot be left out with pre-commit's
``exclude``. ``--exempt`` (a regular expression on the path relative to the current
directory) lists such a file's findings without failing; an exemption that matches no
finding any more fails, so that it is removed once the file is fixed or gone.
"""

import argparse
import os
import re
import sys

from oca_pre_commit_hooks import checks_odoo_module


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--exempt", action="append", default=[], metavar="REGEX")
    parser.add_argument("files", nargs="+")
    args = parser.parse_args(argv)
    errors = checks_odoo_module.run(args.files, no_verbose=True, no_exit=True)
    exempt = {pattern: [] for pattern in args.exempt}
    failing = []
    for error in errors:
        path = os.path.relpath(error.position.filepath)
        pattern = next((p for p in args.exempt if re.search(p, path)), None)
        (exempt[pattern] if pattern else failing).append(error)
    for error in failing:
        print(error, end="\n\n")
    status = 1 if failing else 0
    for pattern, found in exempt.items():
        if found:
            codes = sorted({error.code for error in found})
            print(f"exempt for now ({pattern}): {len(found)} findings: {', '.join(codes)}")
        else:
            print(f"exemption {pattern!r} matches no finding: remove it from the pre-commit config")
            status = 1
    return status


if __name__ == "__main__":
    sys.exit(main())
