"""Research release pages: the registry for researchers and data managers, the create form for
data managers, downloads (access-logged). Roles without `research.download` get not-found."""

from __future__ import annotations

from django.contrib import messages
from django.http import FileResponse, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from safepassage.access.permissions import Perm
from safepassage.core.errors import DomainError, NotFound
from safepassage.research.forms import ReleaseForm
from safepassage.research.selectors import (
    access_research_release,
    can_release_research,
    can_see_research,
    research_release_list,
)
from safepassage.research.services import (
    dp_budget,
    research_release_create,
    research_release_download,
)
from safepassage.web.errors import add_domain_error


def _require_research(request: HttpRequest) -> None:
    if not can_see_research(request.user):
        raise NotFound(_("Page not found."))


def _list_page(request: HttpRequest, form: ReleaseForm | None) -> HttpResponse:
    may_release = can_release_research(request.user)
    return TemplateResponse(
        request,
        "research/release_list.html",
        {
            "releases": list(research_release_list(viewer=request.user)),
            "form": form if may_release else None,
            "budget": dp_budget(),
        },
    )


def release_list(request: HttpRequest) -> HttpResponse:
    _require_research(request)
    return _list_page(request, ReleaseForm() if can_release_research(request.user) else None)


@require_POST
def release_create(request: HttpRequest) -> HttpResponseBase:
    if not can_release_research(request.user):
        raise NotFound(_("Page not found."))
    form = ReleaseForm(request.POST)
    if form.is_valid():
        try:
            release = research_release_create(actor=request.user, request=form.release_request())
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, _("Release created and verified."))
            return redirect("research:release_detail", release_id=release.pk)
    return _list_page(request, form)


def release_detail(request: HttpRequest, release_id: int) -> HttpResponse:
    _require_research(request)
    release = access_research_release(request.user, release_id)
    may_see_internal = bool(release.internal_path) and can_release_research(request.user)
    if may_see_internal:
        try:
            access_research_release(request.user, release_id, Perm.RESEARCH_RELEASE)
        except NotFound:
            may_see_internal = False
    return TemplateResponse(
        request,
        "research/release_detail.html",
        {"release": release, "may_see_internal": may_see_internal},
    )


def release_download(request: HttpRequest, release_id: int) -> FileResponse:
    _require_research(request)
    release = access_research_release(request.user, release_id)
    path = research_release_download(actor=request.user, release=release)
    return FileResponse(path.open("rb"), as_attachment=True, filename=release.file_name)


def release_utility(request: HttpRequest, release_id: int) -> FileResponse:
    """The internal utility report (true counts compared): data managers of the scope only."""
    _require_research(request)
    release = access_research_release(request.user, release_id, Perm.RESEARCH_RELEASE)
    path = research_release_download(actor=request.user, release=release, internal=True)
    return FileResponse(
        path.open("rb"),
        as_attachment=True,
        filename=f"INTERNAL-release-{release.pk}-utility-report.json",
    )
