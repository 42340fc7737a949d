"""Erasure on request: recorded by a caseworker, decided by another supervisor of the office,
carried out at once on approval; every step audited; other offices and other roles see nothing."""

from __future__ import annotations

import datetime as dt

import pytest

from safepassage.audit.models import AccessEvent, AuditEvent
from safepassage.cases.models import Person
from safepassage.conftest import assert_same_not_found
from safepassage.core.errors import NotFound, PermissionDenied
from safepassage.retention.errors import CasesStillOpen, OwnRequest, RequestPending
from safepassage.retention.models import (
    Anonymisation,
    AnonymisationReason,
    ErasureRequest,
    ErasureStatus,
)
from safepassage.retention.services import (
    erasure_request_approve,
    erasure_request_record,
    erasure_request_reject,
)
from safepassage.retention.tests.factories import SECRETS, close_on, full_case
from safepassage.stats.selectors import StatsFilters, indicator_report

pytestmark = pytest.mark.django_db

RECEIVED = dt.date(2026, 10, 20)


@pytest.fixture
def case(world):
    made = full_case(world.office_a, world.user("A", "caseworker"), registered=dt.date(2026, 3, 4))
    return close_on(made, world.user("A", "supervisor"), dt.date(2026, 9, 1))


@pytest.fixture
def request_(world, case):
    return erasure_request_record(
        actor=world.user("A", "caseworker"),
        person=case.person,
        received_on=RECEIVED,
        basis="consent_withdrawn",
    )


def test_approval_erases_at_once_and_keeps_the_figures(world, case, request_):
    before = indicator_report(viewer=None, filters=StatsFilters(year=2026))
    decided = erasure_request_approve(actor=world.user("A", "supervisor"), request=request_)
    assert decided.status == ErasureStatus.APPROVED
    anonymisation = Anonymisation.objects.get(person_id=case.person_id)
    assert anonymisation.reason == AnonymisationReason.ERASURE
    assert anonymisation.erasure_request_id == request_.pk
    assert anonymisation.anonymised_by == world.user("A", "supervisor")
    person = Person.objects.get(pk=case.person_id)
    assert (person.given_names, person.phone) == ("", "")
    assert indicator_report(viewer=None, filters=StatsFilters(year=2026)) == before
    types = list(
        AuditEvent.objects.filter(office=world.office_a)
        .filter(event_type__startswith="erasure.")
        .values_list("event_type", flat=True)
        .order_by("seq")
    )
    assert types == ["erasure.requested", "erasure.approved"]
    event = AuditEvent.objects.get(event_type="person.anonymised")
    assert event.actor_id == world.user("A", "supervisor").pk
    assert event.metadata == {"reason": "erasure", "cases": 1}


def test_four_eyes_the_recorder_cannot_decide(world, case):
    supervisor = world.user("A", "supervisor")
    own = erasure_request_record(
        actor=supervisor, person=case.person, received_on=RECEIVED, basis="objection"
    )
    with pytest.raises(OwnRequest):
        erasure_request_approve(actor=supervisor, request=own)
    with pytest.raises(OwnRequest):
        erasure_request_reject(actor=supervisor, request=own, reason="other")
    assert not Anonymisation.objects.exists()


def test_open_cases_must_be_closed_first(world):
    worker = world.user("A", "caseworker")
    open_case = full_case(world.office_a, worker, registered=dt.date(2026, 3, 4))
    pending = erasure_request_record(
        actor=worker, person=open_case.person, received_on=RECEIVED, basis="safety"
    )
    with pytest.raises(CasesStillOpen):
        erasure_request_approve(actor=world.user("A", "supervisor"), request=pending)
    pending.refresh_from_db()
    assert pending.status == ErasureStatus.PENDING
    assert not Anonymisation.objects.exists()


def test_rejection_is_recorded_and_final(world, case, request_):
    supervisor = world.user("A", "supervisor")
    rejected = erasure_request_reject(actor=supervisor, request=request_, reason="legal_hold")
    assert rejected.status == ErasureStatus.REJECTED
    assert rejected.rejection_reason == "legal_hold"
    assert AuditEvent.objects.filter(event_type="erasure.rejected").count() == 1
    assert Person.objects.get(pk=case.person_id).given_names == SECRETS["given"]
    with pytest.raises(Exception, match="already been decided"):
        erasure_request_approve(actor=supervisor, request=request_)


def test_one_pending_request_per_person(world, case, request_):
    with pytest.raises(RequestPending):
        erasure_request_record(
            actor=world.user("A", "caseworker"),
            person=case.person,
            received_on=RECEIVED,
            basis="other",
        )


@pytest.mark.parametrize(
    ("office", "role"),
    [("B", "supervisor"), ("A", "data_manager"), ("A", "auditor"), ("A", "admin")],
)
def test_only_a_supervisor_of_the_office_decides(world, request_, office, role):
    with pytest.raises(PermissionDenied):
        erasure_request_approve(actor=world.user(office, role), request=request_)
    assert ErasureRequest.objects.get(pk=request_.pk).status == ErasureStatus.PENDING


@pytest.mark.parametrize("role", ["researcher", "auditor", "admin", "data_manager"])
def test_only_case_workers_record_requests(world, case, role):
    with pytest.raises(PermissionDenied):
        erasure_request_record(
            actor=world.user("A", role), person=case.person, received_on=RECEIVED, basis="other"
        )


# --- pages ------------------------------------------------------------------------------------


def test_caseworker_records_and_supervisor_approves_on_the_pages(world, case, login):
    worker = login(world.user("A", "caseworker"))
    page = worker.get(f"/retention/persons/{case.person_id}/erasure/")
    assert page.status_code == 200
    response = worker.post(
        f"/retention/persons/{case.person_id}/erasure/",
        {"received_on": "2026-10-20", "basis": "no_longer_needed"},
    )
    created = ErasureRequest.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/retention/erasure/{created.pk}/"
    supervisor = login(world.user("A", "supervisor"))
    listing = supervisor.get("/retention/erasure/").content.decode()
    assert f"/retention/erasure/{created.pk}/" in listing
    assert "Erasure requests awaiting your approval" in listing
    # The caseworker sees it but has no approve button.
    assert (
        "Approve and erase" not in worker.get(f"/retention/erasure/{created.pk}/").content.decode()
    )
    assert (
        "Approve and erase" in supervisor.get(f"/retention/erasure/{created.pk}/").content.decode()
    )
    assert supervisor.post(f"/retention/erasure/{created.pk}/approve/").status_code == 302
    assert Anonymisation.objects.filter(person_id=case.person_id).exists()


def test_other_offices_and_roles_get_not_found(world, request_, case, login):
    for persona in (
        ("B", "caseworker"),
        ("B", "supervisor"),
        ("A", "researcher"),
        ("A", "auditor"),
        ("A", "admin"),
    ):
        client = login(world.user(*persona))
        for method, url, missing in (
            ("get", f"/retention/erasure/{request_.pk}/", "/retention/erasure/999999/"),
            (
                "post",
                f"/retention/erasure/{request_.pk}/approve/",
                "/retention/erasure/999999/approve/",
            ),
            (
                "post",
                f"/retention/erasure/{request_.pk}/reject/",
                "/retention/erasure/999999/reject/",
            ),
            (
                "get",
                f"/retention/persons/{case.person_id}/erasure/",
                "/retention/persons/999999/erasure/",
            ),
        ):
            send = getattr(client, method)
            assert_same_not_found(send(url), send(missing))
    for persona in (("A", "researcher"), ("A", "auditor"), ("A", "admin")):
        assert login(world.user(*persona)).get("/retention/erasure/").status_code == 404
    assert ErasureRequest.objects.get(pk=request_.pk).status == ErasureStatus.PENDING


def test_the_request_list_is_scoped_to_the_office(world, request_, login):
    text = login(world.user("B", "supervisor")).get("/retention/erasure/").content.decode()
    assert f"/retention/erasure/{request_.pk}/" not in text


def test_missing_and_foreign_requests_answer_alike(world, request_):
    from safepassage.access.policy import access_erasure_request

    with pytest.raises(NotFound) as foreign:
        access_erasure_request(world.user("B", "supervisor"), request_.pk)
    with pytest.raises(NotFound) as missing:
        access_erasure_request(world.user("B", "supervisor"), request_.pk + 100)
    assert str(foreign.value) == str(missing.value)


def test_a_caseworker_cannot_approve_on_the_page(world, request_, login):
    response = login(world.user("A", "caseworker")).post(
        f"/retention/erasure/{request_.pk}/approve/"
    )
    assert response.status_code == 403
    assert ErasureRequest.objects.get(pk=request_.pk).status == ErasureStatus.PENDING


def test_the_list_costs_the_same_queries_for_more_requests(world, request_, login):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = login(world.user("A", "supervisor"))
    client.get("/retention/erasure/")  # warm the session
    with CaptureQueriesContext(connection) as one:
        client.get("/retention/erasure/")
    worker = world.user("A", "caseworker")
    for given in ("Anna", "Bohdana"):
        other = full_case(world.office_a, worker, registered=dt.date(2026, 3, 4), given=given)
        erasure_request_record(
            actor=worker, person=other.person, received_on=RECEIVED, basis="other"
        )
    with CaptureQueriesContext(connection) as three:
        text = client.get("/retention/erasure/").content.decode()
    assert text.count("/retention/erasure/") >= 6
    assert len(three) == len(one)


def test_pages_naming_the_person_record_the_viewing(world, case, request_, login):
    # given a supervisor of the office
    viewer = world.user("A", "supervisor")
    client = login(viewer)
    # when they open the request and the request form for the person
    assert client.get(f"/retention/erasure/{request_.pk}/").status_code == 200
    assert client.get(f"/retention/persons/{case.person_id}/erasure/").status_code == 200
    # then each viewing of the person is in the access log, at the person's office
    views = AccessEvent.objects.filter(
        actor=viewer,
        action=AccessEvent.Action.VIEW,
        target_type="cases.person",
        target_id=str(case.person_id),
    )
    assert views.count() == 2
    assert {event.office_id for event in views} == {world.office_a.pk}
