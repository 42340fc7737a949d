"""The duplicate review pages: who may open them, office scoping with the same not-found,
the side-by-side view with its access event, and decide / undo through the web."""

from __future__ import annotations

import pytest

from safepassage.audit.models import AccessEvent, AuditEvent
from safepassage.cases.models import Case
from safepassage.cases.tests.factories import make_case
from safepassage.conftest import assert_same_not_found
from safepassage.linkage.models import CandidatePair, PairBand, PairStatus, PersonCluster

pytestmark = pytest.mark.django_db


def _pair(case_a: Case, case_b: Case, probability: float = 0.8) -> CandidatePair:
    for case in (case_a, case_b):
        PersonCluster.objects.create(person_id=case.person_id, individual_id=case.person_id)
    low, high = sorted((case_a.person_id, case_b.person_id))
    return CandidatePair.objects.create(
        person_a_id=low, person_b_id=high, probability=probability, band=PairBand.REVIEW
    )


@pytest.fixture
def pair_a(world):
    """A review pair of two office A persons, one registered with its Cyrillic name."""
    cw = world.user("A", "caseworker")
    first = make_case(
        world.office_a, cw, given_names_original="Олександр", family_names_original="Коваленко"
    )
    second = make_case(world.office_a, cw, given="Oleksandr", family="Kowalenko")
    return _pair(first, second)


@pytest.fixture
def pair_b(world):
    cw = world.user("B", "caseworker")
    return _pair(
        make_case(world.office_b, cw, given="Somchai", family="Saetang", citizenship="THA"),
        make_case(world.office_b, cw, given="Somchai", family="Saetang", citizenship="THA"),
    )


def test_roles_without_review_get_not_found(world, login, pair_a):
    for office, role in (("A", "researcher"), ("A", "caseworker"), ("HQ", "researcher")):
        client = login(world.user(office, role))
        assert client.get("/linkage/review/").status_code == 404
        assert client.get(f"/linkage/review/{pair_a.pk}/").status_code == 404
        assert (
            client.post(f"/linkage/review/{pair_a.pk}/decide/", {"decision": "accept"}).status_code
            == 404
        )
    assert not AccessEvent.objects.filter(target_type="linkage.candidatepair").exists()


def test_queue_is_scoped_to_the_reviewers_offices(world, login, pair_a, pair_b):
    # Office A's data manager sees office A's pair only; headquarters sees both
    page = login(world.user("A", "data_manager")).get("/linkage/review/")
    assert page.status_code == 200
    assert f"/linkage/review/{pair_a.pk}/" in page.text
    assert f"/linkage/review/{pair_b.pk}/" not in page.text
    # the queue shows no personal data, so it records no access event
    assert "Kovalenko" not in page.text
    hq = login(world.user("HQ", "data_manager")).get("/linkage/review/")
    assert f"/linkage/review/{pair_a.pk}/" in hq.text and f"/linkage/review/{pair_b.pk}/" in hq.text


def test_other_offices_pair_answers_like_a_missing_one(world, login, pair_a):
    client = login(world.user("B", "data_manager"))
    foreign = client.get(f"/linkage/review/{pair_a.pk}/")
    missing = client.get("/linkage/review/999999/")
    assert_same_not_found(foreign, missing)
    assert_same_not_found(
        client.post(f"/linkage/review/{pair_a.pk}/decide/", {"decision": "reject"}),
        client.post("/linkage/review/999999/decide/", {"decision": "reject"}),
    )
    pair_a.refresh_from_db()
    assert pair_a.status == PairStatus.PENDING


def test_pair_side_by_side_is_access_logged(world, login, pair_a):
    dm = world.user("A", "data_manager")
    page = login(dm).get(f"/linkage/review/{pair_a.pk}/")
    assert page.status_code == 200
    for shown in ("Kovalenko", "Kowalenko", "Олександр", "Коваленко", "1990-05-17", "UKR"):
        assert shown in page.text
    assert "UA-KYIV-2026-00001" in page.text and "UA-KYIV-2026-00002" in page.text
    event = AccessEvent.objects.get(target_type="linkage.candidatepair")
    assert (event.actor, event.action, event.target_id) == (dm, "view", str(pair_a.pk))
    assert event.office == world.office_a


def test_decide_and_undo_through_the_web(world, login, pair_a, pair_b):
    dm = world.user("HQ", "data_manager")
    client = login(dm)
    # accepting moves on to the next pair waiting
    response = client.post(f"/linkage/review/{pair_a.pk}/decide/", {"decision": "accept"})
    assert response.status_code == 302
    assert response["Location"] == f"/linkage/review/{pair_b.pk}/"
    pair_a.refresh_from_db()
    assert (pair_a.status, pair_a.decided_by) == (PairStatus.ACCEPTED, dm)
    a_ids = PersonCluster.objects.filter(person_id__in=[pair_a.person_a_id, pair_a.person_b_id])
    assert len({c.individual_id for c in a_ids}) == 1
    # the decision is listed and can be undone
    assert f"/linkage/review/{pair_a.pk}/" in client.get("/linkage/review/").text
    response = client.post(f"/linkage/review/{pair_a.pk}/undo/")
    assert response.status_code == 302
    pair_a.refresh_from_db()
    assert pair_a.status == PairStatus.PENDING
    a_ids = PersonCluster.objects.filter(person_id__in=[pair_a.person_a_id, pair_a.person_b_id])
    assert len({c.individual_id for c in a_ids}) == 2
    assert list(
        AuditEvent.objects.filter(target_type="linkage.candidatepair")
        .order_by("seq")
        .values_list("event_type", flat=True)
    ) == ["linkage.pair_accepted", "linkage.pair_undone"]
    # an illegal move is refused with a message, not an error page
    response = client.post(f"/linkage/review/{pair_a.pk}/undo/", follow=True)
    assert response.status_code == 200
    assert "cannot be changed" in response.text


def test_nav_link_for_data_managers_only(world, login):
    assert "/linkage/review/" in login(world.user("A", "data_manager")).get("/").text
    assert "/linkage/review/" not in login(world.user("A", "caseworker")).get("/").text
