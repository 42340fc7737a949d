from __future__ import annotations

import datetime as dt

import pytest

from safepassage.assistance.services import assistance_record
from safepassage.audit.models import AuditEvent
from safepassage.cases.errors import ConsentMissing
from safepassage.cases.models import CaseStatus, ConsentScope, SharedData
from safepassage.cases.selectors import case_for_view
from safepassage.cases.services import consent_record, consent_withdraw
from safepassage.cases.tests.factories import TODAY, give_consent, make_case, screen
from safepassage.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from safepassage.transfers.models import TransferStatus
from safepassage.transfers.selectors import certain_links, transfer_for_view, transfers_incoming
from safepassage.transfers.services import (
    referral_make,
    transfer_accept,
    transfer_cancel,
    transfer_reject,
    transfer_request,
    transfers_expire,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def sent(world):
    """A case at office B (destination) screened and assisted, with consent to share with A."""
    b_cw = world.user("B", "caseworker")
    case = make_case(
        world.office_b, b_cw, given_names_original="Олександр", family_names_original="Коваленко"
    )
    give_consent(case, b_cw, ConsentScope.ASSISTANCE)
    screen(case, b_cw)
    assistance_record(
        actor=b_cw, case=case, service_type="medical", phase="protection", start_date=TODAY
    )
    return case


def test_transfer_is_refused_without_consent_to_share_with_that_office(world, sent) -> None:
    b_cw = world.user("B", "caseworker")
    with pytest.raises(ConsentMissing, match="UA-KYIV"):
        transfer_request(actor=b_cw, case=sent, to_office=world.office_a)
    # consent for another office does not count
    give_consent(sent, b_cw, ConsentScope.SHARING_OFFICE, office=world.hq)
    with pytest.raises(ConsentMissing):
        transfer_request(actor=b_cw, case=sent, to_office=world.office_a)
    assert not sent.transfers_out.exists()


def test_accepted_transfer_opens_a_linked_case_with_the_shared_data(world, sent) -> None:
    b_cw, a_cw = world.user("B", "caseworker"), world.user("A", "caseworker")
    give_consent(sent, b_cw, ConsentScope.SHARING_OFFICE, office=world.office_a)
    transfer = transfer_request(
        actor=b_cw, case=sent, to_office=world.office_a, message="Returning home next month"
    )
    assert transfers_incoming(viewer=a_cw).get() == transfer
    received = transfer_accept(actor=a_cw, transfer=transfer)
    # a new instance at the receiving office, carrying identity, screening and history
    assert received.office == world.office_a and received.pk != sent.pk
    assert received.person.family_names == "Kovalenko"
    assert received.person.given_names_original == "Олександр"
    assert received.status == CaseStatus.SCREENED
    assert received.screenings.get().exploitation_types == ["ForcedLabour"]
    transfer.refresh_from_db()
    assert transfer.status == TransferStatus.ACCEPTED
    assert transfer.summary["assistance"][0]["service_type"] == "medical"
    assert certain_links() == [(sent.person_id, received.person_id)]
    assert AuditEvent.objects.filter(event_type="transfer.accepted").count() == 2
    # each office sees its own instance only, and both see the shared summary
    with pytest.raises(NotFound):
        case_for_view(viewer=a_cw, case_id=sent.pk)
    with pytest.raises(NotFound):
        case_for_view(viewer=b_cw, case_id=received.pk)
    assert (
        transfer_for_view(viewer=a_cw, transfer_id=transfer.pk).summary["identity"]["family_names"]
        == "Kovalenko"
    )
    assert transfer_for_view(viewer=b_cw, transfer_id=transfer.pk).pk == transfer.pk
    with pytest.raises(NotFound):
        transfer_for_view(viewer=world.user("HQ", "researcher"), transfer_id=transfer.pk)


def test_only_what_consent_covers_travels(world, sent) -> None:
    b_cw, a_cw = world.user("B", "caseworker"), world.user("A", "caseworker")
    consent_record(
        actor=b_cw,
        case=sent,
        scope="sharing_office",
        given=True,
        form="written",
        date=TODAY,
        recipient_office=world.office_a,
        shared_data=[SharedData.SCREENING_SUMMARY],
    )
    with pytest.raises(ValidationFailed, match="does not cover"):
        transfer_request(
            actor=b_cw, case=sent, to_office=world.office_a, shared_data=[SharedData.IDENTITY]
        )
    transfer = transfer_request(actor=b_cw, case=sent, to_office=world.office_a)
    assert "identity" not in transfer.shared_data
    assert set(transfer.summary["identity"]) == {"sex", "citizenships"}
    assert "assistance" not in transfer.summary
    received = transfer_accept(actor=a_cw, transfer=transfer)
    assert received.person.family_names == ""


def test_withdrawn_consent_stops_acceptance(world, sent) -> None:
    b_cw = world.user("B", "caseworker")
    consent = give_consent(sent, b_cw, ConsentScope.SHARING_OFFICE, office=world.office_a)[0]
    transfer = transfer_request(actor=b_cw, case=sent, to_office=world.office_a)
    consent_withdraw(actor=b_cw, consent=consent)
    with pytest.raises(ConsentMissing):
        transfer_accept(actor=world.user("A", "caseworker"), transfer=transfer)


def test_who_may_accept_reject_cancel(world, sent) -> None:
    b_cw, a_cw = world.user("B", "caseworker"), world.user("A", "caseworker")
    give_consent(sent, b_cw, ConsentScope.SHARING_OFFICE, office=world.office_a)
    transfer = transfer_request(actor=b_cw, case=sent, to_office=world.office_a)
    with pytest.raises(NotFound):
        transfer_accept(actor=b_cw, transfer=transfer)  # the sender cannot accept for the receiver
    with pytest.raises(PermissionDenied):
        transfer_accept(actor=world.user("A", "data_manager"), transfer=transfer)
    with pytest.raises(ValidationFailed):
        transfer_reject(actor=a_cw, transfer=transfer, reason=" ")
    transfer_reject(actor=a_cw, transfer=transfer, reason="Person not in our area")
    with pytest.raises(Conflict):
        transfer_cancel(actor=b_cw, transfer=transfer)
    again = transfer_request(actor=b_cw, case=sent, to_office=world.office_a)
    with pytest.raises(Conflict):
        transfer_request(actor=b_cw, case=sent, to_office=world.office_a)
    transfer_cancel(actor=b_cw, transfer=again)
    again.refresh_from_db()
    assert again.status == TransferStatus.CANCELLED


def test_unanswered_transfers_expire(world, sent) -> None:
    b_cw = world.user("B", "caseworker")
    give_consent(sent, b_cw, ConsentScope.SHARING_OFFICE, office=world.office_a)
    transfer = transfer_request(actor=b_cw, case=sent, to_office=world.office_a)
    assert transfers_expire(now=transfer.expires_at - dt.timedelta(seconds=1)) == 0
    assert transfers_expire(now=transfer.expires_at) == 1
    transfer.refresh_from_db()
    assert transfer.status == TransferStatus.EXPIRED
    with pytest.raises(Conflict):
        transfer_accept(actor=world.user("A", "caseworker"), transfer=transfer)


def test_referral_needs_consent_naming_the_partner(world, sent) -> None:
    b_cw = world.user("B", "caseworker")
    with pytest.raises(ConsentMissing):
        referral_make(
            actor=b_cw,
            case=sent,
            organisation_type="NGO",
            organisation_name="Shelter North",
            purpose="shelter",
            date=TODAY,
        )
    consent_record(
        actor=b_cw,
        case=sent,
        scope="sharing_partner",
        given=True,
        form="written",
        date=TODAY,
        recipient_partner="Shelter North",
        shared_data=["identity"],
    )
    with pytest.raises(ConsentMissing):
        referral_make(
            actor=b_cw,
            case=sent,
            organisation_type="NGO",
            organisation_name="Other NGO",
            purpose="shelter",
            date=TODAY,
        )
    referral = referral_make(
        actor=b_cw,
        case=sent,
        organisation_type="NGO",
        organisation_name="shelter north",
        purpose="shelter",
        date=TODAY,
    )
    assert referral.shared_data == ["identity"]
    with pytest.raises(NotFound):
        referral_make(
            actor=world.user("A", "caseworker"),
            case=sent,
            organisation_type="NGO",
            organisation_name="Shelter North",
            purpose="x",
            date=TODAY,
        )


def test_an_expired_request_cannot_be_accepted_before_the_daily_run(world, sent) -> None:
    b_cw = world.user("B", "caseworker")
    give_consent(sent, b_cw, ConsentScope.SHARING_OFFICE, office=world.office_a)
    transfer = transfer_request(actor=b_cw, case=sent, to_office=world.office_a)
    type(transfer).objects.filter(pk=transfer.pk).update(expires_at=transfer.created_at)
    with pytest.raises(Conflict, match="expired"):
        transfer_accept(actor=world.user("A", "caseworker"), transfer=transfer)
    transfer.refresh_from_db()
    assert transfer.status == TransferStatus.REQUESTED
    assert transfer.received_case is None
    assert transfers_expire() == 1
