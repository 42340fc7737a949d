"""Returns (AVRR), reintegration and monitoring."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from safepassage.access.permissions import Perm
from safepassage.access.policy import has_perm, require_permission
from safepassage.audit.services import audit_record
from safepassage.cases.models import Case, CaseStatus
from safepassage.cases.services import case_set_status, lock_case_for_work
from safepassage.core import clock
from safepassage.core.errors import (
    Conflict,
    GateNotMet,
    NotFound,
    PermissionDenied,
    ValidationFailed,
)
from safepassage.offices.models import Office
from safepassage.reference.models import Country
from safepassage.returns.gates import missing_gates
from safepassage.returns.models import (
    Alert,
    MonitoringStatus,
    MonitoringVisit,
    ReintegrationPlan,
    ReturnKind,
    ReturnPlan,
    ReturnStatus,
    RiskAssessment,
    RiskLevel,
)

PLAN_FIELDS = (
    "kind",
    "destination_country",
    "destination_community",
    "receiving_office",
    "planned_date",
    "escort",
    "escort_details",
    "pre_departure_assistance",
    "transit_assistance",
    "reception_assistance",
    "child_wishes_to_return",
    "bid_authority",
    "bid_date",
    "bid_return_in_best_interest",
    "guardian_notified",
    "guardian_willing_and_able",
    "family_assessment_done",
    "family_assessment_date",
)
OPEN_STATUSES = (ReturnStatus.PLANNING, ReturnStatus.SCHEDULED, ReturnStatus.DEPARTED)


def _clean_plan(data: Mapping[str, Any]) -> dict[str, Any]:
    unknown = set(data) - set(PLAN_FIELDS)
    if unknown:
        raise ValidationFailed(f"unknown return fields: {sorted(unknown)}")
    cleaned = dict(data)
    if "kind" in cleaned and cleaned["kind"] not in ReturnKind.values:
        raise ValidationFailed(_("Choose the kind of return."), field="kind")
    country = cleaned.get("destination_country")
    if country is not None and not isinstance(country, Country):
        found = Country.objects.filter(iso3=str(country).upper()).first()
        if found is None:
            raise ValidationFailed(_("Unknown country code."), field="destination_country")
        cleaned["destination_country"] = found
    office = cleaned.get("receiving_office")
    if office is not None and (not office.is_active or office.kind != Office.Kind.COUNTRY):
        raise ValidationFailed(
            _("The receiving office must be an active country office."), field="receiving_office"
        )
    for name in ("bid_date", "family_assessment_date"):
        if cleaned.get(name) and cleaned[name] > clock.today():
            raise ValidationFailed(_("This date is in the future."), field=name)
    return cleaned


def _lock_plan(actor: Any, plan: ReturnPlan, perm: str = Perm.CASE_WORK) -> tuple[Case, ReturnPlan]:
    case = lock_case_for_work(actor, plan.case, None, perm)
    locked = (
        ReturnPlan.objects.select_for_update(of=("self",))
        .select_related("case__person", "destination_country", "receiving_office")
        .get(pk=plan.pk, case=case)
    )
    return case, locked


def return_plan_create(*, actor: Any, case: Case, data: Mapping[str, Any]) -> ReturnPlan:
    cleaned = _clean_plan(data)
    if cleaned.get("destination_country") is None:
        raise ValidationFailed(_("Give the destination country."), field="destination_country")
    with transaction.atomic():
        case = lock_case_for_work(actor, case, None)
        if ReturnPlan.objects.filter(case=case, status__in=OPEN_STATUSES).exists():
            raise Conflict(_("This case already has a return in preparation."))
        plan = ReturnPlan(case=case, created_by=actor, **cleaned)
        plan.full_clean()
        plan.save()
        audit_record(
            actor=actor,
            office=case.office,
            event_type="return.planned",
            target=case,
            changed_fields=list(cleaned),
            metadata={
                "return_id": plan.pk,
                "kind": plan.kind,
                "destination": plan.destination_country_id,
            },
        )
    return plan


def return_plan_update(*, actor: Any, plan: ReturnPlan, data: Mapping[str, Any]) -> ReturnPlan:
    cleaned = _clean_plan(data)
    with transaction.atomic():
        case, locked = _lock_plan(actor, plan)
        if locked.status != ReturnStatus.PLANNING:
            raise Conflict(
                _("Only a return still in planning can be changed; cancel it to start again.")
            )
        changed = [name for name, value in cleaned.items() if getattr(locked, name) != value]
        for name in changed:
            setattr(locked, name, cleaned[name])
        if changed:
            locked.full_clean()
            locked.save()
            audit_record(
                actor=actor,
                office=case.office,
                event_type="return.updated",
                target=case,
                changed_fields=changed,
                metadata={"return_id": locked.pk},
            )
    return locked


def risk_assessment_record(
    *, actor: Any, plan: ReturnPlan, level: str, risks: str, mitigation_plan: str
) -> RiskAssessment:
    if level not in RiskLevel.values:
        raise ValidationFailed(_("Choose the risk level."), field="level")
    errors = {}
    if not risks.strip():
        errors["risks"] = [_("Describe the risks identified.")]
    if not mitigation_plan.strip():
        errors["mitigation_plan"] = [_("Describe how each risk is mitigated.")]
    if errors:
        raise ValidationFailed(
            _("The risk assessment is incomplete; nothing was saved."), errors=errors
        )
    with transaction.atomic():
        case, locked = _lock_plan(actor, plan)
        assessment = RiskAssessment.objects.create(
            return_plan=locked,
            level=level,
            risks=risks.strip(),
            mitigation_plan=mitigation_plan.strip(),
            assessed_by=actor,
        )
        audit_record(
            actor=actor,
            office=case.office,
            event_type="return.risk_assessed",
            target=case,
            changed_fields=["level", "risks", "mitigation_plan"],
            metadata={"return_id": locked.pk, "risk_assessment_id": assessment.pk, "level": level},
        )
    return assessment


def _review_assessment(
    actor: Any, assessment: RiskAssessment, status: str, note: str
) -> RiskAssessment:
    with transaction.atomic():
        case, _plan = _lock_plan(actor, assessment.return_plan, Perm.CASE_APPROVE)
        locked = RiskAssessment.objects.select_for_update().get(pk=assessment.pk)
        if locked.status != RiskAssessment.Status.PENDING:
            raise Conflict(_("This risk assessment is no longer waiting for approval."))
        if locked.assessed_by_id == actor.pk:
            raise PermissionDenied(
                _("Another supervisor must approve an assessment you made yourself.")
            )
        locked.status = status
        locked.reviewed_by = actor
        locked.reviewed_at = clock.now()
        locked.review_note = note.strip()
        locked.save()
        audit_record(
            actor=actor,
            office=case.office,
            event_type="return.risk_approved"
            if status == RiskAssessment.Status.APPROVED
            else "return.risk_returned",
            target=case,
            changed_fields=["status"],
            metadata={"risk_assessment_id": locked.pk},
        )
    return locked


def risk_assessment_approve(
    *, actor: Any, assessment: RiskAssessment, note: str = ""
) -> RiskAssessment:
    return _review_assessment(actor, assessment, RiskAssessment.Status.APPROVED, note)


def risk_assessment_return(*, actor: Any, assessment: RiskAssessment, note: str) -> RiskAssessment:
    if not note.strip():
        raise ValidationFailed(_("Say what should be revised."), field="note")
    return _review_assessment(actor, assessment, RiskAssessment.Status.RETURNED, note)


def return_schedule(*, actor: Any, plan: ReturnPlan, planned_date: dt.date) -> ReturnPlan:
    """Schedule the departure. Refused, naming every missing gate, unless all gates hold on the
    planned date."""
    if planned_date < clock.today():
        raise ValidationFailed(_("The planned departure is in the past."), field="planned_date")
    with transaction.atomic():
        case, locked = _lock_plan(actor, plan)
        if locked.status != ReturnStatus.PLANNING:
            raise Conflict(_("Only a return in planning can be scheduled."))
        locked.planned_date = planned_date
        missing = missing_gates(locked, planned_date)
        if missing:
            raise GateNotMet(
                _("The return cannot be scheduled yet. Missing: %(missing)s.")
                % {"missing": "; ".join(g.label for g in missing)},
                errors={"gates": [g.key for g in missing]},
            )
        locked.status = ReturnStatus.SCHEDULED
        locked.save(update_fields=["planned_date", "status", "updated_at"])
        audit_record(
            actor=actor,
            office=case.office,
            event_type="return.scheduled",
            target=case,
            changed_fields=["status", "planned_date"],
            metadata={"return_id": locked.pk},
        )
        if locked.kind in (ReturnKind.RETURN, ReturnKind.RELOCATION):
            case_set_status(
                actor=actor,
                case=case,
                status=CaseStatus.RETURNING,
                event_type="case.status_changed",
                metadata={"reason": "return scheduled"},
            )
        else:
            case_set_status(
                actor=actor,
                case=case,
                status=CaseStatus.INTEGRATING,
                event_type="case.status_changed",
                metadata={"reason": locked.kind},
            )
    return locked


def return_depart(*, actor: Any, plan: ReturnPlan, departure_date: dt.date) -> ReturnPlan:
    if departure_date > clock.today():
        raise ValidationFailed(_("Record the departure once it happened."), field="departure_date")
    with transaction.atomic():
        case, locked = _lock_plan(actor, plan)
        if locked.status != ReturnStatus.SCHEDULED:
            raise Conflict(_("Only a scheduled return can depart."))
        locked.status = ReturnStatus.DEPARTED
        locked.departure_date = departure_date
        locked.save(update_fields=["status", "departure_date", "updated_at"])
        audit_record(
            actor=actor,
            office=case.office,
            event_type="return.departed",
            target=case,
            changed_fields=["status", "departure_date"],
            metadata={"return_id": locked.pk},
        )
    return locked


def return_acknowledge_arrival(
    *, actor: Any, plan: ReturnPlan, arrival_date: dt.date
) -> ReturnPlan:
    """The receiving office (or, without one, the sending office) confirms arrival."""
    if arrival_date > clock.today():
        raise ValidationFailed(_("Record the arrival once it happened."), field="arrival_date")
    with transaction.atomic():
        locked = (
            ReturnPlan.objects.select_for_update(of=("self",))
            .select_related("case", "case__office", "receiving_office")
            .get(pk=plan.pk)
        )
        office = locked.receiving_office or locked.case.office
        if not has_perm(actor, Perm.CASE_VIEW, office=office) and not has_perm(
            actor, Perm.CASE_VIEW, office=locked.case.office
        ):
            raise NotFound(_("Return not found."))
        require_permission(actor, Perm.CASE_WORK, office=office)
        if locked.status != ReturnStatus.DEPARTED:
            raise Conflict(_("Only a return that departed can arrive."))
        if locked.departure_date and arrival_date < locked.departure_date:
            raise ValidationFailed(
                _("The arrival cannot precede the departure."), field="arrival_date"
            )
        locked.status = ReturnStatus.ARRIVED
        locked.arrival_date = arrival_date
        locked.acknowledged_by = actor
        locked.save(update_fields=["status", "arrival_date", "acknowledged_by", "updated_at"])
        case = (
            Case.objects.select_for_update(of=("self",))
            .select_related("office")
            .get(pk=locked.case_id)
        )
        audit_record(
            actor=actor,
            office=office,
            event_type="return.arrived",
            target=case,
            changed_fields=["status", "arrival_date"],
            metadata={"return_id": locked.pk, "acknowledged_by_office": office.code},
        )
        if case.status == CaseStatus.RETURNING:
            case_set_status(
                actor=actor,
                case=case,
                status=CaseStatus.MONITORING,
                event_type="case.status_changed",
                metadata={"reason": "arrival acknowledged"},
            )
    return locked


def return_cancel(*, actor: Any, plan: ReturnPlan, reason: str) -> ReturnPlan:
    if not reason.strip():
        raise ValidationFailed(_("Say why the return is cancelled."), field="reason")
    with transaction.atomic():
        case, locked = _lock_plan(actor, plan)
        if locked.status not in OPEN_STATUSES:
            raise Conflict(_("This return is already finished."))
        locked.status = ReturnStatus.CANCELLED
        locked.save(update_fields=["status", "updated_at"])
        audit_record(
            actor=actor,
            office=case.office,
            event_type="return.cancelled",
            target=case,
            changed_fields=["status"],
            metadata={"return_id": locked.pk},
        )
        if case.status in (CaseStatus.RETURNING, CaseStatus.INTEGRATING):
            case_set_status(
                actor=actor,
                case=case,
                status=CaseStatus.ASSISTED,
                event_type="case.status_changed",
                metadata={"reason": "return cancelled"},
            )
    return locked


def reintegration_plan_save(
    *, actor: Any, case: Case, needs: str, wishes: str, skills: str, options: str
) -> ReintegrationPlan:
    with transaction.atomic():
        case = lock_case_for_work(actor, case, None)
        plan, created = ReintegrationPlan.objects.get_or_create(
            case=case, defaults={"created_by": actor}
        )
        plan.needs, plan.wishes, plan.skills, plan.options = (
            needs.strip(),
            wishes.strip(),
            skills.strip(),
            options.strip(),
        )
        plan.save()
        audit_record(
            actor=actor,
            office=case.office,
            event_type="reintegration.planned" if created else "reintegration.plan_updated",
            target=case,
            changed_fields=["needs", "wishes", "skills", "options"],
            metadata={"plan_id": plan.pk},
        )
    return plan


def monitoring_visit_record(
    *,
    actor: Any,
    case: Case,
    date: dt.date,
    status: str,
    notes: str = "",
    next_visit_due: dt.date | None = None,
) -> MonitoringVisit:
    """Record a visit. Re-trafficking or lost contact raises an alert for the supervisors."""
    if status not in MonitoringStatus.values:
        raise ValidationFailed(_("Choose the person's situation."), field="status")
    if date > clock.today():
        raise ValidationFailed(_("Record visits once they happened."), field="date")
    if next_visit_due is not None and next_visit_due <= date:
        raise ValidationFailed(
            _("The next visit must come after this one."), field="next_visit_due"
        )
    with transaction.atomic():
        case = lock_case_for_work(actor, case, None)
        visit = MonitoringVisit.objects.create(
            case=case,
            date=date,
            status=status,
            notes=notes.strip(),
            next_visit_due=next_visit_due,
            visited_by=actor,
        )
        audit_record(
            actor=actor,
            office=case.office,
            event_type="monitoring.visited",
            target=case,
            changed_fields=["date", "status", "notes", "next_visit_due"],
            metadata={"visit_id": visit.pk, "status": status},
        )
        if status in (MonitoringStatus.RE_TRAFFICKED, MonitoringStatus.LOST_CONTACT):
            alert = Alert.objects.create(case=case, office=case.office, kind=status)
            audit_record(
                actor=actor,
                office=case.office,
                event_type="alert.raised",
                target=case,
                changed_fields=["alert"],
                metadata={"alert_id": alert.pk, "kind": status},
            )
        if case.status in (CaseStatus.ASSISTED, CaseStatus.INTEGRATING):
            case_set_status(
                actor=actor,
                case=case,
                status=CaseStatus.MONITORING,
                event_type="case.status_changed",
                metadata={"reason": "monitoring visit"},
            )
    return visit


def alert_resolve(*, actor: Any, alert: Alert) -> Alert:
    with transaction.atomic():
        case = lock_case_for_work(actor, alert.case, None, Perm.CASE_APPROVE)
        locked = Alert.objects.select_for_update().get(pk=alert.pk, case=case)
        if locked.resolved_at is not None:
            raise Conflict(_("This alert is already resolved."))
        locked.resolved_at = clock.now()
        locked.resolved_by = actor
        locked.save(update_fields=["resolved_at", "resolved_by", "updated_at"])
        audit_record(
            actor=actor,
            office=case.office,
            event_type="alert.resolved",
            target=case,
            changed_fields=["resolved_at"],
            metadata={"alert_id": locked.pk},
        )
    return locked
