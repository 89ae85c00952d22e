"""Benchmark: matching vendors against a Sirene StockUniteLegale file.

Generates a synthetic StockUniteLegale CSV with the real header (35 columns,
plausible values, unique SIRENs with a valid Luhn check digit), streamed in
chunks so that even the full 25 million rows never sit in memory, picks
``--vendors`` of its SIRENs as the vendors to classify, then runs
``pareto_odoo.engine.sirene_stock.iter_stock_matches`` in a fresh subprocess
(so that generation does not pollute its peak memory) and reports wall time,
rows/s, matches and peak RSS (``ru_maxrss``) of the matching step.

    python3 bench/bench_sirene_stock.py                 # 25,000,000 rows (~3.4 GB on disk)
    python3 bench/bench_sirene_stock.py --rows 2000000  # quick check
    python3 bench/bench_sirene_stock.py --rows 2000000 --gzip --path /tmp/stock.csv.gz --keep

The generated file goes to a temporary directory (removed at the end) unless
``--path`` is given; ``--reuse`` skips generation when that file and its
vendors list already exist.
"""

import argparse
import gzip
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from pareto_odoo.engine.sirene_stock import STOCK_UNITE_LEGALE_COLUMNS  # noqa: E402

GENERATION_CHUNK = 250_000
SIREN_MULTIPLIER = 7_919  # coprime with 10: i -> base is a bijection modulo 10**8
SIREN_OFFSET = 12_345_678

BANDS = ["", "NN", "00", "01", "02", "03", "11", "12", "21", "22", "31", "32", "41", "42", "51"]
_BAND_WEIGHTS = [50, 550, 120, 100, 60, 40, 30, 20, 10, 8, 6, 3, 1, 0.5, 0.5]
BAND_P = np.array(_BAND_WEIGHTS) / sum(_BAND_WEIGHTS)
NAF = ["62.01Z", "47.11F", "43.21A", "56.10A", "68.20A", "70.22Z", "41.20A", "49.41A", "86.21Z"]
NAF25 = ["62.10Y", "47.11F", "43.21A", "56.11Y", "68.20Y", "70.20Y", "41.00A", "49.41A", "86.21Y"]
LEGAL = ["1000", "5499", "5710", "5720", "6540", "9220", "5202", "7210"]
FIRST_NAMES = ["", "JEAN", "MARIE", "PIERRE", "NATHALIE", "LUC", "SOPHIE", "ALAIN", "CLAIRE"]
LAST_NAMES = ["", "MARTIN", "BERNARD", "DUBOIS", "THOMAS", "ROBERT", "RICHARD", "PETIT"]
WORDS = ["ATELIER", "SERVICES", "CONSEIL", "BOIS", "METAL", "TRANSPORTS", "DUPONT", "NORD"]
WORDS += ["SUD", "INGENIERIE", "BATIMENT", "INFORMATIQUE", "BOULANGERIE", "GARAGE"]


def luhn_sirens(indexes):
    """Unique, valid 9-digit SIRENs (as int) for row indexes (< 10**8)."""
    base = (np.asarray(indexes, dtype=np.int64) * SIREN_MULTIPLIER + SIREN_OFFSET) % 10**8
    total = np.zeros_like(base)
    rest = base.copy()
    # Digits from the right of the 8-digit base: positions 2, 4, 6, 8 of the
    # full number (counted from the right) are doubled, i.e. the base's
    # rightmost digit and every other one from there.
    for position in range(8):
        digit = rest % 10
        rest //= 10
        if position % 2 == 0:
            digit = digit * 2
            digit = np.where(digit > 9, digit - 9, digit)
        total += digit
    check = (10 - total % 10) % 10
    return base * 10 + check


def _vocabulary(rng, size, words, separator=" "):
    left = rng.choice(words, size)
    right = rng.choice(words, size)
    return np.array([f"{a}{separator}{b}" for a, b in zip(left, right, strict=True)])


def generate(path, rows, vendor_count, seed=20240501):
    """Write the synthetic stock file; return the vendors' SIRENs (strings)."""
    rng = np.random.default_rng(seed)
    dates = pd.date_range("1960-01-01", "2025-06-30", freq="D").strftime("%Y-%m-%d").to_numpy()
    stamps = np.array([f"{d}T{h:02d}:12:34" for d in dates[-800:] for h in (3, 14)])
    names = np.concatenate(
        [
            _vocabulary(rng, 4_000, WORDS),
            _vocabulary(rng, 1_000, WORDS, separator=", "),  # quoted in the CSV
            _vocabulary(rng, 1_000, WORDS, separator=' "LE" '),  # escaped quotes
        ]
    )
    opener = gzip.open if str(path).endswith(".gz") else open
    with opener(path, "wt", encoding="utf-8", newline="") as handle:
        for start in range(0, rows, GENERATION_CHUNK):
            size = min(GENERATION_CHUNK, rows - start)
            frame = _chunk(rng, start, size, dates=dates, stamps=stamps, names=names)
            frame.to_csv(handle, header=start == 0, index=False, lineterminator="\n")
    picked = rng.choice(rows, size=min(vendor_count, rows), replace=False)
    return [f"{siren:09d}" for siren in luhn_sirens(np.sort(picked)).tolist()]


def _maybe(rng, size, values, empty_share):
    result = rng.choice(values, size).astype(object)
    result[rng.random(size) < empty_share] = ""
    return result


def _chunk(rng, start, size, *, dates, stamps, names):
    sirens = luhn_sirens(np.arange(start, start + size))
    person = rng.random(size) < 0.6  # sole traders have a name, companies a denomination
    category = rng.choice(["", "PME", "ETI", "GE"], size, p=[0.35, 0.645, 0.004, 0.001])
    band = rng.choice(BANDS, size, p=BAND_P)
    columns = {
        "siren": pd.Series(sirens).astype(str).str.zfill(9).to_numpy(),
        "statutDiffusionUniteLegale": rng.choice(["O", "P"], size, p=[0.97, 0.03]),
        "unitePurgeeUniteLegale": _maybe(rng, size, ["true"], 0.9),
        "dateCreationUniteLegale": rng.choice(dates, size),
        "sigleUniteLegale": _maybe(rng, size, ["SCB", "ABC", "SNF", "CIE"], 0.95),
        "sexeUniteLegale": np.where(person, rng.choice(["M", "F"], size), ""),
        "prenom1UniteLegale": np.where(person, rng.choice(FIRST_NAMES[1:], size), ""),
        "prenom2UniteLegale": _maybe(rng, size, FIRST_NAMES[1:], 0.7),
        "prenom3UniteLegale": _maybe(rng, size, FIRST_NAMES[1:], 0.9),
        "prenom4UniteLegale": _maybe(rng, size, FIRST_NAMES[1:], 0.97),
        "prenomUsuelUniteLegale": np.where(person, rng.choice(FIRST_NAMES[1:], size), ""),
        "pseudonymeUniteLegale": _maybe(rng, size, ["LE CHEF", "ARTISTE"], 0.995),
        "identifiantAssociationUniteLegale": _maybe(rng, size, ["W751234567", "W922000111"], 0.97),
        "trancheEffectifsUniteLegale": band,
        "anneeEffectifsUniteLegale": np.where(
            np.isin(band, ["", "NN"]), "", rng.choice(["2021", "2022", "2023"], size)
        ),
        "dateDernierTraitementUniteLegale": rng.choice(stamps, size),
        "nombrePeriodesUniteLegale": rng.integers(1, 9, size).astype(str),
        "categorieEntreprise": category,
        "anneeCategorieEntreprise": np.where(category == "", "", "2022"),
        "dateDebut": rng.choice(dates, size),
        "etatAdministratifUniteLegale": rng.choice(["A", "C"], size, p=[0.6, 0.4]),
        "nomUniteLegale": np.where(person, rng.choice(LAST_NAMES[1:], size), ""),
        "nomUsageUniteLegale": _maybe(rng, size, LAST_NAMES[1:], 0.95),
        "denominationUniteLegale": np.where(person, "", rng.choice(names, size)),
        "denominationUsuelle1UniteLegale": _maybe(rng, size, names[:50], 0.95),
        "denominationUsuelle2UniteLegale": _maybe(rng, size, names[:50], 0.995),
        "denominationUsuelle3UniteLegale": _maybe(rng, size, names[:50], 0.999),
        "categorieJuridiqueUniteLegale": np.where(person, "1000", rng.choice(LEGAL, size)),
        "activitePrincipaleUniteLegale": rng.choice(NAF, size),
        "nomenclatureActivitePrincipaleUniteLegale": rng.choice(["NAFRev2", "NAFRev1"], size),
        "nicSiegeUniteLegale": pd.Series(rng.integers(10, 99_999, size)).astype(str).str.zfill(5),
        "economieSocialeSolidaireUniteLegale": _maybe(rng, size, ["N", "O"], 0.3),
        "societeMissionUniteLegale": _maybe(rng, size, ["N", "O"], 0.8),
        "caractereEmployeurUniteLegale": _maybe(rng, size, ["N", "O"], 0.2),
        "activitePrincipaleNAF25UniteLegale": _maybe(rng, size, NAF25, 0.5),
    }
    return pd.DataFrame(columns, columns=STOCK_UNITE_LEGALE_COLUMNS)


def _peak_rss_mib():
    """Peak RSS of this process: ``ru_maxrss`` and, on Linux, ``VmHWM``."""
    maxrss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    hwm = None
    status = Path("/proc/self/status")
    if status.exists():
        for line in status.read_text().splitlines():
            if line.startswith("VmHWM:"):
                hwm = int(line.split()[1]) / 1024
    return maxrss, hwm


def match(path, vendors_file, chunksize):
    """The measured step (run in a subprocess): JSON figures on stdout."""
    from pareto_odoo.engine.sirene_stock import iter_stock_matches  # noqa: PLC0415

    vendors = set(Path(vendors_file).read_text(encoding="ascii").split())
    baseline, _hwm = _peak_rss_mib()
    started = time.perf_counter()
    rows = chunks = active = closed = sized = 0
    for rows, matches in iter_stock_matches(path, vendors, chunksize=chunksize):  # noqa: B007
        chunks += 1
        for found in matches:
            active += found.is_active
            closed += not found.is_active
            sized += found.size is not None
    elapsed = time.perf_counter() - started
    peak, hwm = _peak_rss_mib()
    print(
        json.dumps(
            {
                "rows": rows,
                "chunks": chunks,
                "vendors": len(vendors),
                "matches": active + closed,
                "active": active,
                "closed": closed,
                "with_size": sized,
                "seconds": round(elapsed, 2),
                "rows_per_second": round(rows / elapsed) if elapsed else None,
                "baseline_rss_mib": round(baseline, 1),
                "peak_rss_mib": round(peak, 1),
                "vmhwm_mib": round(hwm, 1) if hwm else None,
            }
        )
    )


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--rows", type=int, default=25_000_000)
    parser.add_argument("--vendors", type=int, default=100_000)
    parser.add_argument("--chunksize", type=int, default=500_000)
    parser.add_argument("--path", help="where to write the stock file (.csv or .csv.gz)")
    parser.add_argument("--gzip", action="store_true", help="gzip the generated file")
    parser.add_argument("--reuse", action="store_true", help="reuse --path if it exists")
    parser.add_argument("--keep", action="store_true", help="keep the generated file")
    parser.add_argument("--match", help=argparse.SUPPRESS)  # subprocess mode: stock path
    parser.add_argument("--generate", help=argparse.SUPPRESS)  # subprocess mode: stock path
    parser.add_argument("--vendors-file", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.match:
        match(args.match, args.vendors_file, args.chunksize)
        return
    if args.generate:
        vendors = generate(args.generate, args.rows, args.vendors)
        Path(args.vendors_file).write_text("\n".join(vendors) + "\n", encoding="ascii")
        return

    with tempfile.TemporaryDirectory(prefix="bench_sirene_") as tmp:
        if args.path:
            path = Path(args.path)
        else:
            path = Path(tmp) / ("StockUniteLegale_utf8.csv" + (".gz" if args.gzip else ""))
        vendors_file = path.with_name(path.name + ".vendors.txt")
        if args.reuse and path.exists() and vendors_file.exists():
            print(f"Reusing {path}")
        else:
            print(f"Generating {args.rows:,} rows into {path} ...", flush=True)
            started = time.perf_counter()
            # In a subprocess too: on Linux a child's ru_maxrss starts from its
            # parent's RSS, so this launcher must stay small.
            command = [sys.executable, str(Path(__file__).resolve()), "--generate", str(path)]
            command += ["--rows", str(args.rows), "--vendors", str(args.vendors)]
            command += ["--vendors-file", str(vendors_file)]
            subprocess.run(command, check=True)
            print(
                f"  generated in {time.perf_counter() - started:.1f} s, "
                f"{path.stat().st_size / 2**20:,.0f} MiB on disk",
                flush=True,
            )
        command = [sys.executable, str(Path(__file__).resolve()), "--match", str(path)]
        command += ["--vendors-file", str(vendors_file), "--chunksize", str(args.chunksize)]
        output = subprocess.run(command, check=True, capture_output=True, text=True).stdout
        figures = json.loads(output.strip().splitlines()[-1])
        print(
            f"Matched {figures['vendors']:,} vendors against {figures['rows']:,} rows "
            f"(chunks of {args.chunksize:,}): {figures['matches']:,} found "
            f"({figures['active']:,} active, {figures['closed']:,} closed, "
            f"{figures['with_size']:,} with a size)\n"
            f"  wall time {figures['seconds']:.1f} s, {figures['rows_per_second']:,} rows/s\n"
            f"  peak RSS {figures['peak_rss_mib']:.0f} MiB (ru_maxrss; VmHWM "
            f"{figures['vmhwm_mib']} MiB; after imports: {figures['baseline_rss_mib']:.0f} MiB)"
        )
        print(json.dumps(figures))
        if args.path and not args.keep:
            path.unlink(missing_ok=True)
            vendors_file.unlink(missing_ok=True)


if __name__ == "__main__":
    main()
