"""Pages for programme managers: projects, donors, funds, charges and the project import."""

from __future__ import annotations

import hashlib
import secrets
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from safepassage.access.permissions import Perm
from safepassage.access.policy import (
    access_fund,
    access_project,
    has_perm,
    has_perm_somewhere,
    scope_for,
)
from safepassage.audit.models import AccessEvent
from safepassage.audit.services import access_record
from safepassage.core import clock
from safepassage.core.errors import DomainError, NotFound
from safepassage.projects import services
from safepassage.projects.forms import (
    CaseLookupForm,
    ChargeAssistanceForm,
    ChargeCaseForm,
    DonorForm,
    FundForm,
    FundingForm,
    GafAttestationForm,
    ImportForm,
    ProjectForm,
)
from safepassage.projects.importing import COLUMNS, projects_import
from safepassage.projects.models import Fund, FundCharge, GafAttestation, Project
from safepassage.projects.selectors import (
    case_by_reference,
    donor_list,
    fund_charges_visible,
    fund_list,
    fund_totals,
    offices_managed,
    project_fundings,
    project_list,
)
from safepassage.reference.models import Country
from safepassage.web.errors import add_domain_error

IMPORT_SESSION_KEY = "projects_import"


def _require_somewhere(request: HttpRequest, perm: str) -> None:
    if not has_perm_somewhere(request.user, perm):
        raise NotFound(_("Page not found."))


def _may_manage(user: Any, offices: list[Any]) -> bool:
    scope = scope_for(user, Perm.PROJECT_MANAGE)
    return scope.everything or bool({o.pk for o in offices} & scope.office_ids)


def _countries(codes: list[str]) -> list[Country]:
    return list(Country.objects.filter(iso3__in=codes))


# --- projects ----------------------------------------------------------------------------------


def projects(request: HttpRequest) -> HttpResponse:
    _require_somewhere(request, Perm.PROJECT_VIEW)
    year_text = request.GET.get("year", "").strip()
    year = int(year_text) if year_text.isdigit() else None
    text = request.GET.get("q", "").strip()[:100]
    return TemplateResponse(
        request,
        "projects/project_list.html",
        {
            "projects": project_list(viewer=request.user, year=year, text=text),
            "year": year_text,
            "q": text,
            "can_manage": has_perm_somewhere(request.user, Perm.PROJECT_MANAGE),
        },
    )


def project_detail(request: HttpRequest, project_id: int) -> HttpResponse:
    project = access_project(request.user, project_id)
    offices = list(project.offices.all())
    can_manage = _may_manage(request.user, offices)
    form = FundingForm(request.POST or None) if can_manage else None
    if request.method == "POST":
        if form is None:
            raise NotFound(_("Page not found."))
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.project_funding_add(
                    actor=request.user,
                    project=project,
                    donor=data["donor"],
                    year=data["year"],
                    amount=data["amount"],
                    currency=data["currency"],
                    usd_rate=data["usd_rate"],
                )
            except DomainError as error:
                add_domain_error(form, error)
            else:
                messages.success(request, _("Funding recorded."))
                return redirect("projects:project_detail", project_id=project.pk)
    return TemplateResponse(
        request,
        "projects/project_detail.html",
        {
            "project": project,
            "offices": offices,
            "countries": list(project.countries.all()),
            "fundings": project_fundings(project=project),
            "funds": list(project.funds.all()),
            "can_manage": can_manage,
            "form": form,
        },
    )


def project_create(request: HttpRequest) -> HttpResponse:
    offices = offices_managed(viewer=request.user)
    if not offices.exists():
        raise NotFound(_("Page not found."))
    form = ProjectForm(request.POST or None, offices=offices)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            project = services.project_create(
                actor=request.user,
                code=data["code"],
                title=data["title"],
                thematic_areas=data["thematic_areas"],
                status=data["status"],
                start_date=data["start_date"],
                end_date=data["end_date"],
                offices=list(data["offices"]),
                countries=_countries(data["countries"]),
                source="web",
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, _("Project %(code)s created.") % {"code": project.code})
            return redirect("projects:project_detail", project_id=project.pk)
    return TemplateResponse(request, "projects/project_form.html", {"form": form, "project": None})


def project_edit(request: HttpRequest, project_id: int) -> HttpResponse:
    project = access_project(request.user, project_id)
    current = list(project.offices.all())
    if not _may_manage(request.user, current):
        raise NotFound(_("Page not found."))
    # Offices the actor manages, plus the current ones (kept unless the actor may remove them).
    offices = offices_managed(viewer=request.user) | project.offices.all()
    initial = {
        "code": project.code,
        "title": project.title,
        "thematic_areas": project.thematic_areas,
        "status": project.status,
        "start_date": project.start_date,
        "end_date": project.end_date,
        "offices": current,
        "countries": list(project.countries.values_list("pk", flat=True)),
    }
    form = ProjectForm(
        request.POST or None, initial=initial, offices=offices.distinct(), editing=True
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.project_update(
                actor=request.user,
                project=project,
                title=data["title"],
                thematic_areas=data["thematic_areas"],
                status=data["status"],
                start_date=data["start_date"],
                end_date=data["end_date"],
                offices=list(data["offices"]),
                countries=_countries(data["countries"]),
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, _("Project saved."))
            return redirect("projects:project_detail", project_id=project.pk)
    return TemplateResponse(
        request, "projects/project_form.html", {"form": form, "project": project}
    )


def project_import(request: HttpRequest) -> HttpResponse:
    """Upload -> preview (errors per row and column, or what would be created) -> confirm.
    The uploaded bytes wait in the session between preview and confirm and are validated
    again, whole, when confirmed."""
    _require_somewhere(request, Perm.PROJECT_MANAGE)
    form = ImportForm(request.POST or None, request.FILES or None)
    report = None
    token = ""
    if request.method == "POST" and request.POST.get("confirm"):
        pending = request.session.get(IMPORT_SESSION_KEY) or {}
        if not secrets.compare_digest(str(pending.get("token", "")), request.POST["confirm"]):
            messages.error(request, _("That preview has expired. Upload the file again."))
            return redirect("projects:project_import")
        content = bytes.fromhex(pending["content"])
        try:
            report = projects_import(
                actor=request.user, name=pending["name"], content=content, source="web"
            )
        except DomainError as error:
            messages.error(request, error.message)
            return redirect("projects:project_import")
        request.session.pop(IMPORT_SESSION_KEY, None)
        if report.written:
            messages.success(
                request,
                _("%(n)s projects imported.") % {"n": len(report.projects)},
            )
            return redirect("projects:project_list")
    elif request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        content = upload.read()
        try:
            report = projects_import(
                actor=request.user, name=upload.name, content=content, dry_run=True
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            if report.ok:
                token = secrets.token_urlsafe(16)
                request.session[IMPORT_SESSION_KEY] = {
                    "token": token,
                    "name": upload.name,
                    "content": content.hex(),
                    "sha256": hashlib.sha256(content).hexdigest(),
                }
    return TemplateResponse(
        request,
        "projects/project_import.html",
        {"form": form, "report": report, "token": token, "columns": COLUMNS},
    )


# --- donors ------------------------------------------------------------------------------------


def donors(request: HttpRequest) -> HttpResponse:
    _require_somewhere(request, Perm.PROJECT_VIEW)
    can_manage = has_perm_somewhere(request.user, Perm.PROJECT_MANAGE)
    form = DonorForm(request.POST or None) if can_manage else None
    if request.method == "POST":
        if form is None:
            raise NotFound(_("Page not found."))
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.donor_create(
                    actor=request.user,
                    name=data["name"],
                    kind=data["kind"],
                    country=Country.objects.filter(pk=data["country"]).first()
                    if data["country"]
                    else None,
                    source="web",
                )
            except DomainError as error:
                add_domain_error(form, error)
            else:
                messages.success(request, _("Donor added."))
                return redirect("projects:donor_list")
    return TemplateResponse(
        request,
        "projects/donor_list.html",
        {"donors": donor_list(viewer=request.user), "form": form},
    )


# --- funds -------------------------------------------------------------------------------------


def funds(request: HttpRequest) -> HttpResponse:
    _require_somewhere(request, Perm.PROJECT_VIEW)
    rows = [(fund, fund_totals(fund=fund)) for fund in fund_list(viewer=request.user)]
    return TemplateResponse(
        request,
        "projects/fund_list.html",
        {"rows": rows, "can_manage": has_perm_somewhere(request.user, Perm.PROJECT_MANAGE)},
    )


def fund_create(request: HttpRequest) -> HttpResponse:
    offices = offices_managed(viewer=request.user)
    if not offices.exists():
        raise NotFound(_("Page not found."))
    form = FundForm(
        request.POST or None,
        offices=offices,
        projects=project_list(viewer=request.user).order_by("code"),
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            fund = services.fund_create(
                actor=request.user,
                code=data["code"],
                name=data["name"],
                kind=data["kind"],
                budget_usd=data["budget_usd"],
                offices=list(data["offices"]),
                member_countries=_countries(data["member_countries"]),
                project=data["project"],
                source="web",
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, _("Fund %(code)s created.") % {"code": fund.code})
            return redirect("projects:fund_detail", fund_id=fund.pk)
    return TemplateResponse(request, "projects/fund_form.html", {"form": form})


def fund_detail(request: HttpRequest, fund_id: int) -> HttpResponse:
    fund = access_fund(request.user, fund_id)
    charges = fund_charges_visible(viewer=request.user, fund=fund)
    return TemplateResponse(
        request,
        "projects/fund_detail.html",
        {
            "fund": fund,
            "totals": fund_totals(fund=fund),
            "charges": charges,
            "hidden_charges": fund.charges.count() - charges.count(),
            "offices": list(fund.offices.all()),
            "members": list(fund.member_countries.all()),
            "lookup": CaseLookupForm(),
        },
    )


def _charge_actions_allowed(user: Any, case: Any) -> bool:
    return has_perm(user, Perm.CASE_WORK, office=case.office) or has_perm(
        user, Perm.PROJECT_MANAGE, office=case.office
    )


def fund_charge(request: HttpRequest, fund_id: int) -> HttpResponseBase:
    """Charge a case (by reference) or one of its assistance records to the fund, and record
    the GAF attestation. A reference of another office answers like a missing one."""
    fund = access_fund(request.user, fund_id)
    reference = (request.POST.get("reference") or request.GET.get("reference") or "").strip()
    lookup = CaseLookupForm({"reference": reference} if reference else None)
    context: dict[str, Any] = {"fund": fund, "lookup": lookup, "case": None}
    if not reference:
        return TemplateResponse(request, "projects/fund_charge.html", context)
    case = case_by_reference(viewer=request.user, reference=reference)
    if case is None or not _charge_actions_allowed(request.user, case):
        lookup.add_error("reference", _("No case with this reference in your offices."))
        return TemplateResponse(request, "projects/fund_charge.html", context, status=404)
    assistance = list(case.services.filter(amount__isnull=False).order_by("-start_date", "-pk"))
    charged = set(
        FundCharge.objects.filter(assistance_service__in=assistance).values_list(
            "assistance_service_id", flat=True
        )
    )
    choices = [
        (s.pk, f"{s.start_date} {s.get_service_type_display()} {s.amount} {s.currency}")
        for s in assistance
        if s.pk not in charged
    ]
    action = request.POST.get("action", "") if request.method == "POST" else ""
    case_form = ChargeCaseForm(request.POST if action == "case" else None)
    assistance_form = ChargeAssistanceForm(
        request.POST if action == "assistance" else None, choices=choices
    )
    attest_form = GafAttestationForm(request.POST if action == "attest" else None)
    done = ""
    try:
        if action == "case" and case_form.is_valid():
            services.fund_charge_case(
                actor=request.user,
                fund=fund,
                case=case,
                amount_usd=case_form.cleaned_data["amount_usd"],
                charged_on=case_form.cleaned_data["charged_on"],
            )
            done = _("The case is charged to %(fund)s.")
        elif action == "assistance" and assistance_form.is_valid():
            chosen = next(
                s for s in assistance if s.pk == assistance_form.cleaned_data["assistance"]
            )
            services.fund_charge_assistance(
                actor=request.user,
                fund=fund,
                assistance=chosen,
                usd_rate=assistance_form.cleaned_data["usd_rate"],
                charged_on=assistance_form.cleaned_data["charged_on"],
            )
            done = _("The assistance record is charged to %(fund)s.")
        elif action == "attest" and attest_form.is_valid():
            services.gaf_attestation_record(
                actor=request.user, case=case, statement=attest_form.cleaned_data["statement"]
            )
            done = _("Attestation recorded.")
        elif action and action not in ("case", "assistance", "attest"):
            raise NotFound(_("Page not found."))
    except DomainError as error:
        form = {"case": case_form, "assistance": assistance_form, "attest": attest_form}[action]
        add_domain_error(form, error)
    if done:
        messages.success(request, done % {"fund": fund.code})
        url = reverse("projects:fund_charge", kwargs={"fund_id": fund.pk})
        return redirect(f"{url}?{urlencode({'reference': case.reference})}")
    access_record(
        actor=request.user,
        office=case.office,
        action=AccessEvent.Action.VIEW,
        target=case,
        metadata={"page": "fund_charge", "fund": fund.code},
    )
    context.update(
        {
            "case": case,
            "gaps": services.fund_eligibility_gaps(fund=fund, case=case),
            "attestations": GafAttestation.objects.filter(case=case).select_related("attested_by"),
            "charges": FundCharge.objects.filter(fund=fund, case=case).select_related(
                "assistance_service"
            ),
            "case_form": case_form,
            "assistance_form": assistance_form,
            "attest_form": attest_form,
            "is_gaf": fund.kind == Fund.Kind.GLOBAL_ASSISTANCE,
            "today": clock.today(),
        }
    )
    return TemplateResponse(request, "projects/fund_charge.html", context)


@require_POST
def project_funding_remove(
    request: HttpRequest, project_id: int, funding_id: int
) -> HttpResponseBase:
    project: Project = access_project(request.user, project_id)
    funding = project.fundings.filter(pk=funding_id).first()
    if funding is None:
        raise NotFound(_("Page not found."))
    services.project_funding_remove(actor=request.user, funding=funding)
    messages.success(request, _("Funding removed."))
    return redirect("projects:project_detail", project_id=project.pk)
