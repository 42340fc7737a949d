"""Anonymising one person: what is removed, what is coarsened, and the check that every figure
stays as it was.

What goes: names (both scripts), aliases, contacts, place of birth, languages, identity
documents with their blind indexes, name keys, case notes, every free-text field of every
record about the person's cases, and the shared summary of transfers. What is coarsened:
every date and timestamp of those records, to the first day of its month (the month keeps
every year-based figure and the monthly order of events). The date of birth is replaced by
what the figures need: the age group (and the CTDC age band) at the first registration, as
for anonymised imports. A person who was a child at one registration and an adult at a later
one keeps a derived date instead (the first adult registration less 18 years, marked
estimated): it says no more than "turned 18 between these registrations".

What stays: coded values (sex, citizenship, case codes, screening codes, services, amounts),
so `case_fact_build` gives the same row. `person_anonymise` proves it for every case before
it commits, and refuses (rolling everything back) otherwise.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import models
from django.db.models import Model

from safepassage.assistance.models import AssistanceService
from safepassage.cases.models import (
    BirthDatePrecision,
    Case,
    CaseNote,
    Consent,
    IdentityDocument,
    Person,
    PersonNameKey,
)
from safepassage.core.fields import EncryptedJSONField, EncryptedTextField
from safepassage.linkage.models import CandidatePair, PairBand, PairStatus, PersonCluster
from safepassage.projects.models import FundCharge, GafAttestation
from safepassage.research.hierarchies import age_band
from safepassage.returns.models import (
    Alert,
    MonitoringVisit,
    ReintegrationPlan,
    ReturnPlan,
    RiskAssessment,
)
from safepassage.screening.models import Determination, Screening, TraffickingEvent
from safepassage.stats import definitions as d
from safepassage.stats.models import CaseFact
from safepassage.stats.services import case_fact_build, case_fact_refresh
from safepassage.transfers.models import Referral, Transfer

CHILD_AGE = d.CHILD_AGE
TIMESTAMPS = ("created_at", "updated_at")

# Every CaseFact column a figure reads. `registration_date` is coarsened with the case (no
# figure reads the day), `individual_id` is kept as linkage set it.
FACT_FIELDS: tuple[str, ...] = tuple(
    field.name
    for field in CaseFact._meta.concrete_fields
    if field.name not in {"case", "registration_date", "refreshed_at", "individual_id"}
)


@dataclass(frozen=True)
class Scrub:
    """How one kind of record about a case is anonymised. `case_path` leads from the record
    to its case; `drop` lists free-text fields emptied; `dates` the dates and timestamps
    coarsened to the month; `delete` removes the records whole (notes: nothing but text)."""

    model: type[Model]
    case_path: str
    drop: tuple[str, ...] = ()
    dates: tuple[str, ...] = ()
    delete: bool = False


# One row per model holding personal data or free text about a case. A test checks that every
# encrypted field of every installed model is covered here or on Person.
SCRUBS: tuple[Scrub, ...] = (
    Scrub(Case, "", dates=("registration_date", "closed_at", *TIMESTAMPS)),
    Scrub(CaseNote, "case", delete=True),
    Scrub(
        Consent,
        "case",
        drop=("guardian_name", "withdrawal_note", "recipient_partner"),
        dates=("date", "withdrawn_at", *TIMESTAMPS),
    ),
    Scrub(
        Screening,
        "case",
        drop=("promised_job", "notes"),
        dates=(
            "recruitment_date",
            "exploitation_start",
            "exploitation_end",
            "submitted_at",
            *TIMESTAMPS,
        ),
    ),
    Scrub(TraffickingEvent, "screening__case", drop=("place",), dates=("start_date", "end_date")),
    Scrub(
        Determination,
        "case",
        drop=("reasons", "review_note"),
        dates=("reviewed_at", *TIMESTAMPS),
    ),
    Scrub(
        AssistanceService,
        "case",
        drop=("notes", "provider_name"),
        dates=("start_date", "end_date", *TIMESTAMPS),
    ),
    Scrub(
        ReturnPlan,
        "case",
        drop=("destination_community", "escort_details"),
        dates=(
            "planned_date",
            "departure_date",
            "arrival_date",
            "bid_date",
            "family_assessment_date",
            *TIMESTAMPS,
        ),
    ),
    Scrub(
        RiskAssessment,
        "return_plan__case",
        drop=("risks", "mitigation_plan", "review_note"),
        dates=("reviewed_at", *TIMESTAMPS),
    ),
    Scrub(
        ReintegrationPlan,
        "case",
        drop=("needs", "wishes", "skills", "options"),
        dates=TIMESTAMPS,
    ),
    Scrub(
        MonitoringVisit,
        "case",
        drop=("notes",),
        dates=("date", "next_visit_due", *TIMESTAMPS),
    ),
    Scrub(Alert, "case", dates=("resolved_at", *TIMESTAMPS)),
    Scrub(
        Transfer,
        "case",
        drop=("message", "rejection_reason", "summary"),
        dates=("expires_at", "decided_at", *TIMESTAMPS),
    ),
    # The transfer that brought a case in carries the summary the sending office shared.
    Scrub(
        Transfer,
        "received_case",
        drop=("message", "rejection_reason", "summary"),
        dates=("expires_at", "decided_at", *TIMESTAMPS),
    ),
    Scrub(
        Referral,
        "case",
        drop=("organisation_name", "purpose"),
        dates=("date", *TIMESTAMPS),
    ),
    Scrub(GafAttestation, "case", drop=("statement",), dates=("attested_on", *TIMESTAMPS)),
    Scrub(FundCharge, "case", dates=("charged_on", *TIMESTAMPS)),
)

PERSON_DROP: tuple[str, ...] = (
    "given_names",
    "family_names",
    "given_names_original",
    "family_names_original",
    "aliases",
    "birth_place",
    "phone",
    "email",
    "address",
)


def month_of(value: Any) -> Any:
    """A date or an aware timestamp coarsened to the first day of its month (UTC midnight)."""
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    if isinstance(value, dt.date):
        return value.replace(day=1)
    msg = f"not a date: {type(value).__name__}"
    raise TypeError(msg)


def years_before(day: dt.date, years: int) -> dt.date:
    """The same calendar day `years` earlier (29 February becomes the 28th)."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


def concrete_field(model: type[Model], name: str) -> models.Field[Any, Any]:
    field = model._meta.get_field(name)
    if not isinstance(field, models.Field):
        msg = f"{model.__name__}.{name} is not a column"
        raise TypeError(msg)
    return field


def empty_value(field: models.Field[Any, Any]) -> Any:
    """What a dropped field holds: NULL where the column means "not recorded", otherwise the
    field's empty value (encrypted like any other value)."""
    if getattr(field, "null_reads_empty", False):
        return None
    if isinstance(field, EncryptedJSONField | models.JSONField):
        return field.get_default()
    if isinstance(field, EncryptedTextField | models.CharField | models.TextField):
        return ""
    msg = f"{field.model.__name__}.{field.name} is not a text field"
    raise TypeError(msg)


def fact_values(fact: CaseFact | None) -> dict[str, Any] | None:
    if fact is None:
        return None
    return {name: getattr(fact, name) for name in FACT_FIELDS}


# --- the date of birth ------------------------------------------------------------------------


@dataclass(frozen=True)
class AgeReplacement:
    """What replaces the date of birth, and the registration dates it was derived with."""

    registrations: dict[int, dt.date]
    birth_date: dt.date | None
    precision: str
    reported_group: str
    reported_band: str


def _groups(
    born: dt.date | None, registrations: dict[int, dt.date], reported: str
) -> dict[int, str]:
    return {pk: d.age_group(born, day, reported) for pk, day in registrations.items()}


def age_replacement(person: Person, cases: Sequence[Case]) -> AgeReplacement:
    """The least that reproduces the age group of every case, with registration dates
    coarsened to the month where that is enough (otherwise the exact dates are kept)."""
    exact = {case.pk: case.registration_date for case in cases}
    coarse = {pk: month_of(day) for pk, day in exact.items()}
    born = person.latest_possible_birth_date()
    if born is None:
        # Nothing to replace: the reported values (if any) already carry the age.
        return AgeReplacement(
            coarse,
            None,
            BirthDatePrecision.UNKNOWN,
            person.reported_age_group,
            person.reported_age_band,
        )
    wanted = _groups(born, exact, "")
    first = min(cases, key=lambda case: (case.registration_date, case.pk), default=None)
    first_age = d.age_at(born, first.registration_date) if first is not None else None
    group = wanted[first.pk] if first is not None else ""
    band = age_band(first_age) if first_age is not None else ""
    if len(set(wanted.values())) <= 1:
        return AgeReplacement(coarse, None, BirthDatePrecision.UNKNOWN, group, band)
    # A child at one registration and an adult at a later one: a derived date that turns 18
    # on the first adult registration reproduces every group and tells nothing more.
    for registrations in (coarse, exact):
        adult = min(day for pk, day in registrations.items() if wanted[pk] == "adult")
        derived = years_before(adult, CHILD_AGE)
        if _groups(derived, registrations, "") == wanted:
            return AgeReplacement(registrations, derived, BirthDatePrecision.ESTIMATED, group, band)
    # Unreachable for consistent data (the true date satisfies the exact registrations);
    # keep the exact registrations and let the figure check refuse if it does not hold.
    return AgeReplacement(exact, None, BirthDatePrecision.UNKNOWN, group, band)


# --- the records ------------------------------------------------------------------------------


def _scrub_records(scrub: Scrub, cases: Iterable[int], registrations: dict[int, dt.date]) -> int:
    lookup = f"{scrub.case_path}__in" if scrub.case_path else "pk__in"
    if scrub.delete:
        deleted, _ = scrub.model._default_manager.filter(**{lookup: list(cases)}).delete()
        return deleted
    fields = [concrete_field(scrub.model, name) for name in scrub.drop]
    manager = scrub.model._default_manager
    rows = list(manager.filter(**{lookup: list(cases)}).only("pk", *scrub.dates))
    for row in rows:
        values: dict[str, Any] = {field.attname: empty_value(field) for field in fields}
        for name in scrub.dates:
            values[name] = month_of(getattr(row, name))
        if scrub.model is Case:
            values["registration_date"] = registrations[row.pk]
            values["version"] = models.F("version") + 1
        # A plain UPDATE per row: the values as set (auto_now timestamps are coarsened, not
        # renewed), and a person has a handful of rows per model, for which this is several
        # times cheaper than bulk_update's CASE expressions.
        if values:
            manager.filter(pk=row.pk).update(**values)
    return len(rows)


def _frozen_individual(person: Person, case_ids: Sequence[int]) -> int:
    """The individual the person counts as now, kept in a PersonCluster row so that linkage
    keeps it (a person never linked counts as itself)."""
    cluster = PersonCluster.objects.filter(person=person).values_list("individual_id", flat=True)
    individual = cluster.first()
    if individual is None:
        stored = (
            CaseFact.objects.filter(case_id__in=list(case_ids))
            .values_list("individual_id", flat=True)
            .first()
        )
        individual = stored if stored is not None else person.pk
        PersonCluster.objects.create(person=person, individual_id=individual)
    return individual


@dataclass(frozen=True)
class Anonymised:
    person_id: int
    case_ids: list[int]
    individual_id: int
    records: dict[str, int]


def anonymise_records(person: Person) -> Anonymised:
    """Anonymise the person and every record about their cases, inside the caller's
    transaction (the caller holds the person's row lock), and prove that no figure moved.
    Raises StatisticsWouldChange, leaving the transaction to roll back."""
    from safepassage.retention.errors import StatisticsWouldChange

    cases = list(
        Case.objects.select_related("person", "assistance_country")
        .filter(person=person)
        .order_by("pk")
    )
    before = {
        case.pk: fact_values(case_fact_build(case) if case.reporting_year is not None else None)
        for case in cases
    }
    case_ids = [case.pk for case in cases]
    replacement = age_replacement(person, cases)
    records: dict[str, int] = {}
    for scrub in SCRUBS:
        count = _scrub_records(scrub, case_ids, replacement.registrations)
        if count:
            records[scrub.model._meta.label_lower] = count
    records["cases.identitydocument"] = IdentityDocument.objects.filter(person=person).delete()[0]
    PersonNameKey.objects.filter(person=person).delete()
    # Pairs still waiting for review can no longer be judged (no names); decided and
    # automatic pairs stay, because re-clustering reads them.
    CandidatePair.objects.filter(
        models.Q(person_a=person) | models.Q(person_b=person),
        band=PairBand.REVIEW,
        status__in=(PairStatus.PENDING, PairStatus.SKIPPED),
    ).delete()
    individual = _frozen_individual(person, case_ids)

    Person.objects.filter(pk=person.pk).update(
        **{name: empty_value(concrete_field(Person, name)) for name in PERSON_DROP},
        languages=[],
        birth_date=replacement.birth_date,
        birth_date_precision=replacement.precision,
        reported_age_group=replacement.reported_group,
        reported_age_band=replacement.reported_band,
        created_at=month_of(person.created_at),
        updated_at=month_of(person.updated_at),
    )

    for case in cases:
        after = fact_values(case_fact_refresh(case))
        if after != before[case.pk]:
            old, new = before[case.pk] or {}, after or {}
            moved = sorted(k for k in set(old) | set(new) if old.get(k) != new.get(k))
            raise StatisticsWouldChange(case.pk, moved)
    return Anonymised(
        person_id=person.pk, case_ids=case_ids, individual_id=individual, records=records
    )
