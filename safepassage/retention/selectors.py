"""Reads: which persons are due for anonymisation, erasure requests in a viewer's scope,
anonymised persons for linkage."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, QuerySet

from safepassage.access.permissions import Perm
from safepassage.access.policy import access_erasure_request, scope_for
from safepassage.audit.models import AccessEvent
from safepassage.audit.services import access_record
from safepassage.cases.models import Case, CaseStatus
from safepassage.offices.models import Office
from safepassage.retention.anonymise import years_before
from safepassage.retention.models import Anonymisation, ErasureRequest, ErasureStatus


def retention_cutoff(office: Office, today: dt.date) -> dt.date:
    """Cases of `office` closed on or before this day are past their retention period."""
    return years_before(today, office.effective_retention_years)


@dataclass
class RetentionCandidates:
    person_ids: list[int] = field(default_factory=list)
    expired_cases: int = 0
    kept_for_other_cases: int = 0
    already_anonymised: int = 0
    by_office: Counter[str] = field(default_factory=Counter)


def retention_candidates(*, today: dt.date) -> RetentionCandidates:
    """Persons all of whose cases are closed and past their office's retention period, not yet
    anonymised. One query per office for the expired cases, then one grouped count."""
    result = RetentionCandidates()
    expired: Counter[int] = Counter()
    anonymised = set(Anonymisation.objects.values_list("person_id", flat=True))
    for office in Office.objects.order_by("pk"):
        rows = Case.objects.filter(
            office=office,
            status=CaseStatus.CLOSED,
            closed_at__isnull=False,
            closed_at__date__lte=retention_cutoff(office, today),
        ).values_list("person_id", flat=True)
        for person_id in rows:
            result.expired_cases += 1
            expired[person_id] += 1
    due = sorted(set(expired) - anonymised)
    result.already_anonymised = len(set(expired) & anonymised)
    totals: dict[int, int] = {}
    offices: dict[int, str] = {}
    for start in range(0, len(due), 1000):
        chunk = due[start : start + 1000]
        for row in (
            Case.objects.filter(person_id__in=chunk)
            .values("person_id", "person__office__code")
            .annotate(n=Count("pk"))
            .order_by()
        ):
            totals[row["person_id"]] = totals.get(row["person_id"], 0) + row["n"]
            offices[row["person_id"]] = row["person__office__code"]
    for person_id in due:
        if totals.get(person_id, 0) == expired[person_id]:
            result.person_ids.append(person_id)
            result.by_office[offices[person_id]] += 1
        else:
            result.kept_for_other_cases += 1
    return result


def anonymised_person_ids() -> set[int]:
    return set(Anonymisation.objects.values_list("person_id", flat=True))


def erasure_requests(*, viewer: Any, status: str = "") -> QuerySet[ErasureRequest]:
    """Erasure requests at offices where the viewer sees cases."""
    scope = scope_for(viewer, Perm.CASE_VIEW)
    queryset = scope.filter(ErasureRequest.objects.all()).select_related(
        "office", "requested_by", "decided_by"
    )
    if status:
        queryset = queryset.filter(status=status)
    return queryset.order_by("-received_on", "-pk")


def erasure_requests_awaiting(*, viewer: Any) -> QuerySet[ErasureRequest]:
    """Pending requests the viewer may decide: at offices where they approve, not their own."""
    scope = scope_for(viewer, Perm.CASE_APPROVE)
    return (
        scope.filter(ErasureRequest.objects.filter(status=ErasureStatus.PENDING))
        .exclude(requested_by=viewer)
        .select_related("office", "requested_by")
        .order_by("received_on", "pk")
    )


def erasure_request_for_view(*, viewer: Any, request_id: int) -> ErasureRequest:
    """An erasure request for display (it names the person): authorised, and the viewing of
    the person recorded in the access log."""
    erasure = access_erasure_request(viewer, request_id)
    access_record(
        actor=viewer, office=erasure.office, action=AccessEvent.Action.VIEW, target=erasure.person
    )
    return erasure
