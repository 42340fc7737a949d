"""Erasure requests and the right-of-access download. Every record is fetched through an
`access_*` policy, so another office's person or request answers exactly like a missing one."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from safepassage.access.permissions import Perm
from safepassage.access.policy import (
    access_erasure_request,
    can_decide_erasure,
    has_perm_somewhere,
)
from safepassage.cases.selectors import person_for_view
from safepassage.core import clock
from safepassage.core.errors import DomainError, NotFound, PermissionDenied
from safepassage.retention import services
from safepassage.retention.export import person_data, person_data_json
from safepassage.retention.forms import ErasureRejectForm, ErasureRequestForm
from safepassage.retention.models import ErasureStatus
from safepassage.retention.selectors import (
    erasure_request_for_view,
    erasure_requests,
    erasure_requests_awaiting,
)
from safepassage.web.errors import add_domain_error

LIST_LIMIT = 200


def erasure_list(request: HttpRequest) -> HttpResponse:
    """Requests awaiting the viewer's decision first, then every request in their scope."""
    if not has_perm_somewhere(request.user, Perm.CASE_VIEW):
        raise NotFound(_("Page not found."))
    return TemplateResponse(
        request,
        "retention/erasure_list.html",
        {
            "awaiting": list(erasure_requests_awaiting(viewer=request.user)),
            "requests": list(erasure_requests(viewer=request.user)[:LIST_LIMIT]),
        },
    )


def erasure_new(request: HttpRequest, person_id: int) -> HttpResponse:
    person = person_for_view(viewer=request.user, person_id=person_id)
    form = ErasureRequestForm(request.POST or None, initial={"received_on": clock.today()})
    if request.method == "POST" and form.is_valid():
        try:
            created = services.erasure_request_record(
                actor=request.user,
                person=person,
                received_on=form.cleaned_data["received_on"],
                basis=form.cleaned_data["basis"],
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(
                request, _("Erasure request recorded; a supervisor of the office decides on it.")
            )
            return redirect("retention:erasure_detail", request_id=created.pk)
    return TemplateResponse(
        request,
        "retention/erasure_new.html",
        {"person": person, "form": form, "cases": person.cases.order_by("pk")},
        status=400 if form.is_bound else 200,
    )


def erasure_detail(request: HttpRequest, request_id: int) -> HttpResponse:
    erasure = erasure_request_for_view(viewer=request.user, request_id=request_id)
    return TemplateResponse(
        request,
        "retention/erasure_detail.html",
        {
            "erasure": erasure,
            "cases": erasure.person.cases.order_by("pk"),
            "can_decide": can_decide_erasure(request.user, erasure),
            "reject_form": ErasureRejectForm(),
            "approved": erasure.status == ErasureStatus.APPROVED,
        },
    )


@require_POST
def erasure_approve(request: HttpRequest, request_id: int) -> HttpResponse:
    erasure = access_erasure_request(request.user, request_id)
    try:
        services.erasure_request_approve(actor=request.user, request=erasure)
    except (NotFound, PermissionDenied):
        raise
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Request approved: the person's data has been anonymised."))
    return redirect("retention:erasure_detail", request_id=erasure.pk)


@require_POST
def erasure_reject(request: HttpRequest, request_id: int) -> HttpResponse:
    erasure = access_erasure_request(request.user, request_id)
    form = ErasureRejectForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose why the request is rejected."))
        return redirect("retention:erasure_detail", request_id=erasure.pk)
    try:
        services.erasure_request_reject(
            actor=request.user, request=erasure, reason=form.cleaned_data["reason"]
        )
    except (NotFound, PermissionDenied):
        raise
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Request rejected."))
    return redirect("retention:erasure_detail", request_id=erasure.pk)


def person_export(request: HttpRequest, person_id: int) -> HttpResponse:
    """Right of access: the person's data as a JSON download (recorded as an export)."""
    data = person_data(viewer=request.user, person_id=person_id, source="web")
    response = HttpResponse(person_data_json(data), content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="person-{person_id}-data.json"'
    response["Cache-Control"] = "no-store"
    return response
