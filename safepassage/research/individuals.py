"""The person-level input of a research release, built from the reporting table.

Privacy unit: the individual (`CaseFact.individual_id`, the record-linkage cluster). An individual
with several instances of assistance in scope contributes ONE row: the values of their earliest
registration in scope (registration date, then case id), so a release never counts a person twice
and never mixes the values of two instances. Scope is the offices and years of the release, so a
case of an office outside the release's scope is never read, not even to choose the earliest.

Age is the age in completed years at that registration, computed in memory from the decrypted
date of birth with the protective rounding of the indicators (an imprecise date counts from the
latest day it allows). Without a date of birth it is what the source reported: a CTDC age band or
a majority status. Nothing decrypted is written anywhere; the frame lives in this process only.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pandas as pd
from django.db.models import QuerySet

from safepassage.access.policy import OfficeScope
from safepassage.cases.models import Case, Person
from safepassage.interop.exporter import iter_records
from safepassage.interop.formats.base import Record
from safepassage.stats.definitions import age_at
from safepassage.stats.models import CaseFact

CHUNK = 2000
INPUT_COLUMNS = (
    "year_of_registration",
    "sex",
    "age",
    "citizenship",
    "country_of_exploitation",
    "exploitation_type",
)


@dataclass(frozen=True)
class Source:
    """The source dataset of a release: offices in scope and the registration years."""

    scope: OfficeScope
    year_from: int | None = None
    year_to: int | None = None

    def facts(self) -> QuerySet[CaseFact]:
        facts = self.scope.filter(CaseFact.objects.all())
        if self.year_from is not None:
            facts = facts.filter(year__gte=self.year_from)
        if self.year_to is not None:
            facts = facts.filter(year__lte=self.year_to)
        # Imported rows known only to a band of years have no reporting year: left out.
        return facts.exclude(case__registration_period__regex=r"[^0-9]")

    def cases(self) -> QuerySet[Case]:
        return Case.objects.filter(pk__in=self.facts().values("case_id"))


def _chunks(items: list[int]) -> Iterator[list[int]]:
    for start in range(0, len(items), CHUNK):
        yield items[start : start + CHUNK]


def _ages(first: dict[int, dict[str, Any]]) -> dict[int, object]:
    """Age at the chosen registration per individual; reported band or majority otherwise."""
    by_person: dict[int, list[int]] = {}
    for individual, row in first.items():
        by_person.setdefault(row["case__person_id"], []).append(individual)
    ages: dict[int, object] = {}
    for ids in _chunks(sorted(by_person)):
        people = Person.objects.filter(pk__in=ids).only(
            "birth_date", "birth_date_precision", "reported_age_band", "reported_age_group"
        )
        for person in people:
            born = person.latest_possible_birth_date()
            for individual in by_person[person.pk]:
                registered = first[individual]["case__registration_date"]
                if born is not None:
                    ages[individual] = age_at(born, registered)
                elif person.reported_age_band:
                    ages[individual] = person.reported_age_band
                elif person.reported_age_group:
                    ages[individual] = person.reported_age_group
        # The decrypted dates go out of scope here; nothing holds them.
    return ages


def earliest_cases(source: Source) -> dict[int, dict[str, Any]]:
    """individual_id -> the fact row of their earliest registration in the source."""
    rows = (
        source.facts()
        .order_by("individual_id", "case__registration_date", "case_id")
        .values(
            "case_id",
            "individual_id",
            "year",
            "sex",
            "nationality",
            "destination",
            "exploitation",
            "case__registration_date",
            "case__person_id",
            "office__code",
            "case__reference",
        )
    )
    first: dict[int, dict[str, Any]] = {}
    for row in rows.iterator(chunk_size=CHUNK):
        first.setdefault(row["individual_id"], dict(row))
    return first


def research_individuals(source: Source) -> pd.DataFrame:
    """One row per individual: the research input columns plus `case_id` (internal: it selects
    the pass-through attributes and is never written to a release)."""
    first = earliest_cases(source)
    ages = _ages(first)
    ordered = sorted(first)
    return pd.DataFrame(
        {
            "year_of_registration": pd.Series([first[i]["year"] for i in ordered], dtype="int64"),
            "sex": [first[i]["sex"] for i in ordered],
            "age": pd.Series([ages.get(i, pd.NA) for i in ordered], dtype="object"),
            "citizenship": [first[i]["nationality"] for i in ordered],
            "country_of_exploitation": [first[i]["destination"] for i in ordered],
            "exploitation_type": [first[i]["exploitation"] for i in ordered],
            "case_id": pd.Series([first[i]["case_id"] for i in ordered], dtype="int64"),
        }
    )


def case_records(source: Source, case_ids: set[int]) -> dict[int, Record]:
    """The interchange records (no identifiers) of the chosen cases, keyed by case id."""
    keys: dict[tuple[object, str], int] = {
        (row["office__code"], row["reference"]): row["id"]
        for row in Case.objects.filter(pk__in=source.facts().values("case_id"))
        .values("id", "office__code", "reference")
        .iterator(chunk_size=CHUNK)
        if row["id"] in case_ids
    }
    records: dict[int, Record] = {}
    for record in iter_records(source.cases(), identifiers=False):
        case_id = keys.get((record.source_values.get("office"), record.reference))
        if case_id is not None:
            records[case_id] = record
    return records
