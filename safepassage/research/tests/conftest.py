"""Research fixtures: a private var/ per test and cases at offices A (Kyiv) and B (Bangkok)
built through the real services."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from safepassage.cases.models import Case
from safepassage.cases.tests.factories import make_case, screen

REGISTERED = dt.date(2026, 3, 2)
SEXUAL: dict[str, Any] = {
    "exploitation_types": ["SexualExploitation"],
    "sexual_exploitation_types": ["Prostitution"],
    "labour_sectors": [],
}


@dataclass
class Persons:
    """What the tests scan the released files for."""

    names: list[str] = field(default_factory=list)
    birth_dates: list[dt.date] = field(default_factory=list)
    references: list[str] = field(default_factory=list)
    cases: dict[str, list[Case]] = field(default_factory=dict)


@pytest.fixture(autouse=True)
def private_var(settings: Any, tmp_path: Path) -> Path:
    settings.VAR_DIR = tmp_path / "var"
    return Path(settings.VAR_DIR)


def _populate(  # noqa: PLR0917  # a test builder read best with positional context
    world: Any,
    office_key: str,
    count: int,
    citizenship: str,
    country: str,
    persons: Persons,
    year: int = 2026,
) -> None:
    office = world.office_a if office_key == "A" else world.office_b
    actor = world.user(office_key, "caseworker")
    made = []
    for index in range(count):
        given = f"Given{office_key}{index}x"
        family = f"Family{office_key}{index}q"
        born = dt.date(1988 + index % 3, 1 + index % 12, 3 + index)
        case = make_case(
            office,
            actor,
            given=given,
            family=family,
            birth_date=born,
            citizenship=citizenship,
            sex="Feminine",
            registered=REGISTERED.replace(year=year),
        )
        extra = SEXUAL if index % 2 else {}
        screen(case, actor, country_of_exploitation=country, **extra)
        persons.names += [given, family]
        persons.birth_dates.append(born)
        persons.references.append(case.reference)
        made.append(case)
    persons.cases.setdefault(office_key, []).extend(made)


@pytest.fixture
def persons(world: Any) -> Persons:
    """8 Ukrainian women at office A exploited in Russia, 8 Lao women at office B exploited in
    Thailand; every other one sexually exploited, the others in forced labour; born 1988-1990."""
    made = Persons()
    _populate(world, "A", 8, "UKR", "RUS", made)
    _populate(world, "B", 8, "LAO", "THA", made)
    return made
