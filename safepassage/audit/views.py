from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _

from safepassage.access.policy import can_view_audit, scope_for
from safepassage.audit.selectors import access_event_list, audit_event_list
from safepassage.audit.verify import verify_all
from safepassage.core.errors import NotFound

PAGE_SIZE = 50


def _require_auditor(request: HttpRequest) -> None:
    if not can_view_audit(request.user):
        raise NotFound(_("Page not found."))


def audit_events(request: HttpRequest) -> HttpResponse:
    _require_auditor(request)
    events = audit_event_list(
        viewer=request.user,
        event_type=request.GET.get("event", "").strip(),
        target_type=request.GET.get("target", "").strip(),
    )
    page = Paginator(events, PAGE_SIZE).get_page(request.GET.get("page"))
    return TemplateResponse(request, "audit/event_list.html", {"page": page, "kind": "audit"})


def access_events(request: HttpRequest) -> HttpResponse:
    _require_auditor(request)
    events = access_event_list(viewer=request.user, action=request.GET.get("action", "").strip())
    page = Paginator(events, PAGE_SIZE).get_page(request.GET.get("page"))
    return TemplateResponse(request, "audit/event_list.html", {"page": page, "kind": "access"})


def verify(request: HttpRequest) -> HttpResponse:
    """Chain verification covers every office's rows, so only headquarters auditors run it."""
    if not scope_for(request.user, "audit.view").everything:
        raise NotFound(_("Page not found."))
    return TemplateResponse(request, "audit/verify.html", {"reports": verify_all()})
