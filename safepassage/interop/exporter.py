"""Exporting cases to the interchange formats, streamed in chunks.

CTDC formats never carry identifiers. HTCDS carries names and date of birth only when asked
for by someone allowed to (`data.export_personal` at every exported office, or the operator on
the command line) and then records an access event. Every cell is neutralised against formula
execution (safety.neutralise)."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from django.db import transaction
from django.db.models import QuerySet

from safepassage.access.permissions import Perm
from safepassage.access.policy import has_perm, scope_for
from safepassage.audit.models import AccessEvent
from safepassage.audit.services import access_record
from safepassage.cases.models import Case, Person
from safepassage.core.errors import PermissionDenied, ValidationFailed
from safepassage.interop.formats import FORMATS, Record
from safepassage.interop.formats.base import Perpetrators
from safepassage.interop.safety import neutralise
from safepassage.offices.models import Office
from safepassage.screening.models import Perpetrator, Screening

CHUNK = 2000
SCREENING_FIELDS = (
    "case_id",
    "number",
    "means_of_control",
    "exploitation_types",
    "labour_sectors",
    "sexual_exploitation_types",
    "recruiter_relation",
    "country_of_exploitation_id",
    "exploitation_region",
    "unreported",
    "source_values",
)
PERPETRATOR_FIELDS = (
    "case_id",
    "genders",
    "age_bands",
    "citizenship_regions",
    "relations",
    "victim_paid",
    "role_exploiter",
    "role_recruiter_broker",
    "role_transaction",
    "role_control_abuse_kidnap",
)


def export_queryset(*, year: int | None = None, office: Office | None = None) -> QuerySet[Case]:
    cases = Case.objects.all()
    if office is not None:
        cases = cases.filter(office=office)
    if year is not None:
        # Cases known only to a band of years have no reporting year and fall outside any year.
        cases = cases.filter(registration_date__year=year).exclude(
            registration_period__regex=r"[^0-9]"
        )
    return cases


def iter_records(cases: QuerySet[Case], *, identifiers: bool = False) -> Iterator[Record]:
    """Records of the cases, in id order, CHUNK cases at a time (memory stays flat)."""
    last = 0
    case_fields = (
        "id",
        "reference",
        "office__code",
        "registration_date",
        "registration_period",
        "referral_source",
        "beneficiary_category",
        "assistance_country_id",
        "person_id",
        "person__sex",
        "person__birth_date_precision",
        "person__citizenship_id",
        "person__other_citizenships",
        "person__reported_age_group",
        "person__reported_age_band",
        "person__citizenship_region",
    )
    while True:
        chunk = list(cases.filter(pk__gt=last).order_by("pk").values(*case_fields)[:CHUNK])
        if not chunk:
            return
        last = chunk[-1]["id"]
        ids = [row["id"] for row in chunk]
        screenings: dict[int, dict[str, Any]] = {}
        for row in (
            Screening.objects.filter(case_id__in=ids, status=Screening.Status.SUBMITTED)
            .order_by("case_id", "number")
            .values(*SCREENING_FIELDS)
        ):
            screenings[row["case_id"]] = row  # the latest version wins
        perpetrators = {
            row["case_id"]: row
            for row in Perpetrator.objects.filter(case_id__in=ids)
            .order_by("pk")
            .values(*PERPETRATOR_FIELDS)
        }
        people: dict[int, Person] = {}
        if identifiers:
            people = {
                p.pk: p
                for p in Person.objects.filter(pk__in=[row["person_id"] for row in chunk]).only(
                    "given_names", "family_names", "birth_date", "birth_date_precision"
                )
            }
        for row in chunk:
            yield _record(
                row,
                screenings.get(row["id"]),
                perpetrators.get(row["id"]),
                people.get(row["person_id"]),
            )


def _record(
    row: dict[str, Any],
    screening: dict[str, Any] | None,
    perpetrator: dict[str, Any] | None,
    person: Person | None,
) -> Record:
    record = Record(
        reference=row["reference"],
        registration_date=row["registration_date"],
        registration_period=row["registration_period"],
        referral_source=row["referral_source"],
        beneficiary_category=row["beneficiary_category"],
        assistance_country=row["assistance_country_id"],
        sex=row["person__sex"],
        reported_age_group=row["person__reported_age_group"],
        reported_age_band=row["person__reported_age_band"],
        citizenship=row["person__citizenship_id"],
        other_citizenships=list(row["person__other_citizenships"] or []),
        citizenship_region=row["person__citizenship_region"],
    )
    record.source_values = {"office": row["office__code"]}
    if person is not None:
        record.given_names = person.given_names
        record.family_names = person.family_names
        record.birth_date = person.birth_date
        record.birth_date_precision = person.birth_date_precision
    if screening is not None:
        record.means_of_control = list(screening["means_of_control"])
        record.exploitation_types = list(screening["exploitation_types"])
        record.labour_sectors = list(screening["labour_sectors"])
        record.sexual_exploitation_types = list(screening["sexual_exploitation_types"])
        record.recruiter_relation = screening["recruiter_relation"]
        record.country_of_exploitation = screening["country_of_exploitation_id"]
        record.exploitation_region = screening["exploitation_region"]
        record.unreported = list(screening["unreported"])
        record.source_values.update(screening["source_values"] or {})
    else:
        record.unreported = [
            "means_of_control",
            "exploitation_types",
            "labour_sectors",
            "sexual_exploitation_types",
            "recruiter_relation",
        ]
    if perpetrator is not None:
        record.perpetrators = Perpetrators(
            **{k: v for k, v in perpetrator.items() if k != "case_id"}
        )
    return record


def cases_export(
    *,
    actor: Any,
    format_key: str,
    out: Path,
    year: int | None = None,
    office: Office | None = None,
    identifiers: bool = False,
    source: str = "",
) -> int:
    """Write the cases in scope to `out` (CSV; XLSX when `out` ends in .xlsx, HTCDS only).
    Returns the number of cases written."""
    if format_key not in FORMATS:
        raise ValidationFailed(f"unknown format {format_key!r}", field="format")
    fmt = FORMATS[format_key]
    if identifiers and not fmt.carries_identifiers:
        raise ValidationFailed("CTDC exports never carry identifiers.", field="identifiers")
    cases = export_queryset(year=year, office=office)
    if actor is not None:
        scope = scope_for(actor, Perm.DATA_EXPORT_PERSONAL)
        if office is not None and not has_perm(actor, Perm.DATA_EXPORT_PERSONAL, office=office):
            raise PermissionDenied("You may not export this office's cases.")
        if scope.empty:
            raise PermissionDenied("You may not export cases.")
        cases = scope.filter(cases)
    columns = list(fmt.columns)
    hidden = set()
    if fmt.carries_identifiers and not identifiers:
        from safepassage.interop.formats.htcds import IDENTIFIER_COLUMNS

        hidden = {columns.index(name) for name in IDENTIFIER_COLUMNS}
        columns = [c for i, c in enumerate(columns) if i not in hidden]

    def rows() -> Iterator[list[str]]:
        for record in iter_records(cases, identifiers=identifiers):
            cells = fmt.render(record)
            if hidden:
                cells = [c for i, c in enumerate(cells) if i not in hidden]
            yield [neutralise(cell) for cell in cells]

    with transaction.atomic():
        count = _write(out, columns, rows())
        if identifiers:
            access_record(
                actor=actor,
                office=office,
                action=AccessEvent.Action.EXPORT,
                target=("interop.export", format_key),
                metadata={
                    "what": "cases with identifiers",
                    "format": format_key,
                    "cases": count,
                    "year": year,
                    "office": getattr(office, "code", None),
                },
                source=source,
            )
    return count


def _write(out: Path, columns: list[str], rows: Iterator[list[str]]) -> int:
    count = 0
    if out.suffix.lower() == ".xlsx":
        import openpyxl

        book = openpyxl.Workbook(write_only=True)
        sheet = book.create_sheet("cases")
        sheet.append(columns)
        for cells in rows:
            sheet.append(cells)
            count += 1
        book.save(out)
        return count
    with out.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(columns)
        for cells in rows:
            writer.writerow(cells)
            count += 1
    return count
