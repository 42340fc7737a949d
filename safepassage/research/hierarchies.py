"""Generalisation hierarchies for the quasi-identifiers of a research release.

Level 0 is the value as recorded; each level above replaces it with a coarser label; the top
level of every hierarchy is `SUPPRESSED`, so a fully suppressed record looks exactly like a
record whose values were never known and the two fall into the same equivalence class.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from typing import SupportsInt, cast

import pandas as pd

from safepassage.reference.regions import region_of

SUPPRESSED = "unknown"
UNKNOWN_COUNTRY = "UNK"
ADULT_AGE = 18

# CTDC `ageBroad` bands (codebook v6.0), inclusive lower and upper bounds; the last is open.
AGE_BANDS: tuple[tuple[int, int | None], ...] = (
    (0, 8),
    (9, 17),
    (18, 20),
    (21, 23),
    (24, 26),
    (27, 29),
    (30, 38),
    (39, 47),
    (48, None),
)


def age_band(age: int) -> str:
    for lower, upper in AGE_BANDS:
        if upper is None:
            return f"{lower}+"
        if lower <= age <= upper:
            return f"{lower}--{upper}"
    # Negative ages are data errors; hiding them is safer than inventing a band.
    return SUPPRESSED


def majority_status(age: int) -> str:
    if age < 0:
        return SUPPRESSED
    return MINOR if age < ADULT_AGE else ADULT


MINOR = "Minor"
ADULT = "Adult"
REPORTED_GROUPS = {"child": MINOR, "adult": ADULT}


def _band_bounds(band: str) -> tuple[int, int | None] | None:
    for lower, upper in AGE_BANDS:
        label = f"{lower}+" if upper is None else f"{lower}--{upper}"
        if band == label:
            return lower, upper
    return None


def age_label(value: object, level: str) -> str:
    """An age as released at `level` ("ageBroad" or "majorityStatus").

    The value is the age in completed years, or, for a person with no date of birth, what a
    source reported instead: a CTDC `ageBroad` band ("9--17") or a majority status ("child",
    "adult"). A reported majority status is its own coarser label at the band level ("Minor"),
    never a band it does not know."""
    if isinstance(value, str):
        if value in REPORTED_GROUPS:
            return REPORTED_GROUPS[value]
        bounds = _band_bounds(value)
        if bounds is None:
            return SUPPRESSED
        if level == "ageBroad":
            return value
        return MINOR if bounds[0] < ADULT_AGE else ADULT
    age = _as_int(value)
    return age_band(age) if level == "ageBroad" else majority_status(age)


def age_group_of(value: object) -> str:
    """child / adult / unknown for an age or a reported band or majority status."""
    if _is_missing(value):
        return "unknown"
    label = age_label(value, "majorityStatus")
    return {MINOR: "child", ADULT: "adult"}.get(label, "unknown")


def _is_missing(value: object) -> bool:
    return value is None or bool(pd.isna(value))


@dataclass(frozen=True)
class Hierarchy:
    """How one input column generalises: `labellers[level](value)` gives the released label."""

    column: str
    level_names: tuple[str, ...]
    labellers: tuple[Callable[[object], str], ...]

    @property
    def height(self) -> int:
        return len(self.labellers)

    def generalise(self, values: pd.Series, level: int) -> pd.Series:
        if not 0 <= level < self.height:
            msg = f"{self.column}: level {level} outside 0..{self.height - 1}"
            raise ValueError(msg)
        labeller = self.labellers[level]
        # Label each distinct value once: the domains are small, the columns are long.
        mapping: dict[Hashable, str] = {}
        for value in pd.unique(values):
            mapping[value] = SUPPRESSED if _is_missing(value) else labeller(value)
        labels = values.map(mapping)
        if values.isna().any():
            labels = labels.where(values.notna(), SUPPRESSED)
        return labels.astype(str)


def _suppress(_value: object) -> str:
    return SUPPRESSED


def _as_int(value: object) -> int:
    # Values are numeric by contract of the input frame (int, numpy integer or whole float).
    return int(cast("SupportsInt", value))


def year_hierarchy(
    column: str = "year_of_registration", widths: Sequence[int] = (2, 5)
) -> Hierarchy:
    """Exact year, then bands aligned on multiples of each width (2018-2019, 2015-2019), then all."""

    def band_of(width: int) -> Callable[[object], str]:
        def label(value: object) -> str:
            start = _as_int(value) - _as_int(value) % width
            return f"{start}-{start + width - 1}"

        return label

    labellers: list[Callable[[object], str]] = [lambda value: str(_as_int(value))]
    labellers += [band_of(width) for width in widths]
    labellers.append(_suppress)
    names = ("year", *(f"{width}-year band" for width in widths), "suppressed")
    return Hierarchy(column=column, level_names=names, labellers=tuple(labellers))


def sex_hierarchy(column: str = "sex") -> Hierarchy:
    return Hierarchy(column=column, level_names=("sex", "suppressed"), labellers=(str, _suppress))


def age_hierarchy(column: str = "age") -> Hierarchy:
    return Hierarchy(
        column=column,
        level_names=("age", "ageBroad", "majorityStatus", "suppressed"),
        labellers=(
            lambda value: value if isinstance(value, str) else str(_as_int(value)),
            lambda value: age_label(value, "ageBroad"),
            lambda value: age_label(value, "majorityStatus"),
            _suppress,
        ),
    )


def _country_label(value: object) -> str:
    return SUPPRESSED if value == UNKNOWN_COUNTRY else str(value)


def _region_label(value: object) -> str:
    return SUPPRESSED if value == UNKNOWN_COUNTRY else region_of(str(value))


def country_hierarchy(column: str) -> Hierarchy:
    return Hierarchy(
        column=column,
        level_names=("country", "region", "suppressed"),
        labellers=(_country_label, _region_label, _suppress),
    )


def ctdc_country_hierarchy(column: str) -> Hierarchy:
    """Country or suppressed: the CTDC layout holds ISO alpha-2 codes and has no region column,
    so a region label could not be written there."""
    return Hierarchy(
        column=column,
        level_names=("country", "suppressed"),
        labellers=(_country_label, _suppress),
    )


@dataclass(frozen=True)
class QuasiIdentifier:
    """A hierarchy plus the levels the search may choose from.

    `min_level` keeps a finer level out of every release (age: the exact age is never released by
    default, only its CTDC band or coarser)."""

    hierarchy: Hierarchy
    min_level: int = 0

    @property
    def column(self) -> str:
        return self.hierarchy.column

    @property
    def levels(self) -> range:
        return range(self.min_level, self.hierarchy.height)


def default_quasi_identifiers() -> tuple[QuasiIdentifier, ...]:
    """Year band, sex, age band, citizenship and country of exploitation."""
    return (
        QuasiIdentifier(year_hierarchy()),
        QuasiIdentifier(sex_hierarchy()),
        QuasiIdentifier(age_hierarchy(), min_level=1),
        QuasiIdentifier(country_hierarchy("citizenship")),
        QuasiIdentifier(country_hierarchy("country_of_exploitation")),
    )
