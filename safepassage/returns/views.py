"""Pages for returns (AVRR), reintegration and monitoring. The sending office works on its
return through the case (`access_return`); the receiving office sees only the arrival: the
return's destination facts and what a transfer shared with it (`access_arrival`), never the
sending office's case. Anything outside the viewer's scope answers like a missing record."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from safepassage.access.permissions import Perm
from safepassage.access.policy import (
    access_case,
    can_approve_for_case,
    can_work_on_case,
    has_perm,
    has_perm_somewhere,
)
from safepassage.cases.models import Case
from safepassage.cases.selectors import case_for_view
from safepassage.core import clock
from safepassage.core.errors import DomainError, GateNotMet, NotFound, PermissionDenied
from safepassage.returns import services
from safepassage.returns.forms import (
    ArrivalForm,
    CancelForm,
    DepartForm,
    MonitoringVisitForm,
    ReintegrationForm,
    ReturnPlanForm,
    ReviewForm,
    RiskAssessmentForm,
    ScheduleForm,
)
from safepassage.returns.gates import is_child_on, return_gates
from safepassage.returns.models import ReintegrationPlan, ReturnPlan, ReturnStatus
from safepassage.returns.selectors import (
    access_alert,
    access_arrival,
    access_return,
    alerts_open,
    arrival_for_view,
    arrivals_to_acknowledge,
    return_for_view,
    returns_of_case,
    risk_assessments_of,
    visits_of_case,
)
from safepassage.returns.services import OPEN_STATUSES
from safepassage.web.errors import add_domain_error


def _add_error(form: forms.BaseForm, error: DomainError) -> None:
    """Like `add_domain_error`, but a gate refusal carries the keys of the missing gates in
    `errors["gates"]` (for programs); its message already names every gate in words. A
    permission refusal is no input error: the page for it (403) says so, as the forms of the
    actions the viewer may not take are not shown to show the error on."""
    if isinstance(error, PermissionDenied):
        raise error
    if isinstance(error, GateNotMet) and "gates" in error.errors:
        form.add_error(None, error.message)
    else:
        add_domain_error(form, error)


# --- the returns of a case -------------------------------------------------------------------


def case_returns(request: HttpRequest, case_id: int) -> HttpResponse:
    """The case's returns, and a new return plan when none is in preparation."""
    if request.method == "POST":
        case = access_case(request.user, case_id)
    else:
        case = case_for_view(viewer=request.user, case_id=case_id)
    form = ReturnPlanForm(
        request.POST or None, initial={"destination_country": case.person.citizenship_id}
    )
    if request.method == "POST" and form.is_valid():
        try:
            plan = services.return_plan_create(actor=request.user, case=case, data=form.plan_data())
        except DomainError as error:
            _add_error(form, error)
        else:
            messages.success(request, _("Return planned. Work through the gates below."))
            return redirect("returns:return_detail", plan_id=plan.pk)
    plans = list(returns_of_case(case))
    return TemplateResponse(
        request,
        "returns/case_returns.html",
        {
            "case": case,
            "form": form,
            "plans": plans,
            "has_open": any(p.status in OPEN_STATUSES for p in plans),
            "can_work": can_work_on_case(request.user, case),
        },
        status=400 if form.is_bound else 200,
    )


def _plan_page(
    request: HttpRequest,
    plan: ReturnPlan,
    *,
    forms_given: dict[str, forms.BaseForm] | None = None,
    status: int = 200,
) -> HttpResponse:
    case = plan.case
    day = plan.planned_date or clock.today()
    today = clock.today()
    page_forms: dict[str, forms.BaseForm] = {
        "plan_form": ReturnPlanForm(plan=plan),
        "risk_form": RiskAssessmentForm(),
        "review_form": ReviewForm(),
        "schedule_form": ScheduleForm(initial={"planned_date": plan.planned_date}),
        "depart_form": DepartForm(initial={"departure_date": today}),
        "cancel_form": CancelForm(),
    }
    page_forms.update(forms_given or {})
    gates = return_gates(plan, day)
    context: dict[str, Any] = {
        "case": case,
        "plan": plan,
        "gates": gates,
        "gates_met": all(g.met for g in gates),
        "gate_day": day,
        "is_child": is_child_on(plan, day),
        "assessments": risk_assessments_of(plan),
        "can_work": can_work_on_case(request.user, case),
        "can_approve": can_approve_for_case(request.user, case),
        "is_open": plan.status in OPEN_STATUSES,
        **page_forms,
    }
    return TemplateResponse(request, "returns/return_detail.html", context, status=status)


def return_detail(request: HttpRequest, plan_id: int) -> HttpResponse:
    """The return: its gate checklist, risk assessments and next steps. POST updates the plan."""
    if request.method != "POST":
        return _plan_page(request, return_for_view(viewer=request.user, plan_id=plan_id))
    plan = access_return(request.user, plan_id)
    form = ReturnPlanForm(request.POST, plan=plan)
    if form.is_valid():
        try:
            services.return_plan_update(actor=request.user, plan=plan, data=form.plan_data())
        except DomainError as error:
            _add_error(form, error)
        else:
            messages.success(request, _("Return plan saved."))
            return redirect("returns:return_detail", plan_id=plan.pk)
    return _plan_page(request, plan, forms_given={"plan_form": form}, status=400)


@require_POST
def risk_assessment_record(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan = access_return(request.user, plan_id)
    form = RiskAssessmentForm(request.POST)
    if form.is_valid():
        try:
            services.risk_assessment_record(actor=request.user, plan=plan, **form.cleaned_data)
        except DomainError as error:
            _add_error(form, error)
        else:
            messages.success(request, _("Risk assessment recorded; it waits for a supervisor."))
            return redirect("returns:return_detail", plan_id=plan.pk)
    return _plan_page(request, plan, forms_given={"risk_form": form}, status=400)


@require_POST
def risk_assessment_review(
    request: HttpRequest, plan_id: int, assessment_id: int, decision: str
) -> HttpResponse:
    plan = access_return(request.user, plan_id)
    assessment = plan.risk_assessments.filter(pk=assessment_id).first()
    if assessment is None:
        raise NotFound(_("Risk assessment not found."))
    form = ReviewForm(request.POST)
    if form.is_valid():
        note = form.cleaned_data["note"]
        try:
            if decision == "approve":
                services.risk_assessment_approve(
                    actor=request.user, assessment=assessment, note=note
                )
            else:
                services.risk_assessment_return(
                    actor=request.user, assessment=assessment, note=note
                )
        except DomainError as error:
            _add_error(form, error)
        else:
            messages.success(
                request,
                _("Risk assessment approved.")
                if decision == "approve"
                else _("Risk assessment returned to the caseworker."),
            )
            return redirect("returns:return_detail", plan_id=plan.pk)
    return _plan_page(request, plan, forms_given={"review_form": form}, status=400)


def _plan_action(
    request: HttpRequest,
    plan_id: int,
    *,
    form_class: type[forms.Form],
    form_key: str,
    act: Callable[[ReturnPlan, dict[str, Any]], object],
    done: str,
) -> HttpResponse:
    """One step of a return from its page: parse the form, call the service, and on refusal
    show the page again with the message on the form."""
    plan = access_return(request.user, plan_id)
    form = form_class(request.POST)
    if form.is_valid():
        try:
            act(plan, form.cleaned_data)
        except DomainError as error:
            _add_error(form, error)
        else:
            messages.success(request, done)
            return redirect("returns:return_detail", plan_id=plan.pk)
    return _plan_page(request, plan, forms_given={form_key: form}, status=400)


@require_POST
def return_schedule(request: HttpRequest, plan_id: int) -> HttpResponse:
    return _plan_action(
        request,
        plan_id,
        form_class=ScheduleForm,
        form_key="schedule_form",
        act=lambda plan, data: services.return_schedule(
            actor=request.user, plan=plan, planned_date=data["planned_date"]
        ),
        done=_("Return scheduled."),
    )


@require_POST
def return_depart(request: HttpRequest, plan_id: int) -> HttpResponse:
    return _plan_action(
        request,
        plan_id,
        form_class=DepartForm,
        form_key="depart_form",
        act=lambda plan, data: services.return_depart(
            actor=request.user, plan=plan, departure_date=data["departure_date"]
        ),
        done=_("Departure recorded; the receiving office acknowledges."),
    )


@require_POST
def return_cancel(request: HttpRequest, plan_id: int) -> HttpResponse:
    return _plan_action(
        request,
        plan_id,
        form_class=CancelForm,
        form_key="cancel_form",
        act=lambda plan, data: services.return_cancel(
            actor=request.user, plan=plan, reason=data["reason"]
        ),
        done=_("Return cancelled."),
    )


# --- arrivals (the receiving office) ---------------------------------------------------------


def arrivals(request: HttpRequest) -> HttpResponse:
    if not has_perm_somewhere(request.user, Perm.CASE_VIEW):
        raise NotFound(_("Page not found."))
    return TemplateResponse(
        request,
        "returns/arrivals.html",
        {"arrivals": list(arrivals_to_acknowledge(viewer=request.user))},
    )


def arrival(request: HttpRequest, plan_id: int) -> HttpResponse:
    """What the receiving office knows of an arriving person, and the acknowledgement."""
    if request.method != "POST":
        plan, transfer = arrival_for_view(viewer=request.user, plan_id=plan_id)
        form = ArrivalForm(initial={"arrival_date": clock.today()})
    else:
        plan = access_arrival(request.user, plan_id)
        transfer = None
        form = ArrivalForm(request.POST)
        if form.is_valid():
            try:
                services.return_acknowledge_arrival(
                    actor=request.user, plan=plan, arrival_date=form.cleaned_data["arrival_date"]
                )
            except DomainError as error:
                _add_error(form, error)
            else:
                messages.success(request, _("Arrival acknowledged."))
                return redirect("returns:arrival", plan_id=plan.pk)
        plan, transfer = arrival_for_view(viewer=request.user, plan_id=plan_id)
    office = plan.receiving_office or plan.case.office
    return TemplateResponse(
        request,
        "returns/arrival.html",
        {
            "plan": plan,
            "transfer": transfer,
            "summary": transfer.summary if transfer else None,
            "form": form,
            "can_acknowledge": plan.status == ReturnStatus.DEPARTED
            and has_perm(request.user, Perm.CASE_WORK, office=office),
        },
        status=400 if form.is_bound else 200,
    )


# --- reintegration and monitoring ------------------------------------------------------------


def _reintegration_page(
    request: HttpRequest,
    case: Case,
    *,
    plan_form: ReintegrationForm | None = None,
    visit_form: MonitoringVisitForm | None = None,
) -> HttpResponse:
    plan = ReintegrationPlan.objects.filter(case=case).first()
    initial = (
        {"needs": plan.needs, "wishes": plan.wishes, "skills": plan.skills, "options": plan.options}
        if plan
        else {}
    )
    return TemplateResponse(
        request,
        "returns/reintegration.html",
        {
            "case": case,
            "plan": plan,
            "plan_form": plan_form or ReintegrationForm(initial=initial),
            "visit_form": visit_form or MonitoringVisitForm(initial={"date": clock.today()}),
            "visits": visits_of_case(case),
            "can_work": can_work_on_case(request.user, case),
        },
        status=400 if (plan_form or visit_form) else 200,
    )


def reintegration(request: HttpRequest, case_id: int) -> HttpResponse:
    if request.method != "POST":
        return _reintegration_page(request, case_for_view(viewer=request.user, case_id=case_id))
    case = access_case(request.user, case_id)
    form = ReintegrationForm(request.POST)
    if form.is_valid():
        try:
            services.reintegration_plan_save(actor=request.user, case=case, **form.cleaned_data)
        except DomainError as error:
            _add_error(form, error)
        else:
            messages.success(request, _("Reintegration plan saved."))
            return redirect("returns:reintegration", case_id=case.pk)
    return _reintegration_page(request, case, plan_form=form)


@require_POST
def monitoring_visit(request: HttpRequest, case_id: int) -> HttpResponse:
    case = access_case(request.user, case_id)
    form = MonitoringVisitForm(request.POST)
    if form.is_valid():
        try:
            services.monitoring_visit_record(actor=request.user, case=case, **form.cleaned_data)
        except DomainError as error:
            _add_error(form, error)
        else:
            messages.success(request, _("Monitoring visit recorded."))
            return redirect("returns:reintegration", case_id=case.pk)
    return _reintegration_page(request, case, visit_form=form)


# --- alerts ----------------------------------------------------------------------------------


def alerts(request: HttpRequest) -> HttpResponse:
    if not has_perm_somewhere(request.user, Perm.CASE_VIEW):
        raise NotFound(_("Page not found."))
    rows = list(alerts_open(viewer=request.user))
    return TemplateResponse(
        request,
        "returns/alerts.html",
        {
            "alerts": [
                (alert, has_perm(request.user, Perm.CASE_APPROVE, office=alert.office))
                for alert in rows
            ]
        },
    )


@require_POST
def alert_resolve(request: HttpRequest, alert_id: int) -> HttpResponseBase:
    alert = access_alert(request.user, alert_id)
    services.alert_resolve(actor=request.user, alert=alert)
    messages.success(request, _("Alert resolved."))
    return redirect("returns:alerts")
