"""Right of access: everything SafePassage holds about one person, decrypted, with
human-readable labels, as one JSON document to hand to them.

Scope: the person must be at an office where the exporter sees cases (`case.view`; a
headquarters role covers every office). After a transfer the receiving office holds its own
person record, exported there. Every export writes an access event.
"""

from __future__ import annotations

import datetime as dt
import decimal
import json
from collections.abc import Iterable
from typing import Any

from django.db import models
from django.utils.translation import gettext as _

from safepassage.access.permissions import Perm
from safepassage.access.policy import access_person, scope_for
from safepassage.audit.models import AccessEvent
from safepassage.audit.services import access_record
from safepassage.cases.models import Case, Person
from safepassage.core import clock
from safepassage.core.errors import NotFound
from safepassage.retention.models import Anonymisation, ErasureRequest

FORMAT = "safepassage-person-data/1"

# Internal columns that mean nothing to the person: blind indexes and optimistic-lock counters.
SKIPPED_FIELDS = frozenset({"number_index", "version"})

# Related records per case: (key in the export, accessor on Case, nested (key, accessor)).
CASE_RECORDS: tuple[tuple[str, str, tuple[tuple[str, str], ...]], ...] = (
    ("consents", "consents", ()),
    ("notes", "notes", ()),
    ("screenings", "screenings", (("trafficking_events", "events"),)),
    ("perpetrators", "perpetrators", ()),
    ("determinations", "determinations", ()),
    ("assistance", "services", ()),
    ("returns", "returns", (("risk_assessments", "risk_assessments"),)),
    ("monitoring_visits", "monitoring_visits", ()),
    ("alerts", "alerts", ()),
    ("transfers_out", "transfers_out", ()),
    ("referrals", "referrals", ()),
    ("gaf_attestations", "gaf_attestations", ()),
    ("fund_charges", "fund_charges", ()),
)
CASE_SINGLES: tuple[tuple[str, str], ...] = (
    ("reintegration_plan", "reintegration_plan"),
    ("transfer_in", "transfer_in"),
)


def _label(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | float | str | list | dict):
        return value
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    if hasattr(value, "get_username"):
        return value.get_username()
    return str(value)


# Foreign keys to these apps read as what a person understands (a country's name, an office,
# a user name, a fund); any other reference is a record of the person's own file, given by its
# number, which appears in the same export.
READABLE_APPS = frozenset({"reference", "offices", "accounts", "projects"})


def _related_label(row: models.Model, field: models.ForeignKey[Any, Any]) -> Any:
    related_id = getattr(row, field.attname)
    if related_id is None:
        return None
    target = field.related_model
    if not isinstance(target, type) or target._meta.app_label not in READABLE_APPS:
        return related_id
    return _label(getattr(row, field.name))


def record(row: models.Model) -> dict[str, Any]:
    """One record as {label: readable value}, decrypted, choices shown by their label."""
    out: dict[str, Any] = {}
    for field in row._meta.concrete_fields:
        if field.name in SKIPPED_FIELDS:
            continue
        label = str(field.verbose_name)
        if label in out:
            label = f"{label} ({field.name})"
        if isinstance(field, models.ForeignKey):
            out[label] = _related_label(row, field)
        elif field.choices:
            value = getattr(row, field.attname)
            out[label] = _label(getattr(row, f"get_{field.name}_display")()) if value else value
        else:
            out[label] = _label(getattr(row, field.attname))
    return out


def _records(rows: Iterable[models.Model]) -> list[dict[str, Any]]:
    return [record(row) for row in rows]


def _case_export(case: Case) -> dict[str, Any]:
    out = record(case)
    for key, accessor, nested in CASE_RECORDS:
        rows = []
        for row in getattr(case, accessor).order_by("pk"):
            item = record(row)
            for nested_key, nested_accessor in nested:
                item[nested_key] = _records(getattr(row, nested_accessor).order_by("pk"))
            rows.append(item)
        out[key] = rows
    for key, accessor in CASE_SINGLES:
        try:
            single = getattr(case, accessor)
        except models.ObjectDoesNotExist:
            single = None
        out[key] = record(single) if single is not None else None
    return out


def person_data(*, viewer: Any, person_id: int, source: str = "") -> dict[str, Any]:
    """The person's data for them. `viewer` None is the command line (the operator holds the
    server and sees everything). Records an export in the access log."""
    if viewer is None:
        person = Person.objects.select_related("office").filter(pk=person_id).first()
        if person is None:
            raise NotFound(_("Person not found."))
        cases = Case.objects.filter(person=person)
    else:
        person = access_person(viewer, person_id, Perm.CASE_VIEW)
        cases = scope_for(viewer, Perm.CASE_VIEW).filter(Case.objects.filter(person=person))
    case_rows = list(cases.select_related("office", "assistance_country").order_by("pk"))
    anonymisation = Anonymisation.objects.filter(person=person).first()
    data: dict[str, Any] = {
        "format": FORMAT,
        "exported_at": clock.now().isoformat(),
        "office": f"{person.office.code} {person.office.name}",
        "person": record(person),
        "identity_documents": _records(person.documents.order_by("pk")),
        "cases": [_case_export(case) for case in case_rows],
        "erasure_requests": _records(ErasureRequest.objects.filter(person=person).order_by("pk")),
        "anonymisation": record(anonymisation) if anonymisation is not None else None,
    }
    access_record(
        actor=viewer,
        office=person.office,
        action=AccessEvent.Action.EXPORT,
        target=person,
        metadata={"purpose": "right_of_access", "cases": len(case_rows), "format": "json"},
        source=source,
    )
    return data


def person_data_json(data: dict[str, Any]) -> bytes:
    return json.dumps(data, ensure_ascii=False, indent=2, sort_keys=False).encode("utf-8")
