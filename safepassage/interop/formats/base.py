"""What every interchange format shares: the normalised record a row maps to, row errors, and
the cell parsers (codes, flags, years, countries) with plain messages."""

from __future__ import annotations

import datetime as dt
import re
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from typing import Any, ClassVar

from safepassage.cases.models import BeneficiaryCategory, BirthDatePrecision, ReferralSource
from safepassage.core import clock
from safepassage.reference.codes import Gender
from safepassage.reference.countries import countries_by_iso2, countries_by_iso3

MAX_CELL = 1000
EARLIEST_YEAR = 1990
UNKNOWN_PERIOD = "unknown"
UN_REGIONS = ("Africa", "Americas", "Americas/Oceania", "Asia", "Europe", "Oceania")
# Groups of a screening a source can leave unanswered (CTDC -99 / blank for the whole group).
_YEARS = re.compile(r"(\d{4})(?:\.0)?(?:-(\d{4}))?")
_FLAGS: dict[str, bool | None] = {"1": True, "0": False, "": None, "-99": None}
GROUPS = (
    "means_of_control",
    "exploitation_types",
    "labour_sectors",
    "sexual_exploitation_types",
    "recruiter_relation",
)


@dataclass(frozen=True, slots=True)
class RowError:
    """One problem: the file line (the header is line 1), the column, the value, a message."""

    row: int
    column: str
    value: str
    message: str


@dataclass(slots=True)
class Perpetrators:
    genders: list[str] = field(default_factory=list)
    age_bands: list[str] = field(default_factory=list)
    citizenship_regions: list[str] = field(default_factory=list)
    relations: list[str] = field(default_factory=list)
    victim_paid: list[str] = field(default_factory=list)
    role_exploiter: bool | None = None
    role_recruiter_broker: bool | None = None
    role_transaction: bool | None = None
    role_control_abuse_kidnap: bool | None = None


@dataclass(slots=True)
class Record:
    """One case as every format sees it (import target and export source)."""

    reference: str = ""
    registration_date: dt.date | None = None
    registration_period: str = ""
    referral_source: str = ReferralSource.OTHER
    beneficiary_category: str = BeneficiaryCategory.VOT
    assistance_country: str | None = None
    given_names: str = ""
    family_names: str = ""
    birth_date: dt.date | None = None
    birth_date_precision: str = BirthDatePrecision.UNKNOWN
    sex: str = Gender.UNKNOWN
    reported_age_group: str = ""
    reported_age_band: str = ""
    citizenship: str | None = None
    other_citizenships: list[str] = field(default_factory=list)
    citizenship_region: str = ""
    country_of_exploitation: str | None = None
    exploitation_region: str = ""
    means_of_control: list[str] = field(default_factory=list)
    exploitation_types: list[str] = field(default_factory=list)
    labour_sectors: list[str] = field(default_factory=list)
    sexual_exploitation_types: list[str] = field(default_factory=list)
    recruiter_relation: str = ""
    unreported: list[str] = field(default_factory=list)
    source_values: dict[str, Any] = field(default_factory=dict)
    perpetrators: Perpetrators | None = None

    @property
    def has_identifiers(self) -> bool:
        return bool(self.given_names or self.family_names or self.birth_date)


class RowParser:
    """Collects the errors of one row while its cells are parsed."""

    __slots__ = ("errors", "line", "this_year", "today")

    def __init__(self, line: int, errors: list[RowError], today: dt.date | None = None) -> None:
        self.line = line
        self.errors = errors
        # One clock reading per import, not per cell.
        self.today = today or clock.today()
        self.this_year = self.today.year

    def fail(self, column: str, value: str, message: str) -> None:
        self.errors.append(RowError(self.line, column, value[:200], message))

    def choice(self, column: str, value: str, mapping: dict[str, Any]) -> Any:
        try:
            return mapping[value]
        except KeyError:
            allowed = ", ".join(repr(k) for k in mapping if k)
            self.fail(column, value, f"unknown code; expected one of {allowed}")
            return None

    def flag(self, column: str, value: str) -> bool | None:
        """CTDC flags: 1 yes, 0 no, -99 or blank not reported."""
        try:
            return _FLAGS[value]
        except KeyError:
            self.fail(column, value, "expected 1, 0, -99 or blank")
            return None

    def year_period(self, column: str, value: str) -> tuple[dt.date | None, str]:
        """A year ('2019') or a band of years ('2014-2018'); blank or -99 is unknown."""
        if value in ("", "-99"):
            return None, UNKNOWN_PERIOD
        match = _YEARS.fullmatch(value)
        this_year = self.this_year
        if not match:
            self.fail(column, value, "expected a year (2019) or a band of years (2014-2018)")
            return None, UNKNOWN_PERIOD
        start = int(match.group(1))
        end = int(match.group(2) or start)
        if not EARLIEST_YEAR <= start <= end <= this_year:
            self.fail(column, value, f"year outside {EARLIEST_YEAR}-{this_year}")
            return None, UNKNOWN_PERIOD
        return dt.date(start, 1, 1), (str(start) if start == end else f"{start}-{end}")

    def date(self, column: str, value: str) -> dt.date | None:
        if not value:
            return None
        try:
            parsed = dt.date.fromisoformat(value[:10] if len(value) > 10 else value)
        except ValueError:
            self.fail(column, value, "not a date (YYYY-MM-DD)")
            return None
        if parsed > self.today or parsed.year < 1900:
            self.fail(column, value, "date in the future or before 1900")
            return None
        return parsed

    def iso2(
        self, column: str, value: str, unknown: tuple[str, ...] = ("", "-99", "00", "ZZ")
    ) -> str | None:
        if value in unknown:
            return None
        info = countries_by_iso2().get(value.upper())
        if info is None:
            self.fail(column, value, "unknown ISO 3166 alpha-2 country code")
            return None
        return info.iso3

    def iso3(self, column: str, value: str) -> str | None:
        if value in ("", "-99", "UNK", "ZZZ"):
            return None
        code = value.upper()
        if code not in countries_by_iso3():
            if len(code) == 2 and code in countries_by_iso2():
                return countries_by_iso2()[code].iso3
            self.fail(column, value, "unknown ISO 3166 alpha-3 country code")
            return None
        return code

    def region(self, column: str, value: str) -> str:
        if not value:
            return ""
        if value not in UN_REGIONS:
            self.fail(column, value, f"unknown UN region; expected one of {', '.join(UN_REGIONS)}")
            return ""
        return value

    def multi(
        self, column: str, value: str, allowed: frozenset[str] | tuple[str, ...]
    ) -> list[str]:
        """A ';'-joined list of codes, returned sorted and without repeats (CTDC's convention)."""
        if not value:
            return []
        parts = [part.strip() for part in value.split(";")]
        bad = [part for part in parts if part not in allowed]
        if bad:
            self.fail(
                column,
                value,
                f"unknown code {bad[0]!r}; expected any of {', '.join(sorted(allowed))}",
            )
            return []
        return sorted(set(parts))


def age_group_of_band(band: str) -> str:
    """CTDC ageBroad -> child / adult ('0--8', '9--17' are children)."""
    if not band:
        return ""
    return "child" if band in ("0--8", "9--17") else "adult"


def registration_year(record: Record) -> str:
    """The year or band a record was registered in, as CTDC writes it ('' when unknown)."""
    if record.registration_period == UNKNOWN_PERIOD:
        return ""
    if record.registration_period:
        return record.registration_period
    return str(record.registration_date.year) if record.registration_date else ""


def flag_out(value: bool, reported: bool, *, missing: str = "-99") -> str:
    if value:
        return "1"
    return "0" if reported else missing


class Format(ABC):
    """A tabular interchange format: its columns, how a row becomes a Record and back."""

    key: ClassVar[str]
    label: ClassVar[str]
    reference_prefix: ClassVar[str]
    columns: ClassVar[tuple[str, ...]]
    # Columns a file may carry that import ignores (derived values, recomputed on export).
    derived_columns: ClassVar[frozenset[str]] = frozenset()
    # Columns a file may leave out (all others are required).
    optional_columns: ClassVar[frozenset[str]] = frozenset()
    carries_identifiers: ClassVar[bool] = False
    reference_column: ClassVar[str | None] = None

    @abstractmethod
    def parse(self, row: dict[str, str], parser: RowParser) -> Record: ...

    @abstractmethod
    def render(self, record: Record) -> list[str]: ...
