"""The report figures over the API (the same engine as the dashboard and `safepassage report`)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from safepassage.api.fields import validated as _valid
from safepassage.api.views import ApiView
from safepassage.cases.models import BeneficiaryCategory
from safepassage.core.errors import NotFound
from safepassage.offices.models import Office
from safepassage.reference.regions import Region
from safepassage.stats.selectors import StatsFilters, indicator_report


class ReportQuery(serializers.Serializer[Any]):
    year = serializers.IntegerField(min_value=1990, max_value=2100)
    region = serializers.ChoiceField(choices=Region.choices, required=False)
    office = serializers.CharField(
        required=False, max_length=32, help_text="office code, e.g. UA-KYIV"
    )
    category = serializers.ChoiceField(choices=BeneficiaryCategory.choices, required=False)


class ReportView(ApiView):
    @extend_schema(
        parameters=[ReportQuery], responses=OpenApiTypes.OBJECT, operation_id="reports_retrieve"
    )
    def get(self, request: Request) -> Response:
        query = _valid(ReportQuery, request.query_params)
        office = None
        if query.get("office"):
            # A code outside the viewer's scope and an unknown code answer alike.
            office = Office.objects.filter(code=query["office"].strip().upper()).first()
            if office is None:
                raise NotFound(_("Office not found."))
        filters = StatsFilters(
            year=query["year"],
            region=query.get("region", ""),
            office=office.pk if office is not None else None,
            category=query.get("category", ""),
        )
        return Response(indicator_report(viewer=request.user, filters=filters))
