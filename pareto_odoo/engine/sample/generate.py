"""Generate the diagnostic's sample dataset (``purchases.csv``, ``suppliers.csv``).

Fictional vendors with French-sounding names, in and out of Île-de-France, of
every size class (and a few of unknown size), one intra-group vendor flagged
``excluded``; eight purchasing families; about 2,000 purchase lines over
2024-2025, a few without a family. Seeded, so the output never changes::

    python -m pareto_odoo.engine.sample.generate
"""

import csv
import datetime
import pathlib
import random

HERE = pathlib.Path(__file__).resolve().parent
SEED = 2003_361
ROWS = 2000
START = datetime.date(2024, 1, 1)
END = datetime.date(2025, 12, 31)
UNCLASSIFIED_RATE = 0.03

IT = "Informatique et télécoms"
OFFICE = "Fournitures de bureau"
CLEANING = "Nettoyage et propreté"
MAINTENANCE = "Maintenance des bâtiments"
CATERING = "Restauration et traiteur"
TRANSPORT = "Transport et logistique"
CONSULTING = "Conseil et prestations intellectuelles"
PRINTING = "Impression et communication"

# supplier_id, name, size, zip, country, headcount, turnover, excluded,
# families, weight (relative number of purchase lines)
SUPPLIERS = (
    ("F001", "Atelier Numérique Lemoine", "micro", "75011", "FR", 6, 780_000, False, (IT,), 3),
    (
        "F002",
        "Propreté Services Val-de-Marne",
        "small",
        "94200",
        "FR",
        38,
        2_100_000,
        False,
        (CLEANING,),
        5,
    ),
    ("F003", "Imprimerie Dufresne", "micro", "93100", "FR", 8, 1_150_000, False, (PRINTING,), 3),
    (
        "F004",
        "Traiteur Les Saveurs de Vincennes",
        "small",
        "94300",
        "FR",
        24,
        2_900_000,
        False,
        (CATERING,),
        4,
    ),
    ("F005", "Bureautique Moreau", "small", "92000", "FR", 17, 4_300_000, False, (OFFICE,), 4),
    (
        "F006",
        "Logistique Express Rungis",
        "medium",
        "94150",
        "FR",
        140,
        21_000_000,
        False,
        (TRANSPORT,),
        4,
    ),
    (
        "F007",
        "Delaunay & Associés Conseil",
        "micro",
        "75008",
        "FR",
        4,
        900_000,
        False,
        (CONSULTING,),
        2,
    ),
    (
        "F008",
        "Maintenance Bâtiment Essonne",
        "medium",
        "91000",
        "FR",
        95,
        12_500_000,
        False,
        (MAINTENANCE,),
        4,
    ),
    ("F009", "Électricité Girard", "small", "78000", "FR", 31, 5_200_000, False, (MAINTENANCE,), 3),
    (
        "F010",
        "Cergy Informatique Services",
        "medium",
        "95000",
        "FR",
        120,
        18_000_000,
        False,
        (IT,),
        3,
    ),
    (
        "F011",
        "Meaux Signalétique",
        "micro",
        "77100",
        "FR",
        None,
        None,
        False,
        (PRINTING, OFFICE),
        2,
    ),
    (
        "F012",
        "Ateliers Bretons de Reprographie",
        "small",
        "35000",
        "FR",
        22,
        2_600_000,
        False,
        (PRINTING,),
        2,
    ),
    (
        "F013",
        "Lyon Data Conseil",
        "medium",
        "69003",
        "FR",
        180,
        26_000_000,
        False,
        (IT, CONSULTING),
        3,
    ),
    (
        "F014",
        "Provence Nettoyage Industriel",
        "medium",
        "13008",
        "FR",
        230,
        9_800_000,
        False,
        (CLEANING,),
        3,
    ),
    ("F015", "Menuiserie Keller", "small", "67000", "FR", None, None, False, (MAINTENANCE,), 2),
    ("F016", "Transports Vial", "medium", "38000", "FR", 160, 30_000_000, False, (TRANSPORT,), 3),
    (
        "F017",
        "Saveurs de Corse Traiteur",
        "micro",
        "20000",
        "FR",
        7,
        650_000,
        False,
        (CATERING,),
        1,
    ),
    ("F018", "Réunion Bureau Équipement", "micro", "97400", "RE", 5, 700_000, False, (OFFICE,), 1),
    ("F019", "Nexiane Télécom", "large", "75015", "FR", 12_000, 3_400_000_000, False, (IT,), 8),
    (
        "F020",
        "Vertalis Logistique",
        "intermediate",
        "59000",
        "FR",
        1_800,
        420_000_000,
        False,
        (TRANSPORT,),
        7,
    ),
    (
        "F021",
        "Bureau Plus France",
        "intermediate",
        "69100",
        "FR",
        900,
        260_000_000,
        False,
        (OFFICE,),
        7,
    ),
    (
        "F022",
        "Cofimex Conseil",
        "large",
        "92800",
        "FR",
        6_500,
        1_900_000_000,
        False,
        (CONSULTING,),
        5,
    ),
    (
        "F023",
        "Technilia Maintenance",
        "intermediate",
        "44000",
        "FR",
        2_400,
        380_000_000,
        False,
        (MAINTENANCE, CLEANING),
        6,
    ),
    (
        "F024",
        "Oriane Impressions",
        "intermediate",
        "31000",
        "FR",
        650,
        95_000_000,
        False,
        (PRINTING,),
        3,
    ),
    (
        "F025",
        "Groupe Hexagone Facility",
        "large",
        "92400",
        "FR",
        25_000,
        2_800_000_000,
        False,
        (CLEANING, CATERING, MAINTENANCE),
        8,
    ),
    (
        "F026",
        "Transeuropa Fret GmbH",
        "large",
        "10115",
        "DE",
        8_000,
        2_200_000_000,
        False,
        (TRANSPORT,),
        3,
    ),
    ("F027", "Dupont Fournitures", "", "75012", "FR", None, None, False, (OFFICE,), 2),
    ("F028", "SARL Petitjean", "", "33000", "FR", None, None, False, (CATERING, PRINTING), 2),
    ("F029", "Éditions Marchal", "small", "75005", "FR", 12, 1_600_000, False, (PRINTING,), 1),
    (
        "F030",
        "Pareto Groupe Services Partagés",
        "large",
        "75008",
        "FR",
        3_000,
        0,
        True,
        (IT, CONSULTING),
        4,
    ),
)

# Typical line amount by size class (median, euros): large vendors get bigger orders.
MEDIAN_AMOUNT = {
    "micro": 900.0,
    "small": 1_800.0,
    "medium": 3_500.0,
    "intermediate": 6_000.0,
    "large": 9_000.0,
    "": 1_500.0,
}


def generate(directory=HERE):
    rng = random.Random(SEED)
    directory = pathlib.Path(directory)
    with (directory / "suppliers.csv").open("w", newline="", encoding="utf-8") as stream:
        writer = csv.writer(stream)
        writer.writerow(
            ["supplier_id", "name", "size", "zip", "country", "headcount", "turnover", "excluded"]
        )
        for row in SUPPLIERS:
            supplier_id, name, size, zip_code, country, headcount, turnover, excluded = row[:8]
            writer.writerow(
                [
                    supplier_id,
                    name,
                    size,
                    zip_code,
                    country,
                    "" if headcount is None else headcount,
                    "" if turnover is None else turnover,
                    "1" if excluded else "0",
                ]
            )

    days = (END - START).days
    weights = [row[9] for row in SUPPLIERS]
    rows = []
    for _ in range(ROWS):
        supplier = rng.choices(SUPPLIERS, weights=weights)[0]
        family = rng.choice(supplier[8])
        if rng.random() < UNCLASSIFIED_RATE:
            family = ""
        date = START + datetime.timedelta(days=rng.randint(0, days))
        amount = round(rng.lognormvariate(0.0, 0.8) * MEDIAN_AMOUNT[supplier[2]], 2)
        rows.append((date.isoformat(), supplier[0], family, f"{amount:.2f}"))
    rows.sort()
    with (directory / "purchases.csv").open("w", newline="", encoding="utf-8") as stream:
        writer = csv.writer(stream)
        writer.writerow(["date", "supplier_id", "family", "amount"])
        writer.writerows(rows)


if __name__ == "__main__":
    generate()
