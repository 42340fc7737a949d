from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _

from safepassage.access.permissions import Perm
from safepassage.access.policy import access_office, can_manage_offices, has_perm
from safepassage.core.errors import DomainError, NotFound
from safepassage.offices import services
from safepassage.offices.forms import OfficeCreateForm, RetentionForm
from safepassage.offices.selectors import office_list
from safepassage.web.errors import add_domain_error


def offices(request: HttpRequest) -> HttpResponse:
    return TemplateResponse(
        request,
        "offices/office_list.html",
        {
            "offices": office_list(viewer=request.user),
            "can_create": can_manage_offices(request.user),
        },
    )


def office_detail(request: HttpRequest, office_id: int) -> HttpResponse:
    office = access_office(request.user, office_id)
    return TemplateResponse(
        request,
        "offices/office_detail.html",
        {
            "office": office,
            "default_retention_years": settings.SAFEPASSAGE_RETENTION_YEARS,
            "can_manage": has_perm(request.user, Perm.OFFICE_MANAGE, office=office),
        },
    )


def office_retention(request: HttpRequest, office_id: int) -> HttpResponse:
    """An administrator sets the office's retention period."""
    office = access_office(request.user, office_id, Perm.OFFICE_MANAGE)
    form = RetentionForm(request.POST or None, initial={"retention_years": office.retention_years})
    if request.method == "POST" and form.is_valid():
        try:
            services.office_set_retention(
                actor=request.user,
                office=office,
                retention_years=form.cleaned_data["retention_years"],
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, _("Retention period saved."))
            return redirect("offices:office_detail", office_id=office.pk)
    return TemplateResponse(
        request,
        "offices/office_retention.html",
        {
            "form": form,
            "office": office,
            "default_retention_years": settings.SAFEPASSAGE_RETENTION_YEARS,
        },
    )


def office_create(request: HttpRequest) -> HttpResponse:
    if not can_manage_offices(request.user):
        raise NotFound(_("Page not found."))
    form = OfficeCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            office = services.office_create(
                actor=request.user,
                code=data["code"],
                name=data["name"],
                country=data["country"],
                kind=data["kind"],
                covered_region=data["covered_region"],
                source="web",
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, _("Office %(code)s created.") % {"code": office.code})
            return redirect("offices:office_detail", office_id=office.pk)
    return TemplateResponse(request, "offices/office_form.html", {"form": form})
