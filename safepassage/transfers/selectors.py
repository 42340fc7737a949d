from __future__ import annotations

from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils.translation import gettext as _

from safepassage.access.permissions import Perm
from safepassage.access.policy import scope_for
from safepassage.audit.models import AccessEvent
from safepassage.audit.services import access_record
from safepassage.cases.models import Case
from safepassage.core.errors import NotFound
from safepassage.transfers.models import Referral, Transfer, TransferStatus


def access_transfer(viewer: Any, transfer_id: int) -> Transfer:
    """A transfer is visible to the offices at both ends (case.view at either); to anyone
    else it does not exist."""
    scope = scope_for(viewer, Perm.CASE_VIEW)
    try:
        transfer = Transfer.objects.select_related(
            "from_office", "to_office", "case", "received_case", "requested_by"
        ).get(pk=transfer_id)
    except (Transfer.DoesNotExist, ValueError, TypeError):
        raise NotFound(_("Transfer not found.")) from None
    if not (scope.includes(transfer.from_office_id) or scope.includes(transfer.to_office_id)):
        raise NotFound(_("Transfer not found."))
    return transfer


def transfer_for_view(*, viewer: Any, transfer_id: int) -> Transfer:
    """The transfer with its shared summary (personal data): the viewing is access-logged."""
    transfer = access_transfer(viewer, transfer_id)
    scope = scope_for(viewer, Perm.CASE_VIEW)
    office = transfer.to_office if scope.includes(transfer.to_office_id) else transfer.from_office
    access_record(actor=viewer, office=office, action=AccessEvent.Action.VIEW, target=transfer)
    return transfer


def transfers_incoming(
    *, viewer: Any, status: str = TransferStatus.REQUESTED
) -> QuerySet[Transfer]:
    scope = scope_for(viewer, Perm.CASE_VIEW)
    queryset = scope.filter(
        Transfer.objects.select_related("from_office", "to_office", "case"), "to_office"
    )
    return queryset.filter(status=status) if status else queryset


def transfers_outgoing(
    *, viewer: Any, status: str = TransferStatus.REQUESTED
) -> QuerySet[Transfer]:
    scope = scope_for(viewer, Perm.CASE_VIEW)
    queryset = scope.filter(
        Transfer.objects.select_related("from_office", "to_office", "case"), "from_office"
    )
    return queryset.filter(status=status) if status else queryset


def transfers_of_case(case: Case) -> QuerySet[Transfer]:
    """Transfers out of and into a case (the caller has authorised access to the case)."""
    return (
        Transfer.objects.filter(case=case) | Transfer.objects.filter(received_case=case)
    ).select_related("from_office", "to_office")


def referrals_of_case(case: Case) -> QuerySet[Referral]:
    return Referral.objects.filter(case=case)


def certain_links() -> list[tuple[int, int]]:
    """Person pairs of accepted transfers: certainly the same individual (record linkage
    treats them as must-links)."""
    return [
        (int(a), int(b))
        for a, b in Transfer.objects.filter(
            status=TransferStatus.ACCEPTED, received_case__isnull=False
        ).values_list("case__person_id", "received_case__person_id")
    ]


def case_transfer_section(case: Case) -> dict[str, Any]:
    """What the case page shows about transfers and referrals: whether the case has either,
    in one query (most cases have neither), then each one it has."""
    transfers, referrals = (
        Case.objects.filter(pk=case.pk)
        .annotate(
            any_transfers=Exists(
                Transfer.objects.filter(Q(case=OuterRef("pk")) | Q(received_case=OuterRef("pk")))
            ),
            any_referrals=Exists(Referral.objects.filter(case=OuterRef("pk"))),
        )
        .values_list("any_transfers", "any_referrals")
        .first()
    ) or (False, False)
    return {
        "transfers": (
            list(transfers_of_case(case).order_by("-created_at", "-pk")) if transfers else []
        ),
        "referral_count": referrals_of_case(case).count() if referrals else 0,
    }
