"""REST operations on transfers between offices and referrals."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from safepassage.access.permissions import Perm
from safepassage.access.policy import access_case, scope_for
from safepassage.api.fields import OfficeCodeField, choice_field, multi_choice
from safepassage.api.fields import validated as _valid
from safepassage.api.idempotency import idempotent
from safepassage.api.views import ApiView
from safepassage.cases.api import CaseSummaryOut
from safepassage.cases.models import SharedData
from safepassage.core.errors import NotFound
from safepassage.reference.codes import OrganisationType
from safepassage.transfers import services
from safepassage.transfers.models import TransferStatus
from safepassage.transfers.selectors import (
    access_transfer,
    transfer_for_view,
    transfers_incoming,
    transfers_outgoing,
)


class TransferOut(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    status = serializers.CharField()
    from_office = serializers.CharField(source="from_office.code")
    to_office = serializers.CharField(source="to_office.code")
    shared_data = serializers.ListField(child=serializers.CharField())
    expires_at = serializers.DateTimeField()
    decided_at = serializers.DateTimeField(allow_null=True)


class TransferDetailOut(TransferOut):
    summary = serializers.DictField()
    message = serializers.CharField()


class TransferListOut(serializers.Serializer[Any]):
    incoming = TransferOut(many=True)
    outgoing = TransferOut(many=True)


class TransferListQuery(serializers.Serializer[Any]):
    status = serializers.ChoiceField(
        choices=[("", "all"), *TransferStatus.choices],
        required=False,
        default=TransferStatus.REQUESTED,
    )


class TransferRequestIn(serializers.Serializer[Any]):
    to_office = OfficeCodeField()
    message = serializers.CharField(required=False, allow_blank=True, default="", max_length=5000)
    shared_data = multi_choice(SharedData, allow_null=True, default=None)


class RejectIn(serializers.Serializer[Any]):
    reason = serializers.CharField(max_length=5000)


class ReferralIn(serializers.Serializer[Any]):
    organisation_type = choice_field(OrganisationType)
    organisation_name = serializers.CharField(max_length=200)
    purpose = serializers.CharField(max_length=200)
    date = serializers.DateField()


class ReferralOut(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    organisation_type = serializers.CharField()
    organisation_name = serializers.CharField()
    purpose = serializers.CharField()
    shared_data = serializers.ListField(child=serializers.CharField())
    date = serializers.DateField()


class TransferListView(ApiView):
    @extend_schema(
        parameters=[TransferListQuery], responses=TransferListOut, operation_id="transfers_list"
    )
    def get(self, request: Request) -> Response:
        if scope_for(request.user, Perm.CASE_VIEW).empty:
            raise NotFound(_("Not found."))
        wanted = _valid(TransferListQuery, request.query_params)["status"]
        return Response(
            TransferListOut(
                {
                    "incoming": transfers_incoming(viewer=request.user, status=wanted)[:500],
                    "outgoing": transfers_outgoing(viewer=request.user, status=wanted)[:500],
                }
            ).data
        )


class TransferRequestView(ApiView):
    @extend_schema(
        request=TransferRequestIn,
        responses={201: TransferOut},
        operation_id="cases_transfers_create",
    )
    @idempotent
    def post(self, request: Request, case_id: int) -> Response:
        case = access_case(request.user, case_id)
        data = _valid(TransferRequestIn, request.data)
        transfer = services.transfer_request(actor=request.user, case=case, **data)
        return Response(TransferOut(transfer).data, status=status.HTTP_201_CREATED)


class TransferDetailView(ApiView):
    @extend_schema(responses=TransferDetailOut, operation_id="transfers_retrieve")
    def get(self, request: Request, transfer_id: int) -> Response:
        return Response(
            TransferDetailOut(transfer_for_view(viewer=request.user, transfer_id=transfer_id)).data
        )


class TransferAcceptView(ApiView):
    @extend_schema(request=None, responses={201: CaseSummaryOut}, operation_id="transfers_accept")
    @idempotent
    def post(self, request: Request, transfer_id: int) -> Response:
        received = services.transfer_accept(
            actor=request.user, transfer=access_transfer(request.user, transfer_id)
        )
        return Response(CaseSummaryOut(received).data, status=status.HTTP_201_CREATED)


class TransferRejectView(ApiView):
    @extend_schema(request=RejectIn, responses=TransferOut, operation_id="transfers_reject")
    @idempotent
    def post(self, request: Request, transfer_id: int) -> Response:
        transfer = access_transfer(request.user, transfer_id)
        transfer = services.transfer_reject(
            actor=request.user, transfer=transfer, **_valid(RejectIn, request.data)
        )
        return Response(TransferOut(transfer).data)


class TransferCancelView(ApiView):
    @extend_schema(request=None, responses=TransferOut, operation_id="transfers_cancel")
    @idempotent
    def post(self, request: Request, transfer_id: int) -> Response:
        transfer = services.transfer_cancel(
            actor=request.user, transfer=access_transfer(request.user, transfer_id)
        )
        return Response(TransferOut(transfer).data)


class ReferralCreateView(ApiView):
    @extend_schema(
        request=ReferralIn, responses={201: ReferralOut}, operation_id="cases_referrals_create"
    )
    @idempotent
    def post(self, request: Request, case_id: int) -> Response:
        case = access_case(request.user, case_id)
        referral = services.referral_make(
            actor=request.user, case=case, **_valid(ReferralIn, request.data)
        )
        return Response(ReferralOut(referral).data, status=status.HTTP_201_CREATED)
