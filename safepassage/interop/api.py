"""Case imports over the API: the same all-or-nothing service as the command and the web page."""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.parsers import MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from safepassage.access.permissions import Perm
from safepassage.access.policy import scope_for
from safepassage.api.fields import validated as _valid
from safepassage.api.idempotency import idempotent
from safepassage.api.views import ApiView
from safepassage.core.errors import NotFound, ValidationFailed
from safepassage.interop.formats import FORMATS
from safepassage.interop.importer import cases_import
from safepassage.offices.models import Office

MAX_UPLOAD = 200 * 1024 * 1024
ERRORS_RETURNED = 200


class ImportIn(serializers.Serializer[Any]):
    file = serializers.FileField()
    format = serializers.ChoiceField(choices=sorted(FORMATS))
    office = serializers.CharField(max_length=32)
    dry_run = serializers.BooleanField(default=False)
    skip_invalid = serializers.BooleanField(default=False)


class RowErrorOut(serializers.Serializer[Any]):
    row = serializers.IntegerField()
    column = serializers.CharField()
    value = serializers.CharField()
    message = serializers.CharField()


class ImportOut(serializers.Serializer[Any]):
    format = serializers.CharField()
    office = serializers.CharField(source="office_code")
    file_sha256 = serializers.CharField()
    committed = serializers.BooleanField()
    dry_run = serializers.BooleanField()
    rows_read = serializers.IntegerField()
    rows_valid = serializers.IntegerField()
    rows_imported = serializers.IntegerField()
    rows_already_present = serializers.IntegerField()
    invalid_rows = serializers.IntegerField()
    error_count = serializers.IntegerField()
    row_errors = RowErrorOut(many=True, source="errors")


class CaseImportView(ApiView):
    parser_classes = [MultiPartParser]

    @extend_schema(
        request={"multipart/form-data": ImportIn},
        responses={200: ImportOut, 201: ImportOut},
        operation_id="imports_create",
    )
    @idempotent
    def post(self, request: Request) -> Response:
        if scope_for(request.user, Perm.DATA_IMPORT).empty:
            raise NotFound(_("Not found."))
        data = _valid(ImportIn, request.data)
        office = (
            Office.objects.filter(code=data["office"].strip().upper())
            .select_related("country")
            .first()
        )
        if office is None or not scope_for(request.user, Perm.DATA_IMPORT).includes(office.pk):
            raise NotFound(_("Office not found."))
        upload = data["file"]
        if upload.size > MAX_UPLOAD:
            raise ValidationFailed(
                _("The file is larger than 200 MB: import it from the command line."), field="file"
            )
        directory = Path(settings.VAR_DIR) / "imports"
        directory.mkdir(parents=True, exist_ok=True, mode=0o700)
        path = directory / f"{secrets.token_hex(16)}.upload"
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            with os.fdopen(fd, "wb") as handle:
                for chunk in upload.chunks():
                    handle.write(chunk)
            result = cases_import(
                actor=request.user,
                path=path,
                format_key=data["format"],
                office=office,
                dry_run=data["dry_run"],
                skip_invalid=data["skip_invalid"],
                file_name=str(upload.name or "")[:200],
                source="api",
            )
        finally:
            path.unlink(missing_ok=True)
        result.errors = result.errors[:ERRORS_RETURNED]
        code = (
            status.HTTP_201_CREATED
            if result.committed and result.rows_imported
            else status.HTTP_200_OK
        )
        return Response(ImportOut(result).data, status=code)
