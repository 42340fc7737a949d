"""Pages: scoping, cross-office answers identical to missing records, writes through the web."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from safepassage.audit.models import AccessEvent, AuditEvent
from safepassage.cases.tests.factories import make_case, screen
from safepassage.conftest import assert_same_not_found, page_text
from safepassage.projects.models import Fund, FundCharge, GafAttestation, Project
from safepassage.projects.tests.factories import make_donor, make_gaf, make_project, make_regional
from safepassage.projects.tests.test_import import GOOD, csv_bytes


@pytest.fixture
def two_projects(world):
    donor = make_donor()
    a = make_project("UA-1", [world.office_a], ["UKR"], funding=[(donor, 2011, "100", "USD", None)])
    b = make_project("TH-1", [world.office_b], ["THA"])
    return a, b


def test_list_shows_only_projects_of_the_viewers_offices(world, login, two_projects) -> None:
    page = login(world.user("A", "caseworker")).get("/projects/").content.decode()
    assert "UA-1" in page and "TH-1" not in page
    hq = login(world.user("HQ", "admin")).get("/projects/").content.decode()
    assert "UA-1" in hq and "TH-1" in hq


def test_list_query_count_does_not_grow_with_projects(world, login, two_projects) -> None:
    client = login(world.user("HQ", "data_manager"))
    client.get("/projects/")
    with CaptureQueriesContext(connection) as few:
        client.get("/projects/")
    for n in range(5):
        make_project(f"X-{n}", [world.office_a], ["UKR", "MDA"])
    with CaptureQueriesContext(connection) as many:
        assert client.get("/projects/").status_code == 200
    assert len(many) == len(few)


@pytest.mark.parametrize("role", ["researcher", "auditor"])
def test_roles_without_project_view_get_not_found(world, login, role, two_projects) -> None:
    client = login(world.user("A", role))
    for url in ("/projects/", "/projects/funds/", "/projects/donors/", "/projects/import/"):
        assert client.get(url).status_code == 404


def test_foreign_project_answers_like_a_missing_one(world, login, two_projects) -> None:
    _a, b = two_projects
    client = login(world.user("A", "data_manager"))
    for suffix in ("", "edit/"):
        assert_same_not_found(
            client.get(f"/projects/{b.pk}/{suffix}"), client.get(f"/projects/999999/{suffix}")
        )


def test_foreign_fund_answers_like_a_missing_one(world, login) -> None:
    fund = make_regional(["THA"], offices=[world.office_b])
    client = login(world.user("A", "caseworker"))
    for suffix in ("", "charge/"):
        assert_same_not_found(
            client.get(f"/projects/funds/{fund.pk}/{suffix}"),
            client.get(f"/projects/funds/999999/{suffix}"),
        )
    assert (
        login(world.user("B", "caseworker")).get(f"/projects/funds/{fund.pk}/").status_code == 200
    )


def test_charge_page_treats_a_foreign_case_like_a_missing_one(world, login) -> None:
    fund = make_gaf()
    case = make_case(world.office_b, world.user("B", "caseworker"))
    client = login(world.user("A", "caseworker"))
    url = f"/projects/funds/{fund.pk}/charge/"
    foreign = client.post(url, {"reference": case.reference, "action": "case"})
    missing = client.post(url, {"reference": "TH-BKK-2026-99999", "action": "case"})
    assert foreign.status_code == missing.status_code == 404
    assert page_text(foreign.content).replace(case.reference, "REF") == page_text(
        missing.content
    ).replace("TH-BKK-2026-99999", "REF")
    assert not FundCharge.objects.exists()
    # an administrator sees funds but never cases
    admin = login(world.user("HQ", "admin"))
    assert admin.get(url, {"reference": case.reference}).status_code == 404


def test_gaf_attest_and_charge_through_the_page(world, login) -> None:
    worker = world.user("A", "caseworker")
    fund = make_gaf()
    case = make_case(world.office_a, worker)
    screen(case, worker)
    client = login(worker)
    url = f"/projects/funds/{fund.pk}/charge/"
    page = client.get(url, {"reference": case.reference})
    assert page.status_code == 200
    assert "No attestation is recorded" in page.content.decode()
    assert AccessEvent.objects.filter(target_id=str(case.pk), metadata__page="fund_charge").exists()
    refused = client.post(url, {"reference": case.reference, "action": "case"})
    assert "No attestation is recorded" in refused.content.decode()
    assert not FundCharge.objects.exists()
    client.post(
        url,
        {
            "reference": case.reference,
            "action": "attest",
            "statement": "Checked the national shelter project: not for foreign nationals.",
            "confirm": "on",
        },
    )
    assert GafAttestation.objects.filter(case=case).count() == 1
    done = client.post(url, {"reference": case.reference, "action": "case", "amount_usd": "500"})
    assert done.status_code == 302
    assert FundCharge.objects.get().amount_usd == 500
    detail = client.get(f"/projects/funds/{fund.pk}/").content.decode()
    assert case.reference in detail
    other = login(world.user("B", "caseworker")).get(f"/projects/funds/{fund.pk}/").content.decode()
    assert case.reference not in other and "1 more charge" in other


def test_create_and_edit_a_project_on_the_web(world, login) -> None:
    client = login(world.user("A", "data_manager"))
    data = {
        "code": "UA-NEW",
        "title": "Reintegration in Ukraine",
        "thematic_areas": ["avrr"],
        "status": "planned",
        "start_date": "2026-01-01",
        "offices": [world.office_a.pk],
        "countries": ["UKR"],
    }
    response = client.post("/projects/new/", data)
    project = Project.objects.get(code="UA-NEW")
    assert response.status_code == 302
    event = AuditEvent.objects.get(event_type="project.created")
    assert event.source == "web" and event.target_id == str(project.pk)
    # an office the manager does not manage cannot be chosen
    assert (
        client.post(
            "/projects/new/", {**data, "code": "X", "offices": [world.office_b.pk]}
        ).status_code
        == 200
    )
    assert not Project.objects.filter(code="X").exists()
    client.post(f"/projects/{project.pk}/edit/", {**data, "status": "active", "title": "Renamed"})
    project.refresh_from_db()
    assert (project.title, project.status) == ("Renamed", "active")
    assert AuditEvent.objects.get(event_type="project.updated").changed_fields == [
        "status",
        "title",
    ]
    # caseworkers see but do not edit
    assert (
        login(world.user("A", "caseworker")).get(f"/projects/{project.pk}/edit/").status_code == 404
    )


def test_import_page_preview_then_confirm(world, login) -> None:
    client = login(world.user("HQ", "data_manager"))
    bad = client.post(
        "/projects/import/",
        {"file": SimpleUploadedFile("p.csv", csv_bytes(GOOD[0].replace("UKR;MDA", "UKR;ZZZ")))},
    ).content.decode()
    assert "ZZZ" in bad and "nothing was imported" in bad
    preview = client.post(
        "/projects/import/", {"file": SimpleUploadedFile("p.csv", csv_bytes(*GOOD))}
    )
    assert not Project.objects.exists()
    token = preview.context["token"]
    assert token
    assert client.post("/projects/import/", {"confirm": "wrong"}).status_code == 302
    assert not Project.objects.exists()
    assert client.post("/projects/import/", {"confirm": token}).status_code == 302
    assert Project.objects.count() == 2
    # the stored file is used once
    client.post("/projects/import/", {"confirm": token})
    assert AuditEvent.objects.filter(event_type="projects.import_completed").count() == 1


def test_fund_create_global_needs_headquarters(world, login) -> None:
    data = {
        "code": "GAF",
        "name": "Global Assistance Fund",
        "kind": "global_assistance",
        "budget_usd": "1000",
    }
    assert (
        login(world.user("A", "data_manager")).post("/projects/funds/new/", data).status_code == 200
    )
    assert not Fund.objects.exists()
    assert (
        login(world.user("HQ", "data_manager")).post("/projects/funds/new/", data).status_code
        == 302
    )
    assert Fund.objects.get().kind == "global_assistance"


def test_nav_link_follows_the_permission(world, login) -> None:
    assert 'href="/projects/"' in login(world.user("A", "caseworker")).get("/").content.decode()
    assert 'href="/projects/"' not in login(world.user("A", "researcher")).get("/").content.decode()


def test_funding_line_added_on_the_project_page(world, login, two_projects) -> None:
    a, _b = two_projects
    donor = make_donor("Norway")
    client = login(world.user("A", "data_manager"))
    response = client.post(
        f"/projects/{a.pk}/",
        {"donor": donor.pk, "year": 2012, "amount": "1000", "currency": "NOK", "usd_rate": "0.17"},
    )
    assert response.status_code == 302
    assert a.fundings.get(donor=donor).amount_usd == 170
    assert login(world.user("A", "caseworker")).post(f"/projects/{a.pk}/", {}).status_code == 404
