"""Generated interchange files for tests: every value is made up here (no CTDC data)."""

from __future__ import annotations

import csv
import datetime as dt
import random
from pathlib import Path

from safepassage.interop.formats import FORMATS, Record
from safepassage.interop.formats.base import Perpetrators
from safepassage.interop.formats.ctdc_vp import PAID, PERPETRATOR_AGES, RELATIONS
from safepassage.reference.codes import (
    ExploitationType,
    Gender,
    LabourSector,
    MeansOfControl,
    SexualExploitationType,
)

CITIZENSHIPS = ("UKR", "HTI", "YEM", "LAO", "UZB", "KHM", None)
DESTINATIONS = ("RUS", "HTI", "YEM", "THA", "KAZ", "POL", None)
REGIONS = ("Africa", "Americas/Oceania", "Asia", "Europe", "")


def make_record(rng: random.Random, fmt: str, n: int) -> Record:
    year = (
        rng.choice([2019, 2020, 2021, None]) if fmt != "htcds" else rng.choice([2019, 2020, 2021])
    )
    record = Record(
        registration_date=dt.date(year, 1, 1) if year else None,
        registration_period=str(year) if year else "unknown",
        sex=rng.choice([Gender.FEMININE, Gender.MASCULINE, Gender.UNKNOWN]),
        reported_age_band=rng.choice(["9--17", "24--26", "48+", ""]) if fmt != "ctdc-vp" else "",
    )
    if fmt == "htcds":
        record.reference = f"T-{n:05d}"
        record.registration_date = dt.date(year or 2020, rng.randint(1, 12), rng.randint(1, 28))
        record.registration_period = ""
        record.given_names = rng.choice(["Olena", "Marie", '=HYPERLINK("x")', "Ana"])
        record.family_names = rng.choice(["Shevchenko", "Joseph", "@SUM(1)"])
        record.birth_date = dt.date(rng.randint(1970, 2012), 5, 17)
        record.birth_date_precision = "exact"
    if record.reported_age_band:
        record.reported_age_group = "child" if record.reported_age_band == "9--17" else "adult"
    elif fmt == "ctdc-vp":
        record.reported_age_group = rng.choice(["child", "adult", ""])
    if fmt == "ctdc-vp":
        record.citizenship_region = rng.choice(REGIONS)
        record.exploitation_region = rng.choice(REGIONS)
        record.exploitation_types = rng.choice(
            [[], [ExploitationType.FORCED_LABOUR], [ExploitationType.SEXUAL_EXPLOITATION]]
        )
        if rng.random() < 0.7:
            record.perpetrators = Perpetrators(
                genders=sorted(rng.sample(["Female", "Male"], rng.randint(0, 2))),
                age_bands=sorted(rng.sample(PERPETRATOR_AGES, rng.randint(0, 2))),
                relations=sorted(rng.sample(RELATIONS, rng.randint(1, 2))),
                victim_paid=sorted(rng.sample(PAID, rng.randint(0, 2))),
                role_exploiter=rng.choice([True, None]),
            )
        return record
    record.citizenship = rng.choice(CITIZENSHIPS)
    record.country_of_exploitation = rng.choice(DESTINATIONS)
    record.assistance_country = record.country_of_exploitation
    record.exploitation_types = rng.choice(
        [
            [ExploitationType.FORCED_LABOUR],
            [ExploitationType.SEXUAL_EXPLOITATION],
            [ExploitationType.FORCED_LABOUR, ExploitationType.SEXUAL_EXPLOITATION],
            [ExploitationType.OTHER],
            [],
        ]
    )
    if ExploitationType.FORCED_LABOUR in record.exploitation_types:
        record.labour_sectors = rng.choice(
            [[LabourSector.AGRICULTURE], [LabourSector.CONSTRUCTION], [LabourSector.DOMESTIC_WORK]]
        )
    if ExploitationType.SEXUAL_EXPLOITATION in record.exploitation_types:
        record.sexual_exploitation_types = [SexualExploitationType.PROSTITUTION]
    record.means_of_control = rng.choice(
        [[MeansOfControl.FALSE_PROMISES], [MeansOfControl.WITHHOLDS_DOCUMENTS], []]
    )
    return record


def write_file(
    path: Path,
    fmt_key: str,
    rows: int,
    *,
    seed: int = 1,
    delimiter: str = ",",
    bom: bool = False,
    terms: bool = False,
) -> Path:
    fmt = FORMATS[fmt_key]
    rng = random.Random(seed)  # noqa: S311  # reproducible test data, not security
    with path.open("w", encoding="utf-8-sig" if bom else "utf-8", newline="") as handle:
        writer = csv.writer(handle, delimiter=delimiter)
        header = list(fmt.columns)
        writer.writerow(
            (["By using this data you agree to the CTDC Terms of Use"] if terms else []) + header
        )
        for n in range(rows):
            cells = fmt.render(make_record(rng, fmt_key, n))
            writer.writerow(([""] if terms else []) + cells)
    return path
