"""Field collection over the API: the XLSForm, and submission exports into draft screenings."""

from __future__ import annotations

from typing import Any

from django.http import HttpResponse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from safepassage.access.permissions import Perm
from safepassage.access.policy import has_perm_somewhere
from safepassage.api.idempotency import idempotent
from safepassage.api.views import ApiView
from safepassage.core.errors import NotFound, ValidationFailed
from safepassage.screening.xlsform import FORM_ID, submissions_import, xlsform_bytes


class SubmissionOutcomeOut(serializers.Serializer[Any]):
    row = serializers.IntegerField()
    case_reference = serializers.CharField()
    screening_id = serializers.IntegerField(allow_null=True)
    problems = serializers.DictField(
        source="errors", child=serializers.ListField(child=serializers.CharField())
    )


class SubmissionsIn(serializers.Serializer[Any]):
    submissions = serializers.ListField(child=serializers.DictField(), max_length=1000)


def _require_case_work(request: Request) -> None:
    if not has_perm_somewhere(request.user, Perm.CASE_WORK):
        raise NotFound(_("Not found."))


class XlsFormView(ApiView):
    @extend_schema(
        responses={
            (
                200,
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            ): OpenApiTypes.BINARY
        },
        operation_id="screening_xlsform",
    )
    def get(self, request: Request) -> HttpResponse:
        _require_case_work(request)
        response = HttpResponse(
            xlsform_bytes(),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        response["Content-Disposition"] = f'attachment; filename="{FORM_ID}.xlsx"'
        return response


class SubmissionsImportView(ApiView):
    @extend_schema(
        request=SubmissionsIn,
        responses=SubmissionOutcomeOut(many=True),
        operation_id="screening_submissions_import",
    )
    @idempotent
    def post(self, request: Request) -> Response:
        _require_case_work(request)
        serializer = SubmissionsIn(data=request.data)
        if not serializer.is_valid():
            raise ValidationFailed(
                _('Send {"submissions": [...]} as exported by ODK Central or KoboToolbox.'),
                errors={"submissions": ["a list of objects"]},
            )
        outcomes = submissions_import(
            actor=request.user, submissions=serializer.validated_data["submissions"]
        )
        return Response(SubmissionOutcomeOut(outcomes, many=True).data)
