"""Research pages: who lists, creates and downloads releases, what is logged, and what other
roles and offices see (not found, exactly like a missing release)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from safepassage.audit.models import AccessEvent, AuditEvent
from safepassage.conftest import assert_same_not_found
from safepassage.research.models import ResearchRelease
from safepassage.research.services import ReleaseRequest, research_release_create

KANON = ResearchRelease.Method.KANON


@pytest.fixture
def releases(world, persons):
    return {
        "hq": research_release_create(
            actor=world.user("HQ", "data_manager"), request=ReleaseRequest(method=KANON, k=4)
        ),
        "b": research_release_create(
            actor=world.user("B", "data_manager"),
            request=ReleaseRequest(
                method=ResearchRelease.Method.DP, epsilon=1.0, year_from=2026, year_to=2026
            ),
        ),
    }


def test_researcher_lists_and_downloads_with_an_access_event(world, releases, login):
    client = login(world.user("B", "researcher"))
    page = client.get(reverse("research:release_list"))
    assert page.status_code == 200
    body = page.content.decode()
    assert f"#{releases['b'].pk}" in body and f"#{releases['hq'].pk}" not in body
    assert "Create release" not in body
    response = client.get(reverse("research:release_download", args=[releases["b"].pk]))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert b"".join(response.streaming_content)[:2] == b"PK"
    event = AccessEvent.objects.get(action=AccessEvent.Action.DOWNLOAD)
    assert (
        event.target_id == str(releases["b"].pk)
        and event.actor_id == world.user("B", "researcher").pk
    )


def test_researcher_cannot_create_or_read_the_internal_utility_report(world, releases, login):
    client = login(world.user("B", "researcher"))
    response = client.post(reverse("research:release_create"), {"method": "kanon", "k": 4})
    assert response.status_code == 404
    utility = client.get(reverse("research:release_utility", args=[releases["b"].pk]))
    assert utility.status_code == 404
    assert ResearchRelease.objects.count() == 2


def test_data_manager_creates_from_the_form_and_reads_the_utility_report(world, persons, login):
    client = login(world.user("B", "data_manager"))
    assert "Create release" in client.get(reverse("research:release_list")).content.decode()
    response = client.post(
        reverse("research:release_create"),
        {
            "method": "kanon",
            "k": 4,
            "l_value": 2,
            "max_suppression": 0.1,
            "quasi_identifiers": [
                "year_of_registration",
                "sex",
                "age",
                "citizenship",
                "country_of_exploitation",
            ],
        },
    )
    release = ResearchRelease.objects.get()
    assert response.status_code == 302 and response["Location"].endswith(f"/research/{release.pk}/")
    assert release.created_by == world.user("B", "data_manager")
    assert AuditEvent.objects.filter(event_type="research.release_created").count() == 1
    detail = client.get(response["Location"]).content.decode()
    assert "k = 4" in detail or f"k = {release.k_achieved}" in detail
    dp = client.post(
        reverse("research:release_create"),
        {"method": "dp", "epsilon": 1, "year_from": 2026, "year_to": 2026, "k": 11},
    )
    dp_release = ResearchRelease.objects.get(method="dp")
    assert dp.status_code == 302
    utility = client.get(reverse("research:release_utility", args=[dp_release.pk]))
    assert utility.status_code == 200 and b"INTERNAL" in b"".join(utility.streaming_content)


def test_refused_release_shows_the_reason_and_keeps_nothing(world, persons, login):
    client = login(world.user("B", "data_manager"))
    response = client.post(reverse("research:release_create"), {"method": "kanon", "k": 40})
    assert response.status_code == 200
    assert "Release refused" in response.content.decode()
    assert not ResearchRelease.objects.exists()


@pytest.mark.parametrize("role", ["caseworker", "supervisor", "auditor", "admin"])
def test_other_roles_get_not_found(world, releases, login, role):
    client = login(world.user("HQ", role))
    pk = releases["hq"].pk
    for name, args in (
        ("research:release_list", []),
        ("research:release_detail", [pk]),
        ("research:release_download", [pk]),
        ("research:release_utility", [pk]),
    ):
        assert client.get(reverse(name, args=args)).status_code == 404, name
    assert client.post(reverse("research:release_create"), {"method": "kanon"}).status_code == 404
    assert not AccessEvent.objects.filter(action=AccessEvent.Action.DOWNLOAD).exists()


def test_office_a_cannot_see_office_b_release(world, releases, login):
    client = login(world.user("A", "researcher"))
    for name in ("research:release_detail", "research:release_download"):
        foreign = client.get(reverse(name, args=[releases["b"].pk]))
        missing = client.get(reverse(name, args=[999999]))
        assert_same_not_found(foreign, missing)
    # Headquarters researchers see every release.
    hq = login(world.user("HQ", "researcher"))
    body = hq.get(reverse("research:release_list")).content.decode()
    assert f"#{releases['b'].pk}" in body and f"#{releases['hq'].pk}" in body


def test_nav_link_only_for_research_roles(world, login):
    assert "/research/" in login(world.user("A", "researcher")).get("/").content.decode()
    assert "/research/" not in login(world.user("A", "caseworker")).get("/").content.decode()
