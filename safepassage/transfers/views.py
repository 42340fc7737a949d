"""Pages for transfers between offices and referrals to partners. A transfer is visible to the
offices at both ends only (`access_transfer`); everyone else gets the same not-found as for a
transfer that does not exist. The receiving office reads the shared summary, never the sending
office's case."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from safepassage.access.permissions import Perm
from safepassage.access.policy import (
    access_case,
    can_work_on_case,
    has_perm,
    has_perm_somewhere,
)
from safepassage.cases.models import Case
from safepassage.cases.selectors import case_for_view
from safepassage.core import clock
from safepassage.core.errors import DomainError, NotFound
from safepassage.transfers import services
from safepassage.transfers.forms import ReferralForm, RejectForm, TransferRequestForm
from safepassage.transfers.models import Transfer, TransferStatus
from safepassage.transfers.selectors import (
    access_transfer,
    referrals_of_case,
    transfer_for_view,
    transfers_incoming,
    transfers_outgoing,
)
from safepassage.web.errors import add_domain_error

INBOX_RECENT = 20


def inbox(request: HttpRequest) -> HttpResponse:
    """Requests waiting for an answer, then the latest decided ones, for the viewer's offices."""
    if not has_perm_somewhere(request.user, Perm.CASE_VIEW):
        raise NotFound(_("Page not found."))
    return TemplateResponse(
        request,
        "transfers/inbox.html",
        {
            "incoming": list(transfers_incoming(viewer=request.user)),
            "outgoing": list(transfers_outgoing(viewer=request.user)),
            "incoming_decided": list(
                transfers_incoming(viewer=request.user, status="").exclude(
                    status=TransferStatus.REQUESTED
                )[:INBOX_RECENT]
            ),
            "outgoing_decided": list(
                transfers_outgoing(viewer=request.user, status="").exclude(
                    status=TransferStatus.REQUESTED
                )[:INBOX_RECENT]
            ),
        },
    )


def transfer_request(request: HttpRequest, case_id: int) -> HttpResponse:
    if request.method == "POST":
        case = access_case(request.user, case_id)
    else:
        case = case_for_view(viewer=request.user, case_id=case_id)
    form = TransferRequestForm(request.POST or None, from_office=case.office)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            transfer = services.transfer_request(
                actor=request.user,
                case=case,
                to_office=data["to_office"],
                message=data["message"],
                shared_data=data["shared_data"] or None,
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(
                request,
                _("Transfer to %(office)s requested; it waits for their answer.")
                % {"office": transfer.to_office.code},
            )
            return redirect("transfers:transfer_detail", transfer_id=transfer.pk)
    return TemplateResponse(
        request,
        "transfers/request.html",
        {"case": case, "form": form, "can_work": can_work_on_case(request.user, case)},
        status=400 if form.is_bound else 200,
    )


def _side(request: HttpRequest, transfer: Transfer) -> dict[str, bool]:
    """What the viewer may do on this transfer, from the office they hold a role at."""
    receiving = has_perm(request.user, Perm.CASE_VIEW, office=transfer.to_office)
    sending = has_perm(request.user, Perm.CASE_VIEW, office=transfer.from_office)
    waiting = transfer.status == TransferStatus.REQUESTED and transfer.expires_at > clock.now()
    return {
        "receiving": receiving,
        "sending": sending,
        "can_decide": waiting and has_perm(request.user, Perm.CASE_WORK, office=transfer.to_office),
        "can_cancel": waiting
        and has_perm(request.user, Perm.CASE_WORK, office=transfer.from_office),
    }


def _transfer_page(
    request: HttpRequest,
    transfer: Transfer,
    *,
    reject_form: RejectForm | None = None,
    status: int = 200,
) -> HttpResponse:
    return TemplateResponse(
        request,
        "transfers/transfer_detail.html",
        {
            "transfer": transfer,
            "summary": transfer.summary,
            "reject_form": reject_form or RejectForm(),
            **_side(request, transfer),
        },
        status=status,
    )


def transfer_detail(request: HttpRequest, transfer_id: int) -> HttpResponse:
    transfer = transfer_for_view(viewer=request.user, transfer_id=transfer_id)
    return _transfer_page(request, transfer)


@require_POST
def transfer_accept(request: HttpRequest, transfer_id: int) -> HttpResponseBase:
    transfer = access_transfer(request.user, transfer_id)
    received = services.transfer_accept(actor=request.user, transfer=transfer)
    messages.success(
        request,
        _("Transfer accepted: case %(ref)s opened at your office.") % {"ref": received.reference},
    )
    return redirect("cases:case_detail", case_id=received.pk)


@require_POST
def transfer_reject(request: HttpRequest, transfer_id: int) -> HttpResponse:
    transfer = access_transfer(request.user, transfer_id)
    form = RejectForm(request.POST)
    if form.is_valid():
        try:
            services.transfer_reject(
                actor=request.user, transfer=transfer, reason=form.cleaned_data["reason"]
            )
        except NotFound:
            # The sending office cannot answer its own request: not found, as in the API and
            # for accepting, never a form error that confirms the transfer exists.
            raise
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, _("Transfer rejected; the sending office sees your reason."))
            return redirect("transfers:transfer_detail", transfer_id=transfer.pk)
    return _transfer_page(request, transfer, reject_form=form, status=400)


@require_POST
def transfer_cancel(request: HttpRequest, transfer_id: int) -> HttpResponseBase:
    transfer = access_transfer(request.user, transfer_id)
    services.transfer_cancel(actor=request.user, transfer=transfer)
    messages.success(request, _("Transfer request cancelled."))
    return redirect("transfers:transfer_detail", transfer_id=transfer.pk)


def _referral_page(
    request: HttpRequest, case: Case, form: ReferralForm, status: int
) -> HttpResponse:
    return TemplateResponse(
        request,
        "transfers/referrals.html",
        {
            "case": case,
            "form": form,
            "referrals": referrals_of_case(case).select_related("referred_by"),
            "can_work": can_work_on_case(request.user, case),
        },
        status=status,
    )


def referrals(request: HttpRequest, case_id: int) -> HttpResponse:
    if request.method != "POST":
        case = case_for_view(viewer=request.user, case_id=case_id)
        return _referral_page(request, case, ReferralForm(initial={"date": clock.today()}), 200)
    case = access_case(request.user, case_id)
    form = ReferralForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.referral_make(
                actor=request.user,
                case=case,
                organisation_type=data["organisation_type"],
                organisation_name=data["organisation_name"],
                purpose=data["purpose"],
                date=data["date"],
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, _("Referral recorded."))
            return redirect("transfers:referrals", case_id=case.pk)
    return _referral_page(request, case, form, 400)
