"""Retention and erasure: anonymising persons whose cases are past their office's retention
period, and erasure on a person's request (recorded by a caseworker, carried out when a
supervisor of the office approves it). See docs/data-protection.md."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from safepassage.access.permissions import Perm
from safepassage.access.policy import require_permission
from safepassage.audit.services import audit_record
from safepassage.cases.models import Case, CaseStatus, Person
from safepassage.core import clock
from safepassage.core.errors import IllegalTransition, ValidationFailed
from safepassage.retention.anonymise import anonymise_records
from safepassage.retention.errors import (
    AlreadyAnonymised,
    CasesStillOpen,
    OwnRequest,
    RequestPending,
)
from safepassage.retention.models import (
    Anonymisation,
    AnonymisationReason,
    ErasureBasis,
    ErasureRejection,
    ErasureRequest,
    ErasureStatus,
)
from safepassage.retention.selectors import retention_candidates

BATCH = 100

ProgressCallback = Callable[[int, int], None]


def person_anonymise(
    *,
    person: Person,
    reason: str,
    actor: Any = None,
    erasure_request: ErasureRequest | None = None,
    source: str = "",
) -> Anonymisation | None:
    """Anonymise one person and everything recorded about their cases, in one transaction.
    Idempotent: an already anonymised person is left alone (returns None). `actor` None is
    the retention command. Callers check permissions (erasure: the approving supervisor)."""
    with transaction.atomic():
        locked = Person.objects.select_for_update().get(pk=person.pk)
        if Anonymisation.objects.filter(person=locked).exists():
            return None
        done = anonymise_records(locked)
        anonymisation = Anonymisation(
            person=locked,
            office_id=locked.office_id,
            reason=reason,
            anonymised_at=clock.now(),
            anonymised_by=actor if actor is not None and actor.is_authenticated else None,
            erasure_request=erasure_request,
            individual_id=done.individual_id,
            cases=len(done.case_ids),
        )
        anonymisation.full_clean()
        anonymisation.save()
        # One event per anonymised record: the person and each case. Names of what changed
        # and counts only; never a value.
        audit_record(
            actor=actor,
            office=locked.office,
            event_type="person.anonymised",
            target=locked,
            changed_fields=[
                "given_names",
                "family_names",
                "given_names_original",
                "family_names_original",
                "aliases",
                "birth_date",
                "birth_place",
                "phone",
                "email",
                "address",
                "languages",
                "documents",
                "name_keys",
            ],
            metadata={"reason": reason, "cases": len(done.case_ids)},
            source=source,
        )
        for case_id in done.case_ids:
            audit_record(
                actor=actor,
                office=locked.office,
                event_type="case.anonymised",
                target=("cases.case", case_id),
                changed_fields=["free_text", "dates"],
                metadata={"reason": reason, "person": locked.pk},
                source=source,
            )
    return anonymisation


# --- retention ----------------------------------------------------------------------------------


@dataclass
class RetentionSummary:
    today: dt.date
    dry_run: bool
    expired_cases: int = 0
    persons_due: int = 0
    anonymised: int = 0
    cases_anonymised: int = 0
    kept_for_other_cases: int = 0
    already_anonymised: int = 0
    by_office: dict[str, int] = field(default_factory=dict)


def retention_apply(
    *,
    today: dt.date | None = None,
    dry_run: bool = False,
    batch: int = BATCH,
    progress: ProgressCallback | None = None,
    source: str = "cli",
) -> RetentionSummary:
    """Anonymise every person all of whose cases are closed and past their office's retention
    period. A person with any case still open or within its period keeps their identifiers
    (counted in `kept_for_other_cases`). Each batch of persons is one transaction, so an
    interruption keeps the batches done and a rerun continues; rerunning changes nothing."""
    today = today or clock.today()
    candidates = retention_candidates(today=today)
    summary = RetentionSummary(
        today=today,
        dry_run=dry_run,
        expired_cases=candidates.expired_cases,
        persons_due=len(candidates.person_ids),
        kept_for_other_cases=candidates.kept_for_other_cases,
        already_anonymised=candidates.already_anonymised,
    )
    if dry_run:
        summary.by_office = dict(candidates.by_office)
        return summary
    ids = candidates.person_ids
    for start in range(0, len(ids), batch):
        with transaction.atomic():
            persons = Person.objects.filter(pk__in=ids[start : start + batch]).select_related(
                "office"
            )
            for person in persons.order_by("pk"):
                done = person_anonymise(
                    person=person, reason=AnonymisationReason.RETENTION, source=source
                )
                if done is not None:
                    summary.anonymised += 1
                    summary.cases_anonymised += done.cases
                    code = person.office.code
                    summary.by_office[code] = summary.by_office.get(code, 0) + 1
        if progress is not None:
            progress(min(start + batch, len(ids)), len(ids))
    return summary


# --- erasure on request -----------------------------------------------------------------------


def erasure_request_record(
    *, actor: Any, person: Person, received_on: dt.date, basis: str
) -> ErasureRequest:
    """A caseworker records a person's request to erase their data."""
    require_permission(actor, Perm.CASE_WORK, office=person.office)
    if basis not in ErasureBasis.values:
        raise ValidationFailed(_("Choose the ground of the request."), field="basis")
    if received_on > clock.today():
        raise ValidationFailed(_("The date received is in the future."), field="received_on")
    with transaction.atomic():
        locked = Person.objects.select_for_update().get(pk=person.pk)
        if Anonymisation.objects.filter(person=locked).exists():
            raise AlreadyAnonymised
        if ErasureRequest.objects.filter(person=locked, status=ErasureStatus.PENDING).exists():
            raise RequestPending
        request = ErasureRequest(
            person=locked,
            office_id=locked.office_id,
            received_on=received_on,
            basis=basis,
            requested_by=actor,
        )
        request.full_clean()
        request.save()
        audit_record(
            actor=actor,
            office=locked.office,
            event_type="erasure.requested",
            target=request,
            changed_fields=["received_on", "basis", "status"],
            metadata={"person": locked.pk, "basis": basis},
        )
    return request


def _lock_for_decision(actor: Any, request: ErasureRequest, to: str) -> ErasureRequest:
    locked = (
        ErasureRequest.objects.select_for_update(of=("self",))
        .select_related("office", "person")
        .get(pk=request.pk)
    )
    require_permission(actor, Perm.CASE_APPROVE, office=locked.office)
    if locked.status not in ErasureRequest.TRANSITIONS[to]:
        raise IllegalTransition(_("This request has already been decided."))
    if locked.requested_by_id == actor.pk:
        raise OwnRequest
    return locked


def erasure_request_approve(*, actor: Any, request: ErasureRequest) -> ErasureRequest:
    """A supervisor of the person's office (not the one who recorded the request) approves:
    the person is anonymised at once, in the same transaction. Open cases must be closed
    first, so that no work goes on over erased data."""
    with transaction.atomic():
        locked = _lock_for_decision(actor, request, ErasureStatus.APPROVED)
        if Case.objects.filter(person=locked.person).exclude(status=CaseStatus.CLOSED).exists():
            raise CasesStillOpen
        locked.status = ErasureStatus.APPROVED
        locked.decided_by = actor
        locked.decided_at = clock.now()
        locked.full_clean()
        locked.save()
        audit_record(
            actor=actor,
            office=locked.office,
            event_type="erasure.approved",
            target=locked,
            changed_fields=["status", "decided_by", "decided_at"],
            metadata={"person": locked.person_id},
        )
        person_anonymise(
            person=locked.person,
            reason=AnonymisationReason.ERASURE,
            actor=actor,
            erasure_request=locked,
        )
    return locked


def erasure_request_reject(*, actor: Any, request: ErasureRequest, reason: str) -> ErasureRequest:
    if reason not in ErasureRejection.values:
        raise ValidationFailed(_("Choose why the request is rejected."), field="reason")
    with transaction.atomic():
        locked = _lock_for_decision(actor, request, ErasureStatus.REJECTED)
        locked.status = ErasureStatus.REJECTED
        locked.decided_by = actor
        locked.decided_at = clock.now()
        locked.rejection_reason = reason
        locked.full_clean()
        locked.save()
        audit_record(
            actor=actor,
            office=locked.office,
            event_type="erasure.rejected",
            target=locked,
            changed_fields=["status", "decided_by", "decided_at", "rejection_reason"],
            metadata={"person": locked.person_id, "reason": reason},
        )
    return locked
