"""Transfer and referral pages: only the two offices at the ends of a transfer see it, each
keeps its own case, and consent gates every request."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from safepassage.assistance.services import assistance_record
from safepassage.audit.models import AccessEvent, AuditEvent
from safepassage.cases.models import Case, ConsentScope
from safepassage.cases.tests.factories import TODAY, give_consent, make_case, screen
from safepassage.conftest import World, assert_same_not_found
from safepassage.transfers.models import Transfer, TransferStatus
from safepassage.transfers.services import transfer_accept, transfer_request

pytestmark = pytest.mark.django_db

MISSING = 999_999

TRANSFER_URLS: list[tuple[str, str]] = [
    ("transfers:transfer_detail", "get"),
    ("transfers:transfer_accept", "post"),
    ("transfers:transfer_reject", "post"),
    ("transfers:transfer_cancel", "post"),
]
CASE_URLS: list[tuple[str, str]] = [
    ("transfers:transfer_request", "get"),
    ("transfers:transfer_request", "post"),
    ("transfers:referrals", "get"),
    ("transfers:referrals", "post"),
]


def sent_case(world: World) -> Case:
    """A case at office B (destination), screened and assisted, with consent to share with A."""
    b_cw = world.user("B", "caseworker")
    case = make_case(world.office_b, b_cw)
    give_consent(case, b_cw, ConsentScope.ASSISTANCE)
    screen(case, b_cw)
    assistance_record(
        actor=b_cw, case=case, service_type="medical", phase="protection", start_date=TODAY
    )
    give_consent(case, b_cw, ConsentScope.SHARING_OFFICE, office=world.office_a)
    case.refresh_from_db()
    return case


@pytest.fixture
def transfer(world: World) -> Transfer:
    case = sent_case(world)
    return transfer_request(
        actor=world.user("B", "caseworker"), case=case, to_office=world.office_a, message="Hi"
    )


def post_data() -> dict[str, Any]:
    return {
        "reason": "x",
        "to_office": "1",
        "organisation_type": "NGO",
        "organisation_name": "Partner NGO",
        "purpose": "x",
        "date": TODAY.isoformat(),
    }


# --- not found, not forbidden ----------------------------------------------------------------


@pytest.mark.parametrize("route", TRANSFER_URLS, ids=lambda r: f"{r[1]} {r[0]}")
@pytest.mark.parametrize("who", [("HQ", "researcher"), ("A", "auditor"), ("A", "admin")])
def test_transfer_urls_answer_not_found_outside_the_two_offices(
    world: World, login: Any, transfer: Transfer, route: tuple[str, str], who: tuple[str, str]
) -> None:
    name, method = route
    client = login(world.user(*who))
    foreign = getattr(client, method)(reverse(name, args=[transfer.pk]), post_data())
    missing = getattr(client, method)(reverse(name, args=[MISSING]), post_data())
    assert_same_not_found(foreign, missing)
    transfer.refresh_from_db()
    assert transfer.status == TransferStatus.REQUESTED
    assert not AccessEvent.objects.filter(target_type="transfers.transfer").exists()


@pytest.mark.parametrize("route", TRANSFER_URLS, ids=lambda r: f"{r[1]} {r[0]}")
def test_an_unrelated_office_gets_the_same_not_found(
    world: World, login: Any, route: tuple[str, str]
) -> None:
    # given a transfer from B to headquarters' scope-less third office... made between A and B,
    # and a caseworker of a third country office
    from safepassage.conftest import make_user
    from safepassage.offices.models import Office
    from safepassage.reference.models import Country

    third = Office.objects.create(
        code="MD-KIV", name="Chisinau", country=Country.objects.get(iso3="MDA")
    )
    outsider = make_user("c_caseworker", third, "caseworker")
    case = sent_case(world)
    transfer = transfer_request(
        actor=world.user("B", "caseworker"), case=case, to_office=world.office_a
    )
    name, method = route
    client = login(outsider)
    foreign = getattr(client, method)(reverse(name, args=[transfer.pk]), post_data())
    missing = getattr(client, method)(reverse(name, args=[MISSING]), post_data())
    assert_same_not_found(foreign, missing)


@pytest.mark.parametrize("route", CASE_URLS, ids=lambda r: f"{r[1]} {r[0]}")
@pytest.mark.parametrize(
    "who", [("A", "caseworker"), ("B", "researcher"), ("B", "auditor"), ("B", "admin")]
)
def test_case_urls_answer_not_found_for_another_office_and_roles_without_case_access(
    world: World, login: Any, route: tuple[str, str], who: tuple[str, str]
) -> None:
    case = sent_case(world)
    name, method = route
    client = login(world.user(*who))
    foreign = getattr(client, method)(reverse(name, args=[case.pk]), post_data())
    missing = getattr(client, method)(reverse(name, args=[MISSING]), post_data())
    assert_same_not_found(foreign, missing)
    assert not Transfer.objects.exists()


@pytest.mark.parametrize("role", ["researcher", "auditor", "admin"])
def test_the_inbox_is_not_found_for_roles_without_case_access(
    world: World, login: Any, role: str
) -> None:
    assert login(world.user("A", role)).get(reverse("transfers:inbox")).status_code == 404


# --- requesting ------------------------------------------------------------------------------


def test_a_request_without_consent_shows_the_clear_message(world: World, login: Any) -> None:
    b_cw = world.user("B", "caseworker")
    case = make_case(world.office_b, b_cw)
    response = login(b_cw).post(
        reverse("transfers:transfer_request", args=[case.pk]),
        {"to_office": world.office_a.pk, "message": "x"},
    )
    page = response.content.decode()
    assert response.status_code == 400
    assert "Consent is missing: Sharing with a named office (UA-KYIV)." in page
    assert not Transfer.objects.exists()


def test_requesting_a_transfer_limits_the_shared_data_to_the_consent(
    world: World, login: Any
) -> None:
    b_cw = world.user("B", "caseworker")
    case = sent_case(world)
    client = login(b_cw)
    form = client.get(reverse("transfers:transfer_request", args=[case.pk])).content.decode()
    assert "UA-KYIV" in form and f'value="{world.office_b.pk}"' not in form
    response = client.post(
        reverse("transfers:transfer_request", args=[case.pk]),
        {"to_office": world.office_a.pk, "shared_data": ["screening_summary"], "message": "Soon"},
    )
    transfer = Transfer.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("transfers:transfer_detail", args=[transfer.pk])
    assert transfer.shared_data == ["screening_summary"]
    assert "identity" not in transfer.summary["shared_data"]
    event = AuditEvent.objects.get(event_type="transfer.requested")
    assert event.office == world.office_b and event.actor == b_cw


# --- the transfer page and the decisions -----------------------------------------------------


def test_both_offices_see_the_shared_summary_and_only_the_receiver_decides(
    world: World, login: Any, transfer: Transfer
) -> None:
    url = reverse("transfers:transfer_detail", args=[transfer.pk])
    receiver = login(world.user("A", "caseworker")).get(url).content.decode()
    sender = login(world.user("B", "caseworker")).get(url).content.decode()
    for page in (receiver, sender):
        assert "Oleksandr Kovalenko" in page
        assert "Forced labour" in page
        assert "Shared by the sending office" in page
    assert "Accept the transfer" in receiver and "Cancel the request" not in receiver
    assert "Accept the transfer" not in sender and "Cancel the request" in sender
    # the sending office's case is linked for the sender only
    case_url = reverse("cases:case_detail", args=[transfer.case_id])
    assert case_url in sender and case_url not in receiver
    assert (
        AccessEvent.objects.filter(
            target_type="transfers.transfer", target_id=str(transfer.pk)
        ).count()
        == 2
    )


def test_accepting_opens_a_case_each_office_keeps_its_own(
    world: World, login: Any, transfer: Transfer
) -> None:
    a_cw, b_cw = world.user("A", "caseworker"), world.user("B", "caseworker")
    a_client, b_client = login(a_cw), login(b_cw)
    response = a_client.post(reverse("transfers:transfer_accept", args=[transfer.pk]))
    transfer.refresh_from_db()
    received = transfer.received_case
    assert transfer.status == TransferStatus.ACCEPTED and received is not None
    assert response["Location"] == reverse("cases:case_detail", args=[received.pk])
    assert received.office == world.office_a
    # each office opens its own case and not the other's
    assert a_client.get(reverse("cases:case_detail", args=[received.pk])).status_code == 200
    assert b_client.get(reverse("cases:case_detail", args=[transfer.case_id])).status_code == 200
    assert_same_not_found(
        a_client.get(reverse("cases:case_detail", args=[transfer.case_id])),
        a_client.get(reverse("cases:case_detail", args=[MISSING])),
    )
    assert_same_not_found(
        b_client.get(reverse("cases:case_detail", args=[received.pk])),
        b_client.get(reverse("cases:case_detail", args=[MISSING])),
    )
    # both still see the transfer's shared summary; the new case's link is the receiver's
    url = reverse("transfers:transfer_detail", args=[transfer.pk])
    received_url = reverse("cases:case_detail", args=[received.pk])
    a_page, b_page = a_client.get(url).content.decode(), b_client.get(url).content.decode()
    assert "Oleksandr Kovalenko" in a_page and "Oleksandr Kovalenko" in b_page
    assert received_url in a_page and received_url not in b_page
    assert set(
        AuditEvent.objects.filter(event_type="transfer.accepted").values_list(
            "office__code", flat=True
        )
    ) == {"UA-KYIV", "TH-BKK"}
    # the case pages list the transfer
    assert url in a_client.get(received_url).content.decode()


def test_rejecting_needs_a_reason(world: World, login: Any, transfer: Transfer) -> None:
    client = login(world.user("A", "caseworker"))
    url = reverse("transfers:transfer_reject", args=[transfer.pk])
    response = client.post(url, {"reason": ""})
    assert response.status_code == 400
    assert "This field is required." in response.content.decode()
    response = client.post(url, {"reason": "No capacity this month"})
    transfer.refresh_from_db()
    assert response.status_code == 302 and transfer.status == TransferStatus.REJECTED
    assert AuditEvent.objects.get(event_type="transfer.rejected").office == world.office_a
    sender = login(world.user("B", "caseworker")).get(
        reverse("transfers:transfer_detail", args=[transfer.pk])
    )
    assert "No capacity this month" in sender.content.decode()


def test_the_sender_cancels_but_cannot_accept(world: World, login: Any, transfer: Transfer) -> None:
    client = login(world.user("B", "caseworker"))
    assert client.post(reverse("transfers:transfer_accept", args=[transfer.pk])).status_code == 404
    response = client.post(reverse("transfers:transfer_cancel", args=[transfer.pk]))
    transfer.refresh_from_db()
    assert response.status_code == 302 and transfer.status == TransferStatus.CANCELLED
    assert AuditEvent.objects.get(event_type="transfer.cancelled").actor == world.user(
        "B", "caseworker"
    )
    # a decided transfer cannot change again
    again = client.post(reverse("transfers:transfer_cancel", args=[transfer.pk]))
    assert again.status_code == 409


def test_the_inbox_lists_incoming_and_outgoing_of_the_viewers_office(
    world: World, login: Any, transfer: Transfer, django_assert_max_num_queries: Any
) -> None:
    url = reverse("transfers:transfer_detail", args=[transfer.pk])
    client = login(world.user("A", "caseworker"))
    with django_assert_max_num_queries(14):
        a_page = client.get(reverse("transfers:inbox")).content.decode()
    b_page = login(world.user("B", "caseworker")).get(reverse("transfers:inbox")).content.decode()
    assert url in a_page.split('id="outgoing"')[0]
    assert url in b_page.split('id="outgoing"')[1]
    hq = login(world.user("HQ", "caseworker")).get(reverse("transfers:inbox")).content.decode()
    assert url in hq  # headquarters covers every office
    third = login(world.user("HQ", "data_manager")).get(reverse("transfers:inbox"))
    assert third.status_code == 200


# --- referrals -------------------------------------------------------------------------------


def test_a_referral_needs_consent_naming_the_partner(world: World, login: Any) -> None:
    b_cw = world.user("B", "caseworker")
    case = sent_case(world)
    client = login(b_cw)
    url = reverse("transfers:referrals", args=[case.pk])
    data = post_data() | {"organisation_name": "Partner NGO", "purpose": "Shelter"}
    response = client.post(url, data)
    assert response.status_code == 400
    assert (
        "Consent is missing: Sharing with a named partner (Partner NGO)."
        in response.content.decode()
    )
    give_consent(case, b_cw, ConsentScope.SHARING_PARTNER)
    response = client.post(url, data)
    assert response.status_code == 302
    page = client.get(url).content.decode()
    assert "Partner NGO" in page and "Shelter" in page
    assert AuditEvent.objects.get(event_type="referral.made").office == world.office_b


def test_the_case_page_shows_transfers_and_referrals(
    world: World, login: Any, transfer: Transfer
) -> None:
    page = (
        login(world.user("B", "caseworker"))
        .get(reverse("cases:case_detail", args=[transfer.case_id]))
        .content.decode()
    )
    assert "Transfers and referrals" in page
    assert reverse("transfers:transfer_detail", args=[transfer.pk]) in page
    assert reverse("transfers:transfer_request", args=[transfer.case_id]) in page
    accepted = transfer_accept(actor=world.user("A", "caseworker"), transfer=transfer)
    received = (
        login(world.user("A", "caseworker"))
        .get(reverse("cases:case_detail", args=[accepted.pk]))
        .content.decode()
    )
    assert "received from TH-BKK" in received


def test_the_sending_office_cannot_reject_its_own_request(
    world: World, login: Any, transfer: Transfer
) -> None:
    """Given a request from B to A, when B's caseworker posts a rejection with a reason, then the
    answer is the not-found page of a missing transfer, as in the API, and nothing changes."""
    client = login(world.user("B", "caseworker"))
    own = client.post(
        reverse("transfers:transfer_reject", args=[transfer.pk]), {"reason": "Changed our mind"}
    )
    missing = client.post(
        reverse("transfers:transfer_reject", args=[999_999]), {"reason": "Changed our mind"}
    )
    assert_same_not_found(own, missing)
    transfer.refresh_from_db()
    assert transfer.status == TransferStatus.REQUESTED
    assert not AuditEvent.objects.filter(event_type="transfer.rejected").exists()
