"""Dashboard and downloads: who sees what (aggregates only, scoped to the viewer's offices)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from safepassage.cases.tests.factories import make_case


@pytest.fixture
def two_offices(world):
    make_case(world.office_a, world.user("A", "caseworker"), given="Taras", family="Shevchuk")
    make_case(world.office_a, world.user("A", "caseworker"), given="Iryna", family="Bondar")
    make_case(world.office_b, world.user("B", "caseworker"), given="Somchai", citizenship="THA")
    return world


def report_json(client: Any, **params: Any) -> dict[str, Any]:
    response = client.get("/stats/report.json", {"year": 2026, **params})
    assert response.status_code == 200
    data: dict[str, Any] = json.loads(response.content)
    return data


def test_researcher_sees_figures_but_no_name_and_no_case_link(two_offices, login):
    client = login(two_offices.user("HQ", "researcher"))
    response = client.get("/stats/", {"year": 2026})
    assert response.status_code == 200
    page = response.content.decode()
    assert 'id="fig-instances">3<' in page
    assert "/cases/?" not in page
    for name in ("Taras", "Shevchuk", "Iryna", "Somchai"):
        assert name not in page
    assert "<svg" in page


def test_caseworker_gets_drill_down_links(two_offices, login):
    page = (
        login(two_offices.user("A", "caseworker")).get("/stats/", {"year": 2026}).content.decode()
    )
    assert "/cases/?registered_from=2026-01-01&amp;registered_to=2026-12-31" in page
    assert "nationality=UKR" in page


def test_office_user_defaults_to_own_offices(two_offices, login):
    assert report_json(login(two_offices.user("A", "researcher")))["instances"] == 2
    assert report_json(login(two_offices.user("B", "data_manager")))["instances"] == 1
    assert report_json(login(two_offices.user("HQ", "data_manager")))["instances"] == 3


def test_office_b_cannot_get_office_a_figures(two_offices, login):
    client = login(two_offices.user("B", "researcher"))
    foreign = client.get("/stats/", {"year": 2026, "office": two_offices.office_a.pk})
    missing = client.get("/stats/", {"year": 2026, "office": 999999})
    assert foreign.status_code == missing.status_code == 404
    assert (
        client.get(
            "/stats/report.json", {"year": 2026, "office": two_offices.office_a.pk}
        ).status_code
        == 404
    )
    own = report_json(client, office=two_offices.office_b.pk)
    assert own["instances"] == 1


@pytest.mark.parametrize("role", ["auditor", "admin"])
def test_roles_without_stats_view_get_not_found(two_offices, login, role):
    assert login(two_offices.user("HQ", role)).get("/stats/").status_code == 404


def test_dashboard_reuses_figures_for_the_same_scope_until_they_expire(two_offices, login):
    # Given a researcher at office A who has seen the dashboard once
    client = login(two_offices.user("A", "researcher"))
    first = client.get("/stats/", {"year": 2026}).content.decode()
    assert 'id="fig-instances">2<' in first
    assert 'id="figures-as-of"' in first
    # When a case is added within the cache period
    make_case(two_offices.office_a, two_offices.user("A", "caseworker"), given="Olena")
    # Then the dashboard shows the figures it computed, saying when
    assert 'id="fig-instances">2<' in client.get("/stats/", {"year": 2026}).content.decode()
    # and the downloads, which are never cached, are current
    assert report_json(client)["instances"] == 3


def test_dashboard_cache_off_computes_every_view(two_offices, login, settings):
    settings.SAFEPASSAGE_STATS_CACHE_SECONDS = 0
    client = login(two_offices.user("A", "researcher"))
    assert 'id="fig-instances">2<' in client.get("/stats/", {"year": 2026}).content.decode()
    make_case(two_offices.office_a, two_offices.user("A", "caseworker"), given="Olena")
    page = client.get("/stats/", {"year": 2026}).content.decode()
    assert 'id="fig-instances">3<' in page
    assert 'id="figures-as-of"' not in page


def test_cached_figures_never_reach_a_viewer_with_another_scope(two_offices, login):
    # Given headquarters and office A have filled the cache for their scopes
    hq = login(two_offices.user("HQ", "researcher"))
    assert 'id="fig-instances">3<' in hq.get("/stats/", {"year": 2026}).content.decode()
    a = login(two_offices.user("A", "researcher"))
    assert 'id="fig-instances">2<' in a.get("/stats/", {"year": 2026}).content.decode()
    assert a.get("/stats/", {"year": 2026, "office": two_offices.office_a.pk}).status_code == 200
    # When office B asks for the same filters, and for office A by id
    b = login(two_offices.user("B", "researcher"))
    own = b.get("/stats/", {"year": 2026}).content.decode()
    foreign = b.get("/stats/", {"year": 2026, "office": two_offices.office_a.pk})
    # Then B sees its own figures and A's office is still not found
    assert 'id="fig-instances">1<' in own
    assert foreign.status_code == 404
