"""Aggregate submissions (the core variable approach): an office that is not on the system
sends counts by sex, age group, nationality, exploitation type and trafficking type for a year.
The template is a CSV of (variable, value, count); every variable must add up to the same
total. Submissions are stored apart from cases and reported as a separate, flagged source."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from django.db import transaction

from safepassage.access.permissions import Perm
from safepassage.access.policy import require_permission
from safepassage.audit.services import audit_record
from safepassage.core import clock
from safepassage.core.errors import ValidationFailed
from safepassage.interop.formats.base import RowError
from safepassage.interop.models import AggregateSubmission
from safepassage.interop.reader import file_sha256
from safepassage.offices.models import Office
from safepassage.reference.countries import countries_by_iso3
from safepassage.stats import definitions as d

VARIABLES: dict[str, tuple[str, ...]] = {
    "sex": d.SEX_KEYS,
    "age_group": d.AGE_KEYS,
    "exploitation_type": d.EXPLOITATION_KEYS,
    "trafficking_type": d.TRAFFICKING_KEYS,
    "nationality": (),  # ISO alpha-3 codes, UNK for unknown
}
HEADER = ["variable", "value", "count"]


def aggregate_template() -> str:
    """The downloadable template: every fixed value with a zero count, and nationality rows."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(HEADER)
    for variable, keys in VARIABLES.items():
        for key in keys:
            writer.writerow([variable, key, 0])
    writer.writerow(["nationality", "UKR", 0])
    writer.writerow(["nationality", d.UNKNOWN_COUNTRY, 0])
    return out.getvalue()


def parse_aggregate(  # noqa: PLR0912  # one flat check per rule, read top to bottom
    lines: Iterable[str],
) -> tuple[dict[str, dict[str, int]], list[RowError]]:
    errors: list[RowError] = []
    counts: dict[str, dict[str, int]] = {variable: {} for variable in VARIABLES}
    reader = csv.reader(lines)
    try:
        header = [h.strip().lower() for h in next(reader)]
    except (StopIteration, csv.Error):
        return counts, [RowError(1, "", "", "the file is empty or not CSV")]
    if header != HEADER:
        return counts, [
            RowError(1, "", ",".join(header)[:200], "the header must be: variable,value,count")
        ]
    try:
        for line, row in enumerate(reader, start=2):
            if not any(row):
                continue
            if len(row) != 3:
                errors.append(RowError(line, "", ",".join(row)[:200], "expected 3 cells"))
                continue
            variable, value, raw = (cell.strip() for cell in row)
            if variable not in VARIABLES:
                errors.append(
                    RowError(
                        line,
                        "variable",
                        variable,
                        f"unknown variable; expected one of {', '.join(VARIABLES)}",
                    )
                )
                continue
            keys = VARIABLES[variable]
            if variable == "nationality":
                value = value.upper()
                if value != d.UNKNOWN_COUNTRY and value not in countries_by_iso3():
                    errors.append(
                        RowError(line, "value", value, "unknown ISO alpha-3 country code")
                    )
                    continue
            elif value not in keys:
                errors.append(
                    RowError(
                        line, "value", value, f"unknown value; expected one of {', '.join(keys)}"
                    )
                )
                continue
            if not raw.isdigit() or len(raw) > 9:
                errors.append(
                    RowError(line, "count", raw[:50], "expected a whole number, 0 or more")
                )
                continue
            if value in counts[variable]:
                errors.append(RowError(line, "value", value, "value repeated"))
                continue
            counts[variable][value] = int(raw)
    except (csv.Error, UnicodeDecodeError) as exc:
        errors.append(RowError(0, "", "", f"unreadable file: {exc}"))
    if not errors:
        totals = {variable: sum(values.values()) for variable, values in counts.items()}
        if len(set(totals.values())) > 1:
            detail = ", ".join(f"{k} {v}" for k, v in totals.items())
            errors.append(
                RowError(
                    0,
                    "count",
                    detail,
                    "totals disagree across variables; each must add up to the same number of instances",
                )
            )
    return counts, errors


def aggregate_submission_save(
    *, actor: Any, office: Office, year: int, path: Path
) -> AggregateSubmission:
    """Store (or replace) the submission of `office` for `year`. Raises ValidationFailed with the
    row errors when the file is not valid."""
    if actor is not None:
        require_permission(actor, Perm.DATA_IMPORT, office=office)
    if not 1990 <= year <= clock.today().year:
        raise ValidationFailed("The year is out of range.", field="year")
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            counts, errors = parse_aggregate(handle)
    except UnicodeDecodeError:
        counts, errors = {}, [RowError(0, "", "", "the file is not UTF-8 text")]
    if errors:
        raise ValidationFailed(
            "The submission has errors.",
            errors={
                f"row {e.row} {e.column}".strip(): [f"{e.message} ({e.value})"] for e in errors
            },
        )
    total = sum(counts["sex"].values())
    with transaction.atomic():
        submission, created = AggregateSubmission.objects.update_or_create(
            office=office,
            year=year,
            defaults={
                "total": total,
                "counts": counts,
                "file_sha256": file_sha256(path),
                "submitted_by": actor if getattr(actor, "pk", None) else None,
            },
        )
        audit_record(
            actor=actor,
            office=office,
            event_type="aggregate.submitted" if created else "aggregate.replaced",
            target=submission,
            changed_fields=["total", "counts"],
            metadata={"year": year, "total": total},
        )
    return submission
