"""The definitions behind every published figure (docs/indicators.md, DOMAIN.md section 4).

Each definition is implemented exactly once, here, as a pure function of plain values. The write
side (`services.case_fact_refresh`) applies them to a decrypted case when it changes and stores
the result in `CaseFact`; the read side only counts stored codes. The fixed category keys below
are the keys every JSON block carries, zeros included.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterable

from safepassage.reference.codes import ExploitationType, Gender, LabourSector
from safepassage.reference.regions import REGION_KEYS

UNKNOWN_COUNTRY = "UNK"

EXPLOITATION_KEYS: tuple[str, ...] = (
    "labour",
    "sexual",
    "sexual_and_labour",
    "begging",
    "other",
    "unknown",
)
SEX_KEYS: tuple[str, ...] = ("female", "male", "other", "unknown")
AGE_KEYS: tuple[str, ...] = ("child", "adult", "unknown")
TRAFFICKING_KEYS: tuple[str, ...] = ("cross_border", "internal", "unknown")
REGIONS: tuple[str, ...] = REGION_KEYS
REINTEGRATION_KEYS: tuple[str, ...] = (
    "legal",
    "medical",
    "financial",
    "housing",
    "community_based",
    "education",
)
AVRR_KEYS: tuple[str, ...] = (
    "child_female",
    "child_male",
    "adult_female",
    "adult_male",
    "other_or_unknown",
)

# "Forced labour" in the exploitation-type rule: HTCDS forced labour, child labour and forced
# begging (begging is an HTCDS labour sector; the separate code is read as that sector).
LABOUR_TYPES = frozenset(
    {ExploitationType.FORCED_LABOUR, ExploitationType.CHILD_LABOUR, ExploitationType.FORCED_BEGGING}
)
SEXUAL_TYPES = frozenset({ExploitationType.SEXUAL_EXPLOITATION})

_SEX: dict[str, str] = {
    Gender.FEMININE.value: "female",
    Gender.MASCULINE.value: "male",
    Gender.TRANSGENDER_FEMININE.value: "other",
    Gender.TRANSGENDER_MASCULINE.value: "other",
    Gender.NON_CONFORMING.value: "other",
}

CHILD_AGE = 18


def nationality(citizenships: Iterable[str]) -> str:
    """First citizenship (ISO alpha-3); none recorded -> UNK."""
    for code in citizenships:
        if code:
            return code
    return UNKNOWN_COUNTRY


def destination(country_of_exploitation: str | None) -> str:
    """Country of exploitation (the last one, as the screening records it); missing -> UNK."""
    return country_of_exploitation or UNKNOWN_COUNTRY


def exploitation_type(types: Collection[str], labour_sectors: Collection[str]) -> str:
    """sexual_and_labour > sexual > begging (forced labour whose only sector is begging) >
    labour > other (any other type) > unknown (no submitted screening or no type)."""
    kinds = set(types)
    sexual = bool(kinds & SEXUAL_TYPES)
    labour = bool(kinds & LABOUR_TYPES)
    if sexual and labour:
        return "sexual_and_labour"
    if sexual:
        return "sexual"
    if labour:
        sectors = set(labour_sectors)
        if ExploitationType.FORCED_BEGGING in kinds:
            sectors.add(LabourSector.BEGGING)
        return "begging" if sectors == {LabourSector.BEGGING} else "labour"
    if kinds:
        return "other"
    return "unknown"


def sex_group(sex: str) -> str:
    """HTCDS gender -> female / male / other (transgender, non-conforming) / unknown."""
    return _SEX.get(sex, "unknown")


def age_at(born: dt.date, on: dt.date) -> int:
    """Completed years on a date (the 18th birthday itself counts as 18)."""
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def age_group(
    latest_possible_birth_date: dt.date | None, registered: dt.date, reported: str = ""
) -> str:
    """child: under 18 on the registration date; adult; unknown (no date of birth and no
    reported majority status). `reported` is the majority status a source gives instead of a
    date of birth (`Person.reported_age_group`, CTDC majorityStatus); a date of birth wins.

    Protective rounding: an imprecise date of birth (month, year, estimated) is read as the
    latest date it allows (`Person.latest_possible_birth_date`), so an uncertain age resolves
    towards child. Exact dates are exact: registered on the 18th birthday is an adult."""
    if latest_possible_birth_date is None:
        return reported if reported in ("child", "adult") else "unknown"
    return "child" if age_at(latest_possible_birth_date, registered) < CHILD_AGE else "adult"


def trafficking_type(citizenships: Collection[str], country_of_exploitation: str | None) -> str:
    """internal: exploited in a country of citizenship; cross_border: both known, different."""
    known = {code for code in citizenships if code}
    if not known or not country_of_exploitation:
        return "unknown"
    return "internal" if country_of_exploitation in known else "cross_border"


def region(assistance_country_region: str | None) -> str:
    """Annex 2 region of the country where assistance was given; unlisted -> unassigned."""
    if assistance_country_region and assistance_country_region in REGIONS:
        return assistance_country_region
    return "unassigned"


def returned(*, status: str, status_before_closure: str, reintegration_services: int) -> bool:
    """A returned beneficiary, until the returns issue records returns: the case reached
    reintegration monitoring (now or before closure) or has a service in the reintegration
    phase. The returns issue replaces the body of this one function."""
    return (
        status == "monitoring"
        or (status == "closed" and status_before_closure == "monitoring")
        or reintegration_services > 0
    )


def avrr_cell(age: str, sex: str) -> str:
    """The AVRR profile cell: child/adult x female/male; anything else is other_or_unknown."""
    if age in ("child", "adult") and sex in ("female", "male"):
        return f"{age}_{sex}"
    return "other_or_unknown"
