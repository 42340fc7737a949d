"""Duplicate review for data managers: the queue of candidate pairs, a side-by-side view of one
pair (access-logged) and the accept / reject / skip / undo actions. Every pair URL fetches its
pair through `access_pair`, so a pair with a person outside the reviewer's offices answers
exactly like a missing one."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from safepassage.access.permissions import Perm
from safepassage.access.policy import has_perm_somewhere
from safepassage.core.errors import DomainError, NotFound
from safepassage.linkage import selectors
from safepassage.linkage.forms import DecisionForm
from safepassage.linkage.models import PairStatus

PAGE_SIZE = 50

MESSAGES = {
    "accept": gettext_lazy("Marked as the same person; the individuals were merged."),
    "reject": gettext_lazy("Marked as different persons; they will never be linked."),
    "skip": gettext_lazy("Skipped; the pair stays in the queue."),
}


def _not_found_without_review(request: HttpRequest) -> None:
    if not has_perm_somewhere(request.user, Perm.LINKAGE_REVIEW):
        raise NotFound(_("Page not found."))


@require_GET
def review_queue(request: HttpRequest) -> HttpResponse:
    """Pairs waiting for review; only ids, offices and scores are shown (no personal data)."""
    _not_found_without_review(request)
    page = Paginator(selectors.pair_queue(viewer=request.user), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return TemplateResponse(
        request,
        "linkage/review_queue.html",
        {
            "page": page,
            "rows": list(page.object_list),
            "skipped": list(
                selectors.pair_queue(viewer=request.user, status=PairStatus.SKIPPED)[:PAGE_SIZE]
            ),
            "decided": selectors.pairs_decided(viewer=request.user),
            "run": selectors.latest_run(),
        },
    )


@require_GET
def pair_detail(request: HttpRequest, pair_id: int) -> HttpResponse:
    view = selectors.pair_for_view(viewer=request.user, pair_id=pair_id)
    return TemplateResponse(
        request,
        "linkage/pair_detail.html",
        {"view": view, "pair": view.pair, "sides": (view.a, view.b), "form": DecisionForm()},
    )


def _after_decision(request: HttpRequest, pair_id: int) -> HttpResponseBase:
    following = selectors.next_pending_pair(viewer=request.user)
    if following is not None and following.pk != pair_id:
        return redirect("linkage:pair_detail", pair_id=following.pk)
    return redirect("linkage:review_queue")


@require_POST
def pair_decide(request: HttpRequest, pair_id: int) -> HttpResponseBase:
    pair = selectors.access_pair(request.user, pair_id)
    form = DecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a decision."))
        return redirect("linkage:pair_detail", pair_id=pair.pk)
    decision = form.cleaned_data["decision"]
    try:
        # The linkage engine (Splink, pandas) loads only when a decision re-clusters, not with
        # every process that imports the URL configuration.
        from safepassage.linkage import services

        services.pair_decide(actor=request.user, pair=pair, decision=decision)
    except DomainError as error:
        messages.error(request, error.message)
        return redirect("linkage:pair_detail", pair_id=pair.pk)
    messages.success(request, MESSAGES[decision])
    return _after_decision(request, pair.pk)


@require_POST
def pair_undo(request: HttpRequest, pair_id: int) -> HttpResponseBase:
    pair = selectors.access_pair(request.user, pair_id)
    try:
        from safepassage.linkage import services

        services.pair_undo(actor=request.user, pair=pair)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Decision undone; the pair is back in the queue."))
    return redirect("linkage:pair_detail", pair_id=pair.pk)
