"""REST operations on returns (AVRR), risk assessments, reintegration and monitoring."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from safepassage.access.permissions import Perm
from safepassage.access.policy import access_case, scope_for
from safepassage.api.fields import OfficeCodeField, choice_field
from safepassage.api.fields import validated as _valid
from safepassage.api.idempotency import idempotent
from safepassage.api.views import ApiView
from safepassage.cases.api import ReviewIn
from safepassage.core import clock
from safepassage.core.errors import NotFound
from safepassage.returns import services
from safepassage.returns.gates import return_gates
from safepassage.returns.models import (
    MonitoringStatus,
    ReturnKind,
    ReturnPlan,
    RiskAssessment,
    RiskLevel,
)


class ReturnOut(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    case_id = serializers.IntegerField()
    kind = serializers.CharField()
    status = serializers.CharField()
    destination_country = serializers.CharField(source="destination_country_id")
    receiving_office = serializers.CharField(
        source="receiving_office.code", allow_null=True, default=None
    )
    planned_date = serializers.DateField(allow_null=True)
    departure_date = serializers.DateField(allow_null=True)
    arrival_date = serializers.DateField(allow_null=True)
    escort = serializers.BooleanField()
    gates = serializers.SerializerMethodField()

    def get_gates(self, plan: ReturnPlan) -> list[dict[str, Any]]:
        day = plan.planned_date or clock.today()
        return [
            {"key": g.key, "label": str(g.label), "met": g.met} for g in return_gates(plan, day)
        ]


class ReturnIn(serializers.Serializer[Any]):
    kind = choice_field(ReturnKind, required=False)
    destination_country = serializers.CharField(max_length=3, required=False)
    destination_community = serializers.CharField(required=False, allow_blank=True, max_length=500)
    receiving_office = OfficeCodeField(required=False, allow_null=True)
    escort = serializers.BooleanField(required=False)
    escort_details = serializers.CharField(required=False, allow_blank=True, max_length=1000)
    pre_departure_assistance = serializers.BooleanField(required=False)
    transit_assistance = serializers.BooleanField(required=False)
    reception_assistance = serializers.BooleanField(required=False)
    child_wishes_to_return = serializers.BooleanField(required=False)
    bid_authority = serializers.CharField(required=False, allow_blank=True, max_length=200)
    bid_date = serializers.DateField(required=False, allow_null=True)
    bid_return_in_best_interest = serializers.BooleanField(required=False)
    guardian_notified = serializers.BooleanField(required=False)
    guardian_willing_and_able = serializers.BooleanField(required=False)
    family_assessment_done = serializers.BooleanField(required=False)
    family_assessment_date = serializers.DateField(required=False, allow_null=True)


class RiskIn(serializers.Serializer[Any]):
    level = choice_field(RiskLevel)
    risks = serializers.CharField(max_length=5000)
    mitigation_plan = serializers.CharField(max_length=5000)


class RiskOut(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    level = serializers.CharField()
    status = serializers.CharField()


class DateIn(serializers.Serializer[Any]):
    date = serializers.DateField()


class ReasonIn(serializers.Serializer[Any]):
    reason = serializers.CharField(max_length=2000)


class VisitIn(serializers.Serializer[Any]):
    date = serializers.DateField()
    status = choice_field(MonitoringStatus)
    notes = serializers.CharField(required=False, allow_blank=True, default="", max_length=5000)
    next_visit_due = serializers.DateField(required=False, allow_null=True, default=None)


class VisitOut(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    date = serializers.DateField()
    status = serializers.CharField()
    next_visit_due = serializers.DateField(allow_null=True)


class ReintegrationIn(serializers.Serializer[Any]):
    needs = serializers.CharField(required=False, allow_blank=True, default="", max_length=5000)
    wishes = serializers.CharField(required=False, allow_blank=True, default="", max_length=5000)
    skills = serializers.CharField(required=False, allow_blank=True, default="", max_length=5000)
    options = serializers.CharField(required=False, allow_blank=True, default="", max_length=5000)


def _plan(request: Request, case_id: int, return_id: int) -> ReturnPlan:
    case = access_case(request.user, case_id)
    plan = (
        ReturnPlan.objects.filter(case=case, pk=return_id)
        .select_related("receiving_office", "case__person")
        .first()
    )
    if plan is None:
        raise NotFound(_("Return not found."))
    return plan


class ReturnCreateView(ApiView):
    @extend_schema(
        request=ReturnIn, responses={201: ReturnOut}, operation_id="cases_returns_create"
    )
    @idempotent
    def post(self, request: Request, case_id: int) -> Response:
        case = access_case(request.user, case_id)
        plan = services.return_plan_create(
            actor=request.user, case=case, data=_valid(ReturnIn, request.data)
        )
        return Response(ReturnOut(plan).data, status=status.HTTP_201_CREATED)


class ReturnDetailView(ApiView):
    @extend_schema(responses=ReturnOut, operation_id="cases_returns_retrieve")
    def get(self, request: Request, case_id: int, return_id: int) -> Response:
        return Response(ReturnOut(_plan(request, case_id, return_id)).data)


class ReturnUpdateView(ApiView):
    @extend_schema(request=ReturnIn, responses=ReturnOut, operation_id="cases_returns_update")
    @idempotent
    def post(self, request: Request, case_id: int, return_id: int) -> Response:
        plan = services.return_plan_update(
            actor=request.user,
            plan=_plan(request, case_id, return_id),
            data=_valid(ReturnIn, request.data),
        )
        return Response(ReturnOut(plan).data)


class RiskAssessmentCreateView(ApiView):
    @extend_schema(
        request=RiskIn, responses={201: RiskOut}, operation_id="cases_returns_risk_create"
    )
    @idempotent
    def post(self, request: Request, case_id: int, return_id: int) -> Response:
        assessment = services.risk_assessment_record(
            actor=request.user,
            plan=_plan(request, case_id, return_id),
            **_valid(RiskIn, request.data),
        )
        return Response(RiskOut(assessment).data, status=status.HTTP_201_CREATED)


class RiskAssessmentApproveView(ApiView):
    @extend_schema(request=ReviewIn, responses=RiskOut, operation_id="cases_returns_risk_approve")
    @idempotent
    def post(self, request: Request, case_id: int, return_id: int, assessment_id: int) -> Response:
        plan = _plan(request, case_id, return_id)
        assessment = RiskAssessment.objects.filter(return_plan=plan, pk=assessment_id).first()
        if assessment is None:
            raise NotFound(_("Risk assessment not found."))
        assessment = services.risk_assessment_approve(
            actor=request.user, assessment=assessment, **_valid(ReviewIn, request.data)
        )
        return Response(RiskOut(assessment).data)


class ReturnScheduleView(ApiView):
    @extend_schema(request=DateIn, responses=ReturnOut, operation_id="cases_returns_schedule")
    @idempotent
    def post(self, request: Request, case_id: int, return_id: int) -> Response:
        plan = services.return_schedule(
            actor=request.user,
            plan=_plan(request, case_id, return_id),
            planned_date=_valid(DateIn, request.data)["date"],
        )
        return Response(ReturnOut(plan).data)


class ReturnDepartView(ApiView):
    @extend_schema(request=DateIn, responses=ReturnOut, operation_id="cases_returns_depart")
    @idempotent
    def post(self, request: Request, case_id: int, return_id: int) -> Response:
        plan = services.return_depart(
            actor=request.user,
            plan=_plan(request, case_id, return_id),
            departure_date=_valid(DateIn, request.data)["date"],
        )
        return Response(ReturnOut(plan).data)


class ReturnCancelView(ApiView):
    @extend_schema(request=ReasonIn, responses=ReturnOut, operation_id="cases_returns_cancel")
    @idempotent
    def post(self, request: Request, case_id: int, return_id: int) -> Response:
        plan = services.return_cancel(
            actor=request.user,
            plan=_plan(request, case_id, return_id),
            **_valid(ReasonIn, request.data),
        )
        return Response(ReturnOut(plan).data)


class ArrivalAcknowledgeView(ApiView):
    """For the receiving office, which cannot see the sending office's case: the return is
    addressed by its own id."""

    @extend_schema(
        request=DateIn, responses={200: None}, operation_id="returns_acknowledge_arrival"
    )
    @idempotent
    def post(self, request: Request, return_id: int) -> Response:
        plan = (
            ReturnPlan.objects.filter(pk=return_id)
            .select_related("case", "receiving_office")
            .first()
        )
        scope = scope_for(request.user, Perm.CASE_VIEW)
        if plan is None or not (
            scope.includes(plan.case.office_id) or scope.includes(plan.receiving_office_id)
        ):
            raise NotFound(_("Return not found."))
        plan = services.return_acknowledge_arrival(
            actor=request.user, plan=plan, arrival_date=_valid(DateIn, request.data)["date"]
        )
        return Response({"id": plan.pk, "status": plan.status, "arrival_date": plan.arrival_date})


class MonitoringVisitCreateView(ApiView):
    @extend_schema(
        request=VisitIn, responses={201: VisitOut}, operation_id="cases_monitoring_create"
    )
    @idempotent
    def post(self, request: Request, case_id: int) -> Response:
        case = access_case(request.user, case_id)
        visit = services.monitoring_visit_record(
            actor=request.user, case=case, **_valid(VisitIn, request.data)
        )
        return Response(VisitOut(visit).data, status=status.HTTP_201_CREATED)


class ReintegrationPlanView(ApiView):
    @extend_schema(
        request=ReintegrationIn, responses={200: None}, operation_id="cases_reintegration_save"
    )
    @idempotent
    def post(self, request: Request, case_id: int) -> Response:
        case = access_case(request.user, case_id)
        plan = services.reintegration_plan_save(
            actor=request.user, case=case, **_valid(ReintegrationIn, request.data)
        )
        return Response({"id": plan.pk})
