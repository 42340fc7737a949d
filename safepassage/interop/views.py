"""Import pages for data managers: upload -> the whole file validated -> preview of the first
rows and the error table -> confirm. The upload waits in an owner-only temporary file under
var/ between the two steps and is deleted after the import (or when replaced)."""

from __future__ import annotations

import os
import secrets
import time
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.files.uploadedfile import UploadedFile
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from safepassage.access.permissions import Perm
from safepassage.access.policy import has_perm_somewhere
from safepassage.accounts.selectors import offices_where
from safepassage.core.errors import DomainError, NotFound
from safepassage.interop import aggregates, selectors
from safepassage.interop.forms import AggregateForm, ConfirmForm, ImportForm
from safepassage.interop.importer import cases_import
from safepassage.interop.models import AggregateSubmission
from safepassage.offices.models import Office

SESSION_KEY = "interop_pending_import"
ABANDONED_AFTER = 3600


def _upload_dir() -> Path:
    path = Path(settings.BASE_DIR) / "var" / "imports"
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    return path


def _purge_abandoned(directory: Path) -> None:
    """Uploads previewed but never confirmed are deleted after an hour."""
    cutoff = time.time() - ABANDONED_AFTER
    for stale in directory.glob("*.upload"):
        if stale.stat().st_mtime < cutoff:
            stale.unlink(missing_ok=True)


def _store(upload: UploadedFile) -> Path:
    """Write the upload to an owner-only file; the name carries no user input."""
    _purge_abandoned(_upload_dir())
    path = _upload_dir() / f"{secrets.token_hex(16)}.upload"
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        for chunk in upload.chunks():
            handle.write(chunk)
    return path


def _forget(request: HttpRequest) -> None:
    pending = request.session.pop(SESSION_KEY, None)
    if pending:
        Path(_upload_dir() / Path(pending["file"]).name).unlink(missing_ok=True)


def _require_importer(request: HttpRequest) -> None:
    if not has_perm_somewhere(request.user, Perm.DATA_IMPORT):
        raise NotFound(_("Page not found."))


def import_start(request: HttpRequest) -> HttpResponse:
    _require_importer(request)
    offices = offices_where(viewer=request.user, perm=Perm.DATA_IMPORT)
    form = ImportForm(request.POST or None, request.FILES or None, offices=offices)
    context: dict[str, Any] = {
        "form": form,
        "batches": selectors.import_batch_list(viewer=request.user)[:20],
    }
    if request.method == "POST" and form.is_valid():
        _forget(request)
        path = _store(form.cleaned_data["file"])
        office: Office = form.cleaned_data["office"]
        try:
            result = cases_import(
                actor=request.user,
                path=path,
                format_key=form.cleaned_data["format"],
                office=office,
                dry_run=True,
            )
        except DomainError:
            path.unlink(missing_ok=True)
            raise
        token = secrets.token_urlsafe(16)
        request.session[SESSION_KEY] = {
            "token": token,
            "file": path.name,
            "name": form.cleaned_data["file"].name[:200],
            "format": form.cleaned_data["format"],
            "office": office.pk,
        }
        context.update(
            {
                "result": result,
                "confirm": ConfirmForm(initial={"token": token}),
                "office": office,
                "file_name": form.cleaned_data["file"].name,
            }
        )
        return TemplateResponse(request, "interop/import_preview.html", context)
    return TemplateResponse(request, "interop/import_start.html", context)


@require_POST
def import_confirm(request: HttpRequest) -> HttpResponse:
    _require_importer(request)
    pending = request.session.get(SESSION_KEY)
    form = ConfirmForm(request.POST)
    if (
        not pending
        or not form.is_valid()
        or not secrets.compare_digest(form.cleaned_data["token"], pending["token"])
    ):
        messages.error(request, _("That upload has expired; upload the file again."))
        return redirect("interop:import_start")
    office = (
        offices_where(viewer=request.user, perm=Perm.DATA_IMPORT)
        .filter(pk=pending["office"])
        .first()
    )
    if office is None:
        _forget(request)
        raise NotFound(_("Office not found."))
    path = _upload_dir() / Path(pending["file"]).name
    try:
        result = cases_import(
            actor=request.user,
            path=path,
            format_key=pending["format"],
            office=office,
            skip_invalid=form.cleaned_data["skip_invalid"],
            file_name=pending["name"],
            source="web",
        )
    finally:
        _forget(request)
    if result.committed:
        messages.success(
            request,
            _(
                "%(n)d cases imported into %(office)s (%(skipped)d invalid rows skipped, %(present)d already present)."
            )
            % {
                "n": result.rows_imported,
                "office": office.code,
                "skipped": result.invalid_rows,
                "present": result.rows_already_present,
            },
        )
    else:
        messages.error(
            request,
            ngettext(
                "Nothing was imported: the file has %(n)d error.",
                "Nothing was imported: the file has %(n)d errors.",
                result.error_count,
            )
            % {"n": result.error_count},
        )
    return redirect("interop:import_start")


def aggregate_list(request: HttpRequest) -> HttpResponse:
    _require_importer(request)
    offices = offices_where(viewer=request.user, perm=Perm.DATA_IMPORT)
    form = AggregateForm(request.POST or None, request.FILES or None, offices=offices)
    if request.method == "POST" and form.is_valid():
        path = _store(form.cleaned_data["file"])
        try:
            aggregates.aggregate_submission_save(
                actor=request.user,
                office=form.cleaned_data["office"],
                year=form.cleaned_data["year"],
                path=path,
            )
        except DomainError as error:
            form.add_error(None, error.message)
            for field, problems in error.errors.items():
                for problem in problems:
                    form.add_error(None, f"{field}: {problem}")
        else:
            messages.success(request, _("Submission saved."))
            return redirect("interop:aggregates")
        finally:
            path.unlink(missing_ok=True)
    submissions = AggregateSubmission.objects.filter(office__in=offices).select_related("office")
    return TemplateResponse(
        request, "interop/aggregates.html", {"form": form, "submissions": submissions}
    )


def aggregate_template(request: HttpRequest) -> HttpResponse:
    _require_importer(request)
    response = HttpResponse(aggregates.aggregate_template(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="aggregate-submission-template.csv"'
    return response
