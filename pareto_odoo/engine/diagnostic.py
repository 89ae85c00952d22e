# pylint: disable=print-used
# A command-line tool: it prints its table on purpose.
"""Pareto diagnostic: SME share of spend by purchasing family, from two files.

Usage::

    python -m pareto_odoo.engine.diagnostic PURCHASES SUPPLIERS [options]
    python -m pareto_odoo.engine.diagnostic            # on the shipped sample

Prints the per-family table and writes a self-contained HTML report (charts
as inline SVG, tables). Exit code 0 on success, 2 on unusable input (missing
file or column, bad value: one ``error: ...`` line on stderr), 1 when the
report cannot be written.

Files: CSV (separator ``;`` ``,`` tab or ``|``, detected; UTF-8 with or
without BOM, UTF-16 with BOM, else Windows-1252) or Excel ``.xlsx``, read as the
vendor import reads them (:mod:`pareto_odoo.engine.tabular`).
Column names are case-insensitive; extra columns are ignored.

Purchases columns:
  date          spend date: YYYY-MM-DD or DD/MM/YYYY
  supplier_id   the vendor's identifier, as in the suppliers file
  family        purchasing family; empty = "Unclassified" (in no family's figures)
  amount        untaxed amount in euros ("1234.56" or "1 234,56")
  company       optional: figures are then given per company

Suppliers columns:
  supplier_id   identifier
  name          company name
  size          micro, small, medium (the SMEs), intermediate, large,
                or empty (unknown: counted as non-SME)
  zip           optional: zip code, for locality (département)
  country       optional: ISO country code, default FR
  headcount     optional: employees, for the jobs supported
  turnover      optional: yearly turnover in euros, for the jobs supported
  excluded      optional: 1/true/yes/oui for vendors left out of every figure
                (intra-group, spend no SME can take)

Period: --year, or --period-start/--period-end (inclusive; a missing bound is
open); by default the 12 months ending on the latest purchase date. The trend
covers the 12 months ending with the period.
"""

import argparse
import datetime
import decimal
import html
import io
import math
import pathlib
import sys

import pandas as pd

from . import analysis, tabular
from .compliance import ROLLING_12, period_bounds, share
from .territory import DEFAULT_LOCAL_DEPARTMENTS

SAMPLE_DIR = pathlib.Path(__file__).resolve().parent / "sample"
DEFAULT_OUTPUT = "pareto_report.html"
TREND_MONTHS = 12
STATUS_COLOURS = {"ok": "#2e7d32", "warning": "#ef6c00", "below": "#c62828", None: "#9e9e9e"}
EXIT_OK = 0
EXIT_WRITE_ERROR = 1
EXIT_INPUT_ERROR = 2


# ---------------------------------------------------------------------------
# Reading
# ---------------------------------------------------------------------------


def read_table(path):
    """A CSV or XLSX file as a DataFrame of texts (empty cells as ""), with
    stripped lower-case column names, read by the addon's one tabular reader
    (:func:`pareto_odoo.engine.tabular.read_table`). Raises InputError when
    unreadable."""
    path = pathlib.Path(path)
    if not path.is_file():
        raise analysis.InputError(f"{path}: file not found")
    try:
        frame = tabular.read_table(path.read_bytes(), path.name)
    except tabular.TableError as error:
        raise analysis.InputError(f"{path}: cannot read: {error}") from None
    except OSError as error:
        raise analysis.InputError(f"{path}: cannot read: {error.strerror or error}") from None
    frame = frame.reset_index(drop=True)
    frame.columns = [str(column).strip().lower() for column in frame.columns]
    return frame


# ---------------------------------------------------------------------------
# Formatting
# ---------------------------------------------------------------------------


def _missing(value):
    return value is None or (isinstance(value, float) and math.isnan(value))


def euros(value):
    """``1,234,567 €`` (rounded half up); ``-`` when unknown."""
    if _missing(value):
        return "-"
    rounded = decimal.Decimal(repr(float(value))).quantize(1, decimal.ROUND_HALF_UP)
    rounded = rounded if rounded else decimal.Decimal(0)  # no "-0"
    return f"{rounded:,} €"


def percent(value):
    """``12.3 %``; ``-`` when unknown."""
    return "-" if _missing(value) else f"{value:.1f} %"


def points(value):
    return "-" if _missing(value) else f"{value:+.1f}"


def number(value, decimals=0):
    return "-" if _missing(value) else f"{value:,.{decimals}f}"


# (header, column, formatter, right-aligned)
TABLE_LAYOUT = (
    ("Family", "family", str, False),
    ("Spend", "total", euros, True),
    ("SME spend", "sme_total", euros, True),
    ("SME share", "share", percent, True),
    ("Target", "target", percent, True),
    ("Gap (pts)", "gap", points, True),
    ("Shift to SMEs", "shift_amount", euros, True),
    ("Status", "status", lambda value: value or "-", False),
    ("Local SME", "local_share", percent, True),
    ("Size known", "coverage", percent, True),
    ("Suppliers", "suppliers", number, True),
    ("SMEs", "sme_suppliers", number, True),
    ("Jobs", "jobs_supported", lambda value: number(value, 1), True),
    ("SME spend w/o jobs", "jobs_unknown_spend", euros, True),
)


def _formatted_rows(table):
    return [
        [formatter(row[column]) for _, column, formatter, _ in TABLE_LAYOUT]
        for row in table.to_dict("records")
    ]


def text_table(table, total):
    """The family table and its total row as aligned text."""
    headers = [header for header, *_ in TABLE_LAYOUT]
    rows = _formatted_rows(table)
    total_rows = _formatted_rows(total)
    widths = [
        max(len(cells[index]) for cells in [headers, *rows, *total_rows])
        for index in range(len(headers))
    ]

    def line(cells):
        return "  ".join(
            cell.rjust(width) if layout[3] else cell.ljust(width)
            for cell, width, layout in zip(cells, widths, TABLE_LAYOUT, strict=True)
        ).rstrip()

    rule = "  ".join("-" * width for width in widths)
    return "\n".join([line(headers), rule, *map(line, rows), rule, *map(line, total_rows)])


# ---------------------------------------------------------------------------
# Charts (matplotlib's object API: no pyplot, no GUI backend)
# ---------------------------------------------------------------------------


def _svg(figure):
    buffer = io.StringIO()
    figure.savefig(buffer, format="svg", bbox_inches="tight", metadata={"Date": None})
    text = buffer.getvalue()
    return text[text.index("<svg") :]


def _chart_context():
    import matplotlib  # noqa: PLC0415 - optional dependency, loaded on use

    return matplotlib.rc_context({"svg.fonttype": "none", "svg.hashsalt": "pareto", "font.size": 9})


def share_chart(table):
    """Horizontal bars of the SME share per family, coloured by status, with
    each family's target marked by a dashed line. Returns inline SVG."""
    from matplotlib.figure import Figure  # noqa: PLC0415

    rows = table.iloc[::-1]
    positions = list(range(len(rows)))
    shares = rows["share"].fillna(0.0).tolist()
    with _chart_context():
        figure = Figure(figsize=(8, 0.45 * len(rows) + 1.2))
        axes = figure.add_subplot()
        axes.barh(
            positions,
            shares,
            color=[STATUS_COLOURS.get(state, STATUS_COLOURS[None]) for state in rows["status"]],
            height=0.6,
        )
        label = "Target"
        for position, target in zip(positions, rows["target"], strict=True):
            if not _missing(target):
                axes.vlines(
                    target,
                    position - 0.4,
                    position + 0.4,
                    colors="black",
                    linestyles="dashed",
                    label=label,
                )
                label = None
        for position, value in zip(positions, rows["share"], strict=True):
            axes.text(
                (0 if _missing(value) else value) + 0.5, position, percent(value), va="center"
            )
        axes.set_yticks(positions, labels=rows["family"].tolist())
        axes.set_xlabel("SME share of spend (%)")
        highest = max([*shares, *rows["target"].dropna().tolist(), 15.0])
        axes.set_xlim(0, min(100.0, highest + 15.0))
        axes.set_title("SME share by purchasing family")
        if label is None:
            axes.legend(loc="lower right")
        return _svg(figure)


def trend_chart(monthly, target):
    """Monthly SME share per family and for all families, with the default
    target as a dashed line. Returns inline SVG."""
    from matplotlib.figure import Figure  # noqa: PLC0415

    months = sorted(pd.Timestamp(month) for month in monthly["month"].unique())
    labels = [pd.Timestamp(month).strftime("%Y-%m") for month in months]
    positions = {month: index for index, month in enumerate(months)}
    with _chart_context():
        figure = Figure(figsize=(9, 4.2))
        axes = figure.add_subplot()
        for family, rows in monthly.groupby("family", sort=False):
            axes.plot(
                [positions[pd.Timestamp(month)] for month in rows["month"]],
                rows["share"].tolist(),
                marker="o",
                markersize=3,
                linewidth=1,
                label=family,
            )
        overall = monthly.groupby("month", sort=True)[["total", "sme_total"]].sum()
        overall_share = [
            math.nan if value is None else value
            for value in map(share, overall["sme_total"], overall["total"])
        ]
        axes.plot(
            [positions[pd.Timestamp(month)] for month in overall.index],
            overall_share,
            color="black",
            linewidth=2.5,
            label="All families",
        )
        axes.axhline(
            target, color="black", linestyle="dashed", linewidth=1, label=f"Target ({target:g} %)"
        )
        axes.set_xticks(range(len(labels)), labels=labels, rotation=45, ha="right")
        axes.set_ylabel("SME share of spend (%)")
        axes.set_ylim(0, 100)
        axes.set_title("SME share, last 12 months")
        axes.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=8)
        return _svg(figure)


# ---------------------------------------------------------------------------
# HTML report
# ---------------------------------------------------------------------------

CSS = """
body { font-family: system-ui, sans-serif; margin: 2em; color: #222; }
table { border-collapse: collapse; margin: 1em 0 2em; font-size: 0.9em; }
th, td { border: 1px solid #ccc; padding: 0.3em 0.6em; }
th { background: #f0f0f0; }
td.num { text-align: right; white-space: nowrap; }
tr.total td { font-weight: bold; border-top: 2px solid #888; }
.status-ok { color: #2e7d32; } .status-warning { color: #ef6c00; }
.status-below { color: #c62828; font-weight: bold; }
figure { margin: 1em 0; } figure svg { max-width: 100%; height: auto; }
"""


def _cell(text, numeric=False, css=None):
    classes = " ".join(filter(None, ["num" if numeric else None, css]))
    attribute = f' class="{classes}"' if classes else ""
    return f"<td{attribute}>{html.escape(text)}</td>"


def html_family_table(table, total):
    head = "".join(f"<th>{html.escape(header)}</th>" for header, *_ in TABLE_LAYOUT)
    body = []
    for css, frame in (("", table), ("total", total)):
        for record, cells in zip(frame.to_dict("records"), _formatted_rows(frame), strict=True):
            tds = "".join(
                _cell(
                    cell,
                    layout[3],
                    f"status-{record['status']}"
                    if layout[1] == "status" and record["status"]
                    else None,
                )
                for cell, layout in zip(cells, TABLE_LAYOUT, strict=True)
            )
            attribute = f' class="{css}"' if css else ""
            body.append(f"<tr{attribute}>{tds}</tr>")
    return f'<table class="families"><tr>{head}</tr>{"".join(body)}</table>'


def html_trend_table(monthly):
    if monthly.empty:
        return "<p>No spend in the last 12 months.</p>"
    pivot = monthly.pivot_table(index="family", columns="month", values="share", sort=False)
    months = sorted(pivot.columns)
    head = "<th>Family</th>" + "".join(
        f"<th>{pd.Timestamp(month).strftime('%Y-%m')}</th>" for month in months
    )
    rows = []
    for family in monthly["family"].drop_duplicates():
        cells = "".join(_cell(percent(pivot.at[family, month]), True) for month in months)
        rows.append(f"<tr>{_cell(family)}{cells}</tr>")
    return f'<table class="trend"><tr>{head}</tr>{"".join(rows)}</table>'


def html_top_table(top):
    if top.empty:
        return "<p>No spend with non-SME suppliers.</p>"
    head = "".join(
        f"<th>{header}</th>" for header in ("Family", "Rank", "Supplier", "Size", "Spend")
    )
    rows = [
        "<tr>"
        + _cell(row["family"])
        + _cell(str(row["rank"]), True)
        + _cell(row["name"])
        + _cell(row["size"] or "unknown")
        + _cell(euros(row["amount"]), True)
        + "</tr>"
        for row in top.to_dict("records")
    ]
    return f'<table class="top"><tr>{head}</tr>{"".join(rows)}</table>'


def html_report(sections, context, target=analysis.DEFAULT_TARGET):
    """The whole report. ``sections``: (title or None, table, total, top,
    monthly) per company; ``context``: header facts as (label, value);
    ``target``: the default target, drawn on the trend chart."""
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        "<title>Pareto diagnostic</title>",
        f"<style>{CSS}</style></head><body>",
        "<h1>Pareto diagnostic: SME share of spend by purchasing family</h1>",
        "<ul>",
        *(f"<li>{html.escape(label)}: {html.escape(value)}</li>" for label, value in context),
        "</ul>",
    ]
    charts = True
    try:
        import matplotlib  # noqa: F401, PLC0415
    except ImportError:
        charts = False
        parts.append("<p>Charts unavailable: install matplotlib.</p>")
    for title, table, total, top, monthly in sections:
        if title is not None:
            parts.append(f"<h2>Company: {html.escape(title)}</h2>")
        parts.append("<h2>SME share by family</h2>")
        if charts and not table.empty:
            parts.append(f'<figure class="chart share-chart">{share_chart(table)}</figure>')
        parts.append(html_family_table(table, total))
        parts.append("<h2>Trend over the last 12 months</h2>")
        if charts and not monthly.empty:
            parts.append(
                f'<figure class="chart trend-chart">{trend_chart(monthly, target)}</figure>'
            )
        parts.append(html_trend_table(monthly))
        parts.append("<h2>Largest non-SME suppliers per family</h2>")
        parts.append(html_top_table(top))
    parts.append(
        "<h2>Definitions</h2><ul>"
        "<li>SME share = spend with micro, small and medium companies / spend × 100; "
        "unknown sizes count as non-SME.</li>"
        "<li>Shift to SMEs = max(0, target × spend − SME spend): the spend to move to "
        "SMEs to reach the target.</li>"
        "<li>Status: ok at or above target (or no spend), warning within the margin "
        "below it, below otherwise.</li>"
        "<li>Local SME share = spend with SMEs in the local départements / spend × 100.</li>"
        "<li>Jobs supported = SME spend / (turnover / headcount), for SMEs whose "
        "headcount and turnover are known.</li>"
        "<li>Unclassified spend (no family) counts in no family's figures; excluded "
        "suppliers count nowhere.</li></ul>"
    )
    parts.append("</body></html>")
    return "\n".join(parts)


# ---------------------------------------------------------------------------
# Command line
# ---------------------------------------------------------------------------


def _family_target(text):
    family, separator, value = text.rpartition("=")
    if not separator or not family.strip():
        raise argparse.ArgumentTypeError(f"expected FAMILY=PERCENT, got {text!r}")
    try:
        return family.strip(), float(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {value!r}") from None


def _date(text):
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected YYYY-MM-DD, got {text!r}") from None


def _add_number_option(parser, flag, default, what):
    """A number option whose help ends with its default."""
    parser.add_argument(flag, type=float, default=default, help=f"{what} (default %(default)s)")


def build_parser():
    module_doc = __doc__.split("Files:", 1)[1]
    parser = argparse.ArgumentParser(
        prog="python -m pareto_odoo.engine.diagnostic",
        description="SME share of spend by purchasing family: a table on stdout and an "
        "HTML report with charts. Without files, runs on the shipped sample.",
        epilog="Files:" + module_doc,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("purchases", nargs="?", help="purchases file (.csv or .xlsx)")
    parser.add_argument("suppliers", nargs="?", help="suppliers file (.csv or .xlsx)")
    parser.add_argument(
        "--output", "-o", default=DEFAULT_OUTPUT, help=f"HTML report (default {DEFAULT_OUTPUT})"
    )
    _add_number_option(parser, "--target", analysis.DEFAULT_TARGET, "target SME share in percent")
    parser.add_argument(
        "--family-target",
        type=_family_target,
        action="append",
        default=[],
        metavar="FAMILY=PERCENT",
        help="target of one family (repeatable)",
    )
    _add_number_option(
        parser, "--margin", analysis.DEFAULT_MARGIN, "warning margin below target, in points"
    )
    parser.add_argument(
        "--local-departments",
        default=DEFAULT_LOCAL_DEPARTMENTS,
        help="comma-separated local départements (default Île-de-France: %(default)s)",
    )
    parser.add_argument(
        "--top", type=int, default=5, help="non-SME suppliers listed per family (default 5)"
    )
    period = parser.add_mutually_exclusive_group()
    period.add_argument("--year", type=int, help="calendar year to analyse")
    period.add_argument("--period-start", type=_date, help="first day (YYYY-MM-DD)")
    parser.add_argument("--period-end", type=_date, help="last day (YYYY-MM-DD)")
    return parser


def resolve_period(args, purchases):
    """Inclusive (start, end) dates of the period to analyse (either may be
    None when the user left it open)."""
    if args.year is not None:
        if args.period_end is not None:
            raise analysis.InputError("--year cannot be combined with --period-end")
        return datetime.date(args.year, 1, 1), datetime.date(args.year, 12, 31)
    if args.period_start is not None or args.period_end is not None:
        if args.period_start and args.period_end and args.period_start > args.period_end:
            raise analysis.InputError("--period-start is after --period-end")
        return args.period_start, args.period_end
    dates = purchases["date"]
    latest = dates.max().date() if not dates.empty else datetime.date.today()
    return period_bounds(latest, ROLLING_12)


def _describe_period(start, end):
    return f"{start or 'the first purchase'} to {end or 'the last purchase'}"


def run(args, out):
    """Run the diagnostic; returns the exit code."""
    if (args.purchases is None) != (args.suppliers is None):
        raise analysis.InputError("give both the purchases and the suppliers files, or neither")
    purchases_path = pathlib.Path(args.purchases or SAMPLE_DIR / "purchases.csv")
    suppliers_path = pathlib.Path(args.suppliers or SAMPLE_DIR / "suppliers.csv")
    purchases = read_table(purchases_path)
    suppliers = read_table(suppliers_path)
    analysis.check_columns(purchases, analysis.PURCHASE_COLUMNS, purchases_path.name)
    analysis.check_columns(suppliers, analysis.SUPPLIER_COLUMNS, suppliers_path.name)
    purchases = analysis.prepare_purchases(purchases)
    local = sorted(analysis.local_department_set(args.local_departments))
    targets = dict(args.family_target)

    start, end = resolve_period(args, purchases)
    in_period = analysis.filter_period(purchases, start, end)
    table = analysis.family_table(
        in_period, suppliers, targets, args.target, args.margin, local_departments=local
    )
    total = analysis.totals(table)
    top = analysis.top_non_sme_suppliers(in_period, suppliers, n=args.top)
    monthly = analysis.monthly_share(purchases, suppliers, months=TREND_MONTHS, end=end)

    known = set(analysis.prepare_suppliers(suppliers).index)
    unknown = sorted(set(in_period["supplier_id"]) - known)
    context = [
        ("Purchases", f"{purchases_path} ({len(in_period):,} lines in the period)"),
        ("Suppliers", f"{suppliers_path} ({len(known):,} suppliers)"),
        ("Period", _describe_period(start, end)),
        ("Default target", f"{args.target:g} %"),
        ("Warning margin", f"{args.margin:g} points"),
        ("Local départements", ", ".join(local)),
    ]
    if targets:
        context.append(
            ("Family targets", ", ".join(f"{name} {value:g} %" for name, value in targets.items()))
        )

    sections = []
    if "company" in table.columns:
        for company, rows in table.groupby("company", sort=True):
            sections.append(
                (
                    company,
                    rows.drop(columns="company").reset_index(drop=True),
                    total[total["company"] == company].drop(columns="company"),
                    top[top["company"] == company].drop(columns="company"),
                    monthly[monthly["company"] == company].drop(columns="company"),
                )
            )
    else:
        sections.append((None, table, total, top, monthly))

    for label, value in context:
        print(f"{label}: {value}", file=out)
    if unknown:
        print(
            f"Note: {len(unknown)} supplier ids of the purchases are missing from the suppliers "
            f"file (counted as unknown size): {', '.join(unknown[:10])}"
            + (", ..." if len(unknown) > 10 else ""),
            file=out,
        )
    for title, rows, total_rows, _, _ in sections:
        print(file=out)
        if title is not None:
            print(f"Company: {title}", file=out)
        print(text_table(rows, total_rows), file=out)

    report = html_report(sections, context, args.target)
    output = pathlib.Path(args.output)
    try:
        output.write_text(report, encoding="utf-8")
    except OSError as error:
        print(f"error: cannot write {output}: {error.strerror or error}", file=sys.stderr)
        return EXIT_WRITE_ERROR
    print(f"\nReport written to {output}", file=out)
    return EXIT_OK


def main(argv=None, out=None):
    """Command-line entry point; returns the exit code."""
    args = build_parser().parse_args(argv)
    try:
        return run(args, out or sys.stdout)
    except analysis.InputError as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_INPUT_ERROR


if __name__ == "__main__":
    sys.exit(main())
