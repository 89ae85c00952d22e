"""Print "ran failed skipped browser_skips" from a pytest JUnit XML report.

    python scripts/junit_counts.py report.xml

Failures and errors count as failed. A browser skip is a test skipped because Chromium,
websocket-client or pytest-odoo's HTTP server was missing: the tier treats it as a failure.
"""

import re
import sys
import xml.etree.ElementTree as ET

BROWSER_SKIP = re.compile(r"chrom|websocket|odoo-http|browser", re.IGNORECASE)


def counts(path):
    root = ET.parse(path).getroot()
    ran = failed = skipped = browser = 0
    for case in root.iter("testcase"):
        ran += 1
        if case.find("failure") is not None or case.find("error") is not None:
            failed += 1
        skip = case.find("skipped")
        if skip is not None:
            skipped += 1
            if BROWSER_SKIP.search(skip.get("message", "") + (skip.text or "")):
                browser += 1
    return ran, failed, skipped, browser


if __name__ == "__main__":
    print(*counts(sys.argv[1]))
