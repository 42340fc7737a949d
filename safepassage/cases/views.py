"""Case-work pages for caseworkers and supervisors. Each view parses input, calls one service or
selector and presents the result; every case URL fetches its case through `access_case` (or
`case_for_view`, which records the viewing), so a case of another office, or any case for a
role without case access, answers exactly like a missing one."""

from __future__ import annotations

from typing import Any

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
    has_perm_somewhere,
)
from safepassage.accounts.selectors import offices_where
from safepassage.assistance.services import assistance_record
from safepassage.audit.models import AccessEvent
from safepassage.audit.services import access_record
from safepassage.cases import services
from safepassage.cases.forms import (
    AssistanceForm,
    CaseFilterForm,
    CaseOpenForm,
    CloseForm,
    ConsentForm,
    DeterminationForm,
    NoteForm,
    PersonSearchForm,
    RegisterForm,
    ReviewForm,
    ScreeningForm,
    VersionedForm,
    WithdrawForm,
    route_events,
    route_formset,
)
from safepassage.cases.models import Case
from safepassage.cases.selectors import (
    CaseFilters,
    CaseRow,
    approval_queue,
    case_for_view,
    case_list,
    case_timeline,
    caseworkers_at,
    caseworkers_visible,
    person_for_view,
    person_search,
)
from safepassage.core import clock
from safepassage.core.errors import DomainError, NotFound
from safepassage.core.pagination import CappedPaginator
from safepassage.offices.models import Office
from safepassage.returns.selectors import case_return_section
from safepassage.screening import services as screening_services
from safepassage.screening.models import Determination
from safepassage.screening.rules import explain, suggest
from safepassage.transfers.selectors import case_transfer_section
from safepassage.web.errors import add_domain_error

PAGE_SIZE = 50


def _not_found_without(request: HttpRequest, perm: str) -> None:
    """Pages that are not about one case answer 404 to roles without case access, like
    other pages outside the viewer's permissions."""
    if not has_perm_somewhere(request.user, perm):
        raise NotFound(_("Page not found."))


def _versioned(case: Case) -> dict[str, int]:
    return {"version": case.version}


# --- list ------------------------------------------------------------------------------------


def case_index(request: HttpRequest) -> HttpResponse:
    _not_found_without(request, Perm.CASE_VIEW)
    form = CaseFilterForm(request.GET or None, caseworkers=caseworkers_visible(viewer=request.user))
    data: dict[str, Any] = form.cleaned_data if form.is_valid() else {}
    filters = CaseFilters(
        status=data.get("status") or "",
        category=data.get("category") or "",
        assigned_to=data["caseworker"].pk if data.get("caseworker") else None,
        registered_from=data.get("registered_from"),
        registered_to=data.get("registered_to"),
        nationality=data.get("nationality") or "",
        query=data.get("q") or "",
    )
    # Counted and paged on the cases alone (the joins a row shows would be made for every row
    # counted or skipped); a page's rows are then read by id from the viewer's cases, without
    # the filters again, with their joins.
    cases = case_list(viewer=request.user, filters=filters)
    rows_of = case_list(viewer=request.user).values(*CaseRow.COLUMNS)
    page = CappedPaginator(
        cases, PAGE_SIZE, rows=rows_of, count_from_ids=filters.searching
    ).get_page(request.GET.get("page"))
    rows = [CaseRow.from_values(values) for values in page.object_list]
    # A list of names is a view of personal data: one access event per page shown.
    access_record(
        actor=request.user,
        office=None,
        action=AccessEvent.Action.SEARCH,
        target=("cases.case", "list"),
        metadata={"rows": len(rows)},
    )
    query = request.GET.copy()
    query.pop("page", None)
    return TemplateResponse(
        request,
        "cases/case_list.html",
        {
            "form": form,
            "page": page,
            "rows": rows,
            "query": query.urlencode(),
            "can_register": has_perm_somewhere(request.user, Perm.CASE_WORK),
        },
    )


# --- registration ----------------------------------------------------------------------------


def _work_offices(request: HttpRequest) -> Any:
    offices = offices_where(viewer=request.user, perm=Perm.CASE_WORK).filter(is_active=True)
    if not offices.exists():
        raise NotFound(_("Page not found."))
    return offices


def case_register(request: HttpRequest) -> HttpResponse:
    """Search before create: likely existing persons at the office, then either a new case for
    one of them or a new person."""
    offices = _work_offices(request)
    form = PersonSearchForm(request.GET or None, offices=offices)
    matches = None
    if request.GET and form.is_valid():
        data = form.cleaned_data
        matches = person_search(
            viewer=request.user,
            office=data["office"],
            given_names=data["given_names"],
            family_names=data["family_names"],
            birth_year=data["birth_year"],
        )
    return TemplateResponse(
        request,
        "cases/register_search.html",
        {"form": form, "matches": matches, "query": request.GET.urlencode()},
    )


def _office_from(request: HttpRequest, offices: Any) -> Office:
    office_id = request.POST.get("office") or request.GET.get("office")
    office: Office | None = offices.filter(pk=office_id).first() if office_id else None
    return office or offices.first()


def person_register(request: HttpRequest) -> HttpResponse:
    """A new person and their first case."""
    offices = _work_offices(request)
    office = _office_from(request, offices)
    initial = {
        "given_names": request.GET.get("given_names", ""),
        "family_names": request.GET.get("family_names", ""),
        "office": office.pk,
        "registration_date": clock.today(),
        "assigned_to": request.user.pk,
    }
    form = RegisterForm(
        request.POST or None,
        initial=initial,
        offices=offices,
        caseworkers=caseworkers_at(office=office),
    )
    if request.method == "POST" and form.is_valid():
        try:
            case = services.person_register_and_open_case(
                actor=request.user,
                office=form.cleaned_data["office"],
                person_data=form.person_data(),
                documents=form.documents(),
                source="web",
                **form.case_kwargs(),
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, _("Case %(ref)s opened.") % {"ref": case.reference})
            return redirect("cases:case_detail", case_id=case.pk)
    return TemplateResponse(request, "cases/register_person.html", {"form": form})


def case_open_for_person(request: HttpRequest, person_id: int) -> HttpResponse:
    """A new case (instance of assistance) for a person already registered at the office."""
    person = person_for_view(viewer=request.user, person_id=person_id)
    form = CaseOpenForm(
        request.POST or None,
        initial={"registration_date": clock.today(), "assigned_to": request.user.pk},
        caseworkers=caseworkers_at(office=person.office),
    )
    if request.method == "POST" and form.is_valid():
        try:
            case = services.case_open(
                actor=request.user, person=person, source="web", **form.case_kwargs()
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, _("Case %(ref)s opened.") % {"ref": case.reference})
            return redirect("cases:case_detail", case_id=case.pk)
    return TemplateResponse(
        request,
        "cases/case_open.html",
        {"form": form, "person": person, "cases": person.cases.order_by("-registration_date")},
    )


# --- the case page ---------------------------------------------------------------------------


def _dossier(case: Case) -> dict[str, Any]:
    """What the case page and the printable summary show, read from the authorised case."""
    # The pages show who decided, not the determination's screening or reviewer.
    determination = (
        case.determinations.exclude(status=Determination.Status.SUPERSEDED)
        .select_related("decided_by")
        .first()
    )
    screening, draft = screening_services.latest_submitted_and_draft(case)
    return {
        "case": case,
        "person": case.person,
        "documents": case.person.documents.select_related("issuing_country"),
        "consents": case.consents.select_related("recipient_office", "recorded_by"),
        "screening": screening,
        "draft": draft,
        "determination": determination,
        "services": case.services.select_related("recorded_by"),
        "notes": case.notes.select_related("author"),
        "timeline": case_timeline(case),
    }


def _case_for(request: HttpRequest, case_id: int) -> Case:
    """The case of a page: a GET shows it (and records the viewing); a POST writes, and its
    service records the write, so the fetch only authorises."""
    if request.method == "POST":
        return access_case(request.user, case_id)
    return case_for_view(viewer=request.user, case_id=case_id)


def _case_page(
    request: HttpRequest, case: Case, *, note_form: NoteForm | None = None, status: int = 200
) -> HttpResponse:
    context = _dossier(case)
    context.update(
        {
            "can_work": can_work_on_case(request.user, case),
            "can_approve": can_approve_for_case(request.user, case),
            "note_form": note_form or NoteForm(),
            "version": case.version,
            "transfer_section": case_transfer_section(case),
            "return_section": case_return_section(case),
        }
    )
    return TemplateResponse(request, "cases/case_detail.html", context, status=status)


def case_detail(request: HttpRequest, case_id: int) -> HttpResponse:
    case = case_for_view(viewer=request.user, case_id=case_id)
    return _case_page(request, case)


def case_print(request: HttpRequest, case_id: int) -> HttpResponse:
    case = case_for_view(viewer=request.user, case_id=case_id, action=AccessEvent.Action.PRINT)
    context = _dossier(case)
    context["printed_at"] = clock.now()
    return TemplateResponse(request, "cases/case_print.html", context)


@require_POST
def note_add(request: HttpRequest, case_id: int) -> HttpResponse:
    case = access_case(request.user, case_id)
    form = NoteForm(request.POST)
    if form.is_valid():
        try:
            services.case_note_add(actor=request.user, case=case, text=form.cleaned_data["text"])
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, _("Note added."))
            return redirect("cases:case_detail", case_id=case.pk)
    return _case_page(request, case, note_form=form, status=400)


# --- screening -------------------------------------------------------------------------------


def screening_edit(request: HttpRequest, case_id: int) -> HttpResponse:
    case = _case_for(request, case_id)
    draft = screening_services.current_draft(case)
    source = draft or screening_services.latest_submitted(case)
    form = ScreeningForm(
        request.POST or None,
        initial={**ScreeningForm.initial_from(source), **_versioned(case)},
    )
    route = route_formset(request.POST or None, source)
    if request.method == "POST" and form.is_valid() and route.is_valid():
        submit = request.POST.get("action") == "submit"
        try:
            screening = screening_services.screening_save(
                actor=request.user,
                case=case,
                expected_version=form.cleaned_data["version"],
                data=form.screening_data(),
                events=route_events(route),
                submit=submit,
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            if submit:
                messages.success(
                    request,
                    _("Screening version %(n)d submitted.") % {"n": screening.number},
                )
                return redirect("cases:case_detail", case_id=case.pk)
            messages.success(request, _("Draft saved."))
            return redirect("cases:screening", case_id=case.pk)
    return TemplateResponse(
        request,
        "cases/screening_form.html",
        {
            "case": case,
            "form": form,
            "route": route,
            "draft": draft,
            "can_work": can_work_on_case(request.user, case),
        },
    )


# --- determination ---------------------------------------------------------------------------


def _determination_page(
    request: HttpRequest,
    case: Case,
    *,
    form: DeterminationForm | None = None,
    review_form: ReviewForm | None = None,
) -> HttpResponse:
    screening = screening_services.latest_submitted(case)
    suggestion = suggest(case, screening) if screening is not None else None
    history = case.determinations.select_related("decided_by", "reviewed_by", "screening")
    pending = next((d for d in history if d.status == Determination.Status.PENDING), None)
    return TemplateResponse(
        request,
        "cases/determination.html",
        {
            "case": case,
            "screening": screening,
            "suggestion": suggestion,
            "explanation": explain(suggestion) if suggestion is not None else [],
            "history": history,
            "pending": pending,
            "form": form
            or DeterminationForm(
                initial={
                    **_versioned(case),
                    "outcome": suggestion.outcome if suggestion else None,
                }
            ),
            "review_form": review_form or ReviewForm(),
            "can_work": can_work_on_case(request.user, case),
            "can_approve": can_approve_for_case(request.user, case),
        },
        status=400 if (form or review_form) else 200,
    )


def determination(request: HttpRequest, case_id: int) -> HttpResponse:
    if request.method != "POST":
        return _determination_page(request, case_for_view(viewer=request.user, case_id=case_id))
    case = access_case(request.user, case_id)
    form = DeterminationForm(request.POST)
    if form.is_valid():
        try:
            screening_services.determination_record(
                actor=request.user,
                case=case,
                expected_version=form.cleaned_data["version"],
                outcome=form.cleaned_data["outcome"],
                reasons=form.cleaned_data["reasons"],
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, _("Determination recorded; it waits for approval."))
            return redirect("cases:determination", case_id=case.pk)
    return _determination_page(request, case, form=form)


@require_POST
def determination_review(
    request: HttpRequest, case_id: int, determination_id: int, decision: str
) -> HttpResponse:
    case = access_case(request.user, case_id)
    pending = case.determinations.filter(pk=determination_id).first()
    if pending is None:
        raise NotFound(_("Determination not found."))
    form = ReviewForm(request.POST)
    if form.is_valid():
        note = form.cleaned_data["note"]
        try:
            if decision == "approve":
                screening_services.determination_approve(
                    actor=request.user, determination=pending, note=note
                )
            else:
                screening_services.determination_return(
                    actor=request.user, determination=pending, note=note
                )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(
                request,
                _("Determination approved.")
                if decision == "approve"
                else _("Determination returned to the caseworker."),
            )
            return redirect("cases:determination", case_id=case.pk)
    return _determination_page(request, case, review_form=form)


# --- consent ---------------------------------------------------------------------------------


def _consent_page(request: HttpRequest, case: Case, form: ConsentForm, status: int) -> HttpResponse:
    return TemplateResponse(
        request,
        "cases/consent.html",
        {
            "case": case,
            "form": form,
            "consents": case.consents.select_related("recipient_office", "recorded_by"),
            "withdraw_form": WithdrawForm(),
            "can_work": can_work_on_case(request.user, case),
        },
        status=status,
    )


def consent(request: HttpRequest, case_id: int) -> HttpResponse:
    if request.method != "POST":
        case = case_for_view(viewer=request.user, case_id=case_id)
        return _consent_page(request, case, ConsentForm(initial={"date": clock.today()}), 200)
    case = access_case(request.user, case_id)
    form = ConsentForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.consent_record(
                actor=request.user,
                case=case,
                scope=data["scope"],
                given=data["given"],
                form=data["form"],
                date=data["date"],
                given_by=data["given_by"],
                guardian_name=data["guardian_name"],
                recipient_office=data["recipient_office"],
                recipient_partner=data["recipient_partner"],
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, _("Consent decision recorded."))
            return redirect("cases:consent", case_id=case.pk)
    return _consent_page(request, case, form, 400)


@require_POST
def consent_withdraw(request: HttpRequest, case_id: int, consent_id: int) -> HttpResponseBase:
    case = access_case(request.user, case_id)
    record = case.consents.filter(pk=consent_id).first()
    if record is None:
        raise NotFound(_("Consent not found."))
    form = WithdrawForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    services.consent_withdraw(actor=request.user, consent=record, note=note)
    messages.success(request, _("Consent withdrawn."))
    return redirect("cases:consent", case_id=case.pk)


# --- assistance ------------------------------------------------------------------------------


def assistance(request: HttpRequest, case_id: int) -> HttpResponse:
    case = _case_for(request, case_id)
    form = AssistanceForm(request.POST or None, initial={"start_date": clock.today()})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            assistance_record(
                actor=request.user,
                case=case,
                service_type=data["service_type"],
                phase=data["phase"],
                start_date=data["start_date"],
                end_date=data["end_date"],
                provider_kind=data["provider_kind"],
                provider_name=data["provider_name"],
                amount=data["amount"],
                currency=data["currency"],
                notes=data["notes"],
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, _("Assistance recorded."))
            return redirect("cases:assistance", case_id=case.pk)
    return TemplateResponse(
        request,
        "cases/assistance.html",
        {
            "case": case,
            "form": form,
            "services": case.services.select_related("recorded_by"),
            "can_work": can_work_on_case(request.user, case),
        },
        status=400 if form.is_bound else 200,
    )


# --- closure ---------------------------------------------------------------------------------


def case_close(request: HttpRequest, case_id: int) -> HttpResponse:
    case = _case_for(request, case_id)
    form = CloseForm(request.POST or None, initial=_versioned(case))
    if request.method == "POST" and form.is_valid():
        try:
            closed = services.case_close(
                actor=request.user,
                case=case,
                reason=form.cleaned_data["reason"],
                expected_version=form.cleaned_data["version"],
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            if closed.is_closed:
                messages.success(request, _("Case closed."))
            else:
                messages.success(
                    request,
                    _(
                        "Your request to close the case was sent to a supervisor; the case "
                        "stays open until they approve it."
                    ),
                )
            return redirect("cases:case_detail", case_id=case.pk)
    return TemplateResponse(
        request,
        "cases/close.html",
        {"case": case, "form": form, "can_approve": can_approve_for_case(request.user, case)},
        status=400 if form.is_bound else 200,
    )


def _versioned_post(request: HttpRequest) -> int:
    form = VersionedForm(request.POST)
    # A missing version can only be stale: the form always carries it.
    return int(form.cleaned_data["version"]) if form.is_valid() else 0


@require_POST
def case_reopen(request: HttpRequest, case_id: int) -> HttpResponseBase:
    case = access_case(request.user, case_id)
    services.case_reopen(actor=request.user, case=case, expected_version=_versioned_post(request))
    messages.success(request, _("Case reopened."))
    return redirect("cases:case_detail", case_id=case.pk)


@require_POST
def closure_approve(request: HttpRequest, case_id: int) -> HttpResponseBase:
    case = access_case(request.user, case_id)
    if not case.closure_requested_reason:
        raise NotFound(_("There is no closure request on this case."))
    closed = services.case_close(
        actor=request.user,
        case=case,
        reason=case.closure_requested_reason,
        expected_version=_versioned_post(request),
    )
    if closed.is_closed:
        messages.success(request, _("Case %(ref)s closed.") % {"ref": case.reference})
    else:
        messages.warning(request, _("Only a supervisor can approve a closure request."))
    return redirect("cases:case_detail", case_id=case.pk)


@require_POST
def closure_decline(request: HttpRequest, case_id: int) -> HttpResponseBase:
    case = access_case(request.user, case_id)
    services.case_closure_decline(
        actor=request.user, case=case, expected_version=_versioned_post(request)
    )
    messages.success(request, _("Closure request declined; the case stays open."))
    return redirect("cases:case_detail", case_id=case.pk)


# --- approvals -------------------------------------------------------------------------------


def approvals(request: HttpRequest) -> HttpResponse:
    _not_found_without(request, Perm.CASE_APPROVE)
    queue = approval_queue(viewer=request.user)
    return TemplateResponse(
        request,
        "cases/approvals.html",
        {"determinations": queue["determinations"], "closures": queue["closures"]},
    )
