"""Synthetic case load for the benchmarks: N cases with their persons and fact rows, fast.

Shared by `report.py` (the indicator engine reads only fact rows) and `load.py` (case work at
scale, where name search must find real name keys). Persons carry names drawn from pools made
by Faker in the locales of the nationalities served (Latin script, and the original script where
the locale writes another one), so name keys have the variety of real case loads: common family
names match thousands of persons, rare ones a handful.

Identical plaintexts share one ciphertext here, to keep generating a million persons fast (the
app itself encrypts every value afresh).
"""

from __future__ import annotations

import datetime as dt
import functools
import random
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

# Offices (assistance countries) across the regions, one not listed in Annex 2 (PSE).
OFFICE_COUNTRIES = (
    "UKR", "RUS", "MDA", "KAZ", "THA", "IDN", "KHM", "LAO", "HTI", "GTM", "MEX", "YEM",
    "EGY", "POL", "DEU", "ZAF", "MOZ", "SEN", "GHA", "ARG", "PSE",
)  # fmt: skip
NATIONALITIES = (
    ("UKR", 15), ("HTI", 13), ("YEM", 7), ("LAO", 7), ("UZB", 5), ("KHM", 5), ("KGZ", 4),
    ("AFG", 3), ("BLR", 3), ("ETH", 2), ("MDA", 2), ("IDN", 2), ("MMR", 2), ("NGA", 2),
    ("GTM", 2), ("BOL", 1), ("PRY", 1), ("MOZ", 1), ("ZWE", 1), ("SEN", 1),
)  # fmt: skip
DESTINATIONS = (
    ("RUS", 15), ("HTI", 12), ("YEM", 10), ("THA", 8), ("KAZ", 5), ("AFG", 3), ("IDN", 3),
    ("POL", 2), ("EGY", 2), ("TUR", 2), ("ZAF", 2), ("ARG", 1), ("MEX", 2), ("GTM", 1),
    ("DEU", 1), ("SAU", 1),
)  # fmt: skip
SEXES = (("Feminine", 60), ("Masculine", 35), ("NonConforming", 1), ("NonSpecifiedUnknown", 4))
EXPLOITATION: tuple[tuple[tuple[list[str], list[str]], int], ...] = (
    ((["ForcedLabour"], ["Construction"]), 45),
    ((["ForcedLabour"], ["Begging"]), 4),
    ((["SexualExploitation"], []), 25),
    ((["SexualExploitation", "ForcedLabour"], ["Hospitality"]), 6),
    ((["ForcedMarriage"], []), 3),
    (([], []), 17),
)
CATEGORIES = (
    ("vot", 50),
    ("presumed_vot", 30),
    ("exploited_migrant", 10),
    ("unaccompanied_child", 10),
)
REINTEGRATION = ("legal", "medical", "financial", "housing", "community_based", "education")
REINT_P = (0.58, 0.57, 0.54, 0.37, 0.30, 0.10)
# Faker locales standing in for the nationalities served; the weights follow NATIONALITIES
# roughly (Ukrainian and Russian-speaking, Haitian French, Arabic, South-East Asian, Spanish).
NAME_LOCALES = (
    ("uk_UA", 25), ("ru_RU", 12), ("fr_FR", 13), ("ar_AA", 10), ("th_TH", 8), ("id_ID", 6),
    ("es_MX", 8), ("en_US", 6), ("fa_IR", 4), ("pl_PL", 4), ("de_DE", 2), ("pt_BR", 2),
)  # fmt: skip
POOL_SIZE = 400  # distinct given and family names drawn per locale


def weighted(rng: random.Random, table: Any) -> Any:
    values, weights = zip(*table, strict=True)
    return rng.choices(values, weights)[0]


@dataclass(frozen=True)
class Name:
    given: str
    family: str
    given_original: str
    family_original: str


@functools.cache
def name_pools(seed: int = 11) -> dict[str, tuple[list[tuple[str, str]], list[tuple[str, str]]]]:
    """Per locale: (given, family) pools of (Latin script, original script or '') names."""
    from anyascii import anyascii
    from faker import Faker

    pools = {}
    for locale, _weight in NAME_LOCALES:
        fake = Faker(locale)
        fake.seed_instance(seed)

        def pair(text: str) -> tuple[str, str]:
            latin = anyascii(text)
            return (latin, "" if latin == text else text)

        given = sorted({pair(fake.first_name()) for _ in range(POOL_SIZE)})
        family = sorted({pair(fake.last_name()) for _ in range(POOL_SIZE)})
        pools[locale] = (given, family)
    return pools


def random_name(rng: random.Random, seed: int = 11) -> Name:
    """A name as an office records it; family names follow a skewed distribution (a few are
    common), as in real case loads."""
    given_pool, family_pool = name_pools(seed)[weighted(rng, NAME_LOCALES)]
    given = given_pool[int(len(given_pool) * rng.random() ** 2)]
    if rng.random() < 0.15:  # a second given name
        second = rng.choice(given_pool)
        given = (f"{given[0]} {second[0]}", f"{given[1]} {second[1]}".strip())
    family = family_pool[int(len(family_pool) * rng.random() ** 2)]
    return Name(given[0], family[0], given[1], family[1])


def generate(  # noqa: PLR0915  # one linear generation loop
    n: int,
    year: int,
    *,
    seed: int = 11,
    office_weights: Sequence[int] | None = None,
    with_name_keys: bool = False,
) -> None:
    """N cases (references OFFICE-YEAR-NNNNNN) in offices BENCH-<country>, spread over `year`
    (60%) and the year before (40%), each with a person and a fact row. `office_weights` (one
    per OFFICE_COUNTRIES entry) skews the cases towards some offices; `with_name_keys` writes
    the blind-indexed name keys that case search reads."""
    from django.db import connection, transaction

    from safepassage.cases.models import BirthDatePrecision, Case, CaseStatus, Person
    from safepassage.cases.services import name_keys
    from safepassage.core import crypto, fields
    from safepassage.offices.models import Office
    from safepassage.reference.models import Country
    from safepassage.stats import definitions as d
    from safepassage.stats.models import CaseFact

    # Identical plaintexts share one ciphertext in the bench (see the module docstring).
    setattr(fields, "encrypt_text", functools.lru_cache(maxsize=None)(crypto.encrypt_text))  # noqa: B010  # bench-only memo

    @functools.cache
    def text_keys(text: str) -> frozenset[str]:
        # The app's own key derivation, one name at a time so that it can be memoised.
        return frozenset(name_keys(Person(given_names=text)))

    rng = random.Random(seed)
    countries = {c.iso3: c for c in Country.objects.filter(iso3__in=OFFICE_COUNTRIES)}
    offices = [
        Office.objects.get_or_create(
            code=f"BENCH-{iso3}", defaults={"name": f"Bench {iso3}", "country": countries[iso3]}
        )[0]
        for iso3 in OFFICE_COUNTRIES
    ]
    weights = list(office_weights) if office_weights else [1] * len(offices)
    region_of = {o.pk: countries[o.country_id].region for o in offices}
    numbers: dict[tuple[int, int], int] = {}
    statuses = [CaseStatus.ASSISTED, CaseStatus.MONITORING, CaseStatus.CLOSED, CaseStatus.SCREENED]
    batch = 20_000
    started = time.perf_counter()
    previous_person: int | None = None
    for first in range(0, n, batch):
        size = min(batch, n - first)
        persons, specs = [], []
        for _ in range(first, first + size):
            office = rng.choices(offices, weights)[0]
            registered = dt.date(year - (rng.random() < 0.4), 1, 1) + dt.timedelta(
                rng.randrange(365)
            )
            age = rng.choice((None, *range(8, 50)))
            precision = (
                BirthDatePrecision.UNKNOWN
                if age is None
                else rng.choice((BirthDatePrecision.EXACT, BirthDatePrecision.YEAR))
            )
            born = None if age is None else dt.date(registered.year - age, rng.randrange(1, 13), 15)
            citizenship = None if rng.random() < 0.03 else weighted(rng, NATIONALITIES)
            others = ["RUS"] if rng.random() < 0.02 else []
            name = random_name(rng, seed)
            persons.append(
                Person(
                    office=office,
                    given_names=name.given,
                    family_names=name.family,
                    given_names_original=name.given_original,
                    family_names_original=name.family_original,
                    sex=weighted(rng, SEXES),
                    birth_date=born,
                    birth_date_precision=precision,
                    citizenship_id=citizenship,
                    other_citizenships=others,
                )
            )
            types, sectors = weighted(rng, EXPLOITATION)
            status = rng.choice(statuses)
            reint = (
                {k for k, p in zip(REINTEGRATION, REINT_P, strict=True) if rng.random() < p}
                if status == CaseStatus.MONITORING or rng.random() < 0.1
                else set()
            )
            number = numbers[(office.pk, registered.year)] = (
                numbers.get((office.pk, registered.year), 0) + 1
            )
            specs.append(
                {
                    "office": office,
                    "reference": f"{office.code}-{registered.year}-{number:06d}",
                    "registered": registered,
                    "category": weighted(rng, CATEGORIES),
                    "status": status,
                    "before": CaseStatus.MONITORING if status == CaseStatus.CLOSED else "",
                    "types": types,
                    "sectors": sectors,
                    "destination": None if rng.random() < 0.05 else weighted(rng, DESTINATIONS),
                    "reint": reint,
                    "linked": rng.random() < 0.3,
                }
            )
        with transaction.atomic():
            Person.objects.bulk_create(persons, batch_size=5000)
            if with_name_keys:
                _write_name_keys(connection, persons, text_keys)
            cases = [
                Case(
                    office=spec["office"],
                    person=person,
                    reference=spec["reference"],
                    registration_date=spec["registered"],
                    referral_source="ngo",
                    beneficiary_category=spec["category"],
                    assistance_country_id=spec["office"].country_id,
                    status=spec["status"],
                    status_before_closure=spec["before"],
                )
                for person, spec in zip(persons, specs, strict=True)
            ]
            Case.objects.bulk_create(cases, batch_size=5000)
            facts = []
            for person, case, spec in zip(persons, cases, specs, strict=True):
                citizenships = person.citizenships
                age_group = d.age_group(person.latest_possible_birth_date(), case.registration_date)
                # Linkage stand-in: some instances join the previous person's cluster.
                individual = previous_person if spec["linked"] and previous_person else person.pk
                previous_person = person.pk
                facts.append(
                    CaseFact(
                        case_id=case.pk,
                        office_id=case.office_id,
                        individual_id=individual,
                        registration_date=case.registration_date,
                        year=case.registration_date.year,
                        region=d.region(region_of[case.office_id]),
                        category=case.beneficiary_category,
                        status=case.status,
                        nationality=d.nationality(citizenships),
                        destination=d.destination(spec["destination"]),
                        exploitation=d.exploitation_type(spec["types"], spec["sectors"]),
                        sex=d.sex_group(person.sex),
                        age_group=age_group,
                        trafficking=d.trafficking_type(citizenships, spec["destination"]),
                        returned=d.returned(
                            status=case.status,
                            status_before_closure=case.status_before_closure,
                            reintegration_services=len(spec["reint"]),
                        ),
                        reint_any=bool(spec["reint"]),
                        **{f"reint_{k}": k in spec["reint"] for k in REINTEGRATION},
                    )
                )
            CaseFact.objects.bulk_create(facts, batch_size=5000)
        done = first + size
        rate = done / (time.perf_counter() - started)
        print(f"\r  generated {done:,} / {n:,} cases ({rate:,.0f}/s)", end="", flush=True)
    print()


def _write_name_keys(connection: Any, persons: list[Any], text_keys: Any) -> None:
    from safepassage.cases.models import PersonNameKey

    rows = []
    for person in persons:
        keys: set[str] = set()
        for text in (
            person.given_names,
            person.family_names,
            person.given_names_original,
            person.family_names_original,
        ):
            if text:
                keys |= text_keys(text)
        rows += [(person.pk, person.office_id, key) for key in sorted(keys)]
    if connection.vendor == "postgresql":
        # COPY: a million persons carry several million keys.
        with (
            connection.cursor() as cursor,
            cursor.cursor.copy(
                "COPY cases_personnamekey (person_id, office_id, key) FROM STDIN"
            ) as copy,
        ):
            for row in rows:
                copy.write_row(row)
    else:
        PersonNameKey.objects.bulk_create(
            [PersonNameKey(person_id=p, office_id=o, key=k) for p, o, k in rows],
            batch_size=5000,
        )
