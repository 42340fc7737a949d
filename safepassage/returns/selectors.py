"""Reads for returns, reintegration and monitoring, and the home page's work queues. Every
query is scoped to the viewer's offices in the queryset."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery
from django.utils.translation import gettext as _

from safepassage.access.permissions import Perm
from safepassage.access.policy import scope_for
from safepassage.audit.models import AccessEvent
from safepassage.audit.services import access_record
from safepassage.cases.models import Case, CaseStatus
from safepassage.cases.selectors import approval_queue
from safepassage.core.errors import NotFound
from safepassage.returns.gates import Gate, return_gates
from safepassage.returns.models import (
    Alert,
    MonitoringVisit,
    ReturnPlan,
    ReturnStatus,
    RiskAssessment,
)
from safepassage.transfers.models import Transfer, TransferStatus
from safepassage.transfers.selectors import transfers_incoming, transfers_outgoing

MONITORING_HORIZON = dt.timedelta(days=7)
# The home page shows the first rows of each queue; gates are computed per return shown.
QUEUE_LIMIT = 10


def access_return(viewer: Any, plan_id: int, perm: str = Perm.CASE_VIEW) -> ReturnPlan:
    """A return of a case the viewer may see (with `perm` at the case's office). Missing and
    foreign returns raise the same NotFound."""
    scope = scope_for(viewer, perm)
    not_found = NotFound(_("Return not found."))
    if scope.empty:
        raise not_found
    queryset = ReturnPlan.objects.select_related(
        "case",
        "case__office",
        "case__person",
        "destination_country",
        "receiving_office",
        "created_by",
    )
    try:
        return scope.filter(queryset, "case__office").get(pk=plan_id)
    except (ReturnPlan.DoesNotExist, ValueError, TypeError):
        raise not_found from None


def _arrival_q(viewer: Any) -> Q:
    """Returns the viewer's offices receive: the receiving office, or without one the sending
    office itself."""
    scope = scope_for(viewer, Perm.CASE_VIEW)
    return scope.q("receiving_office") | (
        Q(receiving_office__isnull=True) & scope.q("case__office")
    )


def arrivals_to_acknowledge(*, viewer: Any) -> QuerySet[ReturnPlan]:
    if scope_for(viewer, Perm.CASE_VIEW).empty:
        return ReturnPlan.objects.none()
    return (
        ReturnPlan.objects.filter(_arrival_q(viewer), status=ReturnStatus.DEPARTED)
        .select_related("case__office", "destination_country", "receiving_office")
        .order_by("departure_date", "pk")
    )


def access_arrival(viewer: Any, plan_id: int) -> ReturnPlan:
    """A return as the receiving office sees it: its destination facts, never the sending
    office's case. Not found for anyone outside the receiving side."""
    not_found = NotFound(_("Return not found."))
    if scope_for(viewer, Perm.CASE_VIEW).empty:
        raise not_found
    try:
        return (
            ReturnPlan.objects.filter(
                _arrival_q(viewer),
                status__in=(ReturnStatus.DEPARTED, ReturnStatus.ARRIVED),
            )
            .select_related("case__office", "destination_country", "receiving_office")
            .get(pk=plan_id)
        )
    except (ReturnPlan.DoesNotExist, ValueError, TypeError):
        raise not_found from None


def arrival_for_view(*, viewer: Any, plan_id: int) -> tuple[ReturnPlan, Transfer | None]:
    """The arrival page's return and the accepted transfer of the same person to the receiving
    office (its summary is what that office may read), the viewing access-logged."""
    plan = access_arrival(viewer, plan_id)
    office = plan.receiving_office or plan.case.office
    transfer = (
        Transfer.objects.filter(
            case_id=plan.case_id, to_office=office, status=TransferStatus.ACCEPTED
        )
        .select_related("received_case", "from_office", "to_office")
        .order_by("-decided_at")
        .first()
    )
    access_record(actor=viewer, office=office, action=AccessEvent.Action.VIEW, target=plan)
    return plan, transfer


def returns_of_case(case: Case) -> QuerySet[ReturnPlan]:
    """Returns of a case the caller has authorised."""
    return case.returns.select_related("destination_country", "receiving_office")


def risk_assessments_of(plan: ReturnPlan) -> QuerySet[RiskAssessment]:
    return plan.risk_assessments.select_related("assessed_by", "reviewed_by")


def visits_of_case(case: Case) -> QuerySet[MonitoringVisit]:
    return case.monitoring_visits.select_related("visited_by")


def case_return_section(case: Case) -> dict[str, Any]:
    """What the case page shows about returns and reintegration: which of the three the case
    has, in one query (most cases have none), then each one it has."""
    returns, visits, alerts = (
        Case.objects.filter(pk=case.pk)
        .annotate(
            any_returns=Exists(ReturnPlan.objects.filter(case=OuterRef("pk"))),
            any_visits=Exists(MonitoringVisit.objects.filter(case=OuterRef("pk"))),
            any_alerts=Exists(Alert.objects.filter(case=OuterRef("pk"), resolved_at__isnull=True)),
        )
        .values_list("any_returns", "any_visits", "any_alerts")
        .first()
    ) or (False, False, False)
    return {
        "returns": list(returns_of_case(case)) if returns else [],
        "visits": list(visits_of_case(case)[:3]) if visits else [],
        "open_alerts": case.alerts.filter(resolved_at__isnull=True).count() if alerts else 0,
    }


# --- work queues -----------------------------------------------------------------------------


@dataclass(frozen=True)
class ReturnMissingGates:
    plan: ReturnPlan
    missing: list[Gate]


def returns_missing_gates(*, viewer: Any, day: dt.date) -> list[ReturnMissingGates]:
    """Returns in planning at the viewer's offices with the gates still missing (as on the
    planned date, or on `day` when none is planned)."""
    plans = (
        scope_for(viewer, Perm.CASE_WORK)
        .filter(ReturnPlan.objects.all(), "case__office")
        .filter(status=ReturnStatus.PLANNING)
        .select_related("case", "case__office", "case__person")
        .order_by("planned_date", "pk")[:QUEUE_LIMIT]
    )
    rows = []
    for plan in plans:
        missing = [g for g in return_gates(plan, plan.planned_date or day) if not g.met]
        if missing:
            rows.append(ReturnMissingGates(plan, missing))
    return rows


def risk_assessments_waiting(*, viewer: Any) -> QuerySet[RiskAssessment]:
    """Risk assessments a supervisor may approve (not the viewer's own)."""
    return (
        scope_for(viewer, Perm.CASE_APPROVE)
        .filter(RiskAssessment.objects.all(), "return_plan__case__office")
        .filter(status=RiskAssessment.Status.PENDING)
        .exclude(assessed_by=viewer)
        .select_related("return_plan__case", "return_plan__case__office", "assessed_by")
        .order_by("created_at")
    )


def monitoring_due(*, viewer: Any, day: dt.date) -> QuerySet[Case]:
    """Open cases whose latest monitoring visit set a next visit due within a week (or
    overdue). Each case carries `next_visit_due`."""
    horizon = day + MONITORING_HORIZON
    latest_due = Subquery(
        MonitoringVisit.objects.filter(case=OuterRef("pk"))
        .order_by("-date", "-pk")
        .values("next_visit_due")[:1]
    )
    # Only cases with some visit due by the horizon can have their latest one due: starting
    # from those keeps the latest-visit lookup off the hundreds of thousands of open cases of
    # a large office (measured: 557 ms for 400,000 cases without this, on every home page).
    candidates = MonitoringVisit.objects.filter(next_visit_due__lte=horizon).values("case_id")
    return (
        scope_for(viewer, Perm.CASE_WORK)
        .filter(Case.objects.exclude(status=CaseStatus.CLOSED).filter(pk__in=candidates))
        .annotate(next_visit_due=latest_due)
        .filter(next_visit_due__lte=horizon)
        .select_related("office", "person")
        .order_by("next_visit_due", "pk")
    )


def alerts_open(*, viewer: Any) -> QuerySet[Alert]:
    return (
        scope_for(viewer, Perm.CASE_VIEW)
        .filter(Alert.objects.filter(resolved_at__isnull=True))
        .select_related("case", "office")
        .order_by("created_at", "pk")
    )


def access_alert(viewer: Any, alert_id: int) -> Alert:
    try:
        return alerts_open(viewer=viewer).get(pk=alert_id)
    except (Alert.DoesNotExist, ValueError, TypeError):
        raise NotFound(_("Alert not found.")) from None


def home_queues(*, viewer: Any, day: dt.date) -> dict[str, Any]:
    """The home page's work queues, each office-scoped and cut to its first rows. Roles without
    case access get empty queues without a query."""
    if scope_for(viewer, Perm.CASE_VIEW).empty:
        return {}
    approvals = approval_queue(viewer=viewer)
    return {
        "transfers_incoming": list(transfers_incoming(viewer=viewer)[:QUEUE_LIMIT]),
        "transfers_outgoing": list(transfers_outgoing(viewer=viewer)[:QUEUE_LIMIT]),
        "determinations": list(approvals["determinations"][:QUEUE_LIMIT]),
        "closures": list(approvals["closures"][:QUEUE_LIMIT]),
        "risk_assessments": list(risk_assessments_waiting(viewer=viewer)[:QUEUE_LIMIT]),
        "arrivals": list(arrivals_to_acknowledge(viewer=viewer)[:QUEUE_LIMIT]),
        "returns_missing_gates": returns_missing_gates(viewer=viewer, day=day),
        "monitoring_due": list(monitoring_due(viewer=viewer, day=day)[:QUEUE_LIMIT]),
        "alerts": list(alerts_open(viewer=viewer)[:QUEUE_LIMIT]),
    }


def return_for_view(*, viewer: Any, plan_id: int) -> ReturnPlan:
    """A return for display on the sending side: authorised, its viewing recorded against the
    case (the page shows the person)."""
    plan = access_return(viewer, plan_id)
    access_record(
        actor=viewer, office=plan.case.office, action=AccessEvent.Action.VIEW, target=plan.case
    )
    return plan
