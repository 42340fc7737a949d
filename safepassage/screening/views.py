from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _

from safepassage.access.permissions import Perm
from safepassage.access.policy import has_perm_somewhere
from safepassage.core.errors import DomainError, NotFound
from safepassage.screening.forms import SubmissionsUploadForm
from safepassage.screening.xlsform import (
    FORM_ID,
    read_submissions,
    submissions_import,
    xlsform_bytes,
)
from safepassage.web.errors import add_domain_error


def _require_case_work(request: HttpRequest) -> None:
    if not has_perm_somewhere(request.user, Perm.CASE_WORK):
        raise NotFound(_("Page not found."))


def xlsform_download(request: HttpRequest) -> HttpResponse:
    _require_case_work(request)
    response = HttpResponse(
        xlsform_bytes(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="{FORM_ID}.xlsx"'
    return response


def submissions_upload(request: HttpRequest) -> HttpResponse:
    _require_case_work(request)
    form = SubmissionsUploadForm(request.POST or None, request.FILES or None)
    outcomes = None
    if request.method == "POST" and form.is_valid():
        try:
            upload_name = str(getattr(request.FILES.get("file"), "name", "") or "")
            submissions = list(read_submissions(form.cleaned_data["file"], upload_name))
            outcomes = submissions_import(actor=request.user, submissions=submissions)
        except DomainError as error:
            add_domain_error(form, error)
    return TemplateResponse(
        request, "screening/submissions.html", {"form": form, "outcomes": outcomes}
    )
