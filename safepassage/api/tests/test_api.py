from __future__ import annotations

import datetime as dt
import itertools
import re
from typing import Any

import pytest
from django.urls import URLPattern, URLResolver, get_resolver
from rest_framework.test import APIClient

from safepassage.accounts.models import User
from safepassage.api.idempotency import HEADER
from safepassage.api.services import api_token_create, api_token_revoke
from safepassage.assistance.services import assistance_record
from safepassage.audit.models import AccessEvent
from safepassage.cases.models import Case, ConsentScope, Person
from safepassage.cases.tests.factories import TODAY, give_consent, make_case, screen
from safepassage.conftest import make_user
from safepassage.offices.models import Office
from safepassage.reference.models import Country
from safepassage.returns.services import return_plan_create, risk_assessment_record
from safepassage.screening.services import determination_record
from safepassage.transfers.services import transfer_request

pytestmark = pytest.mark.django_db
_keys = itertools.count(1)


def client_for(user: User) -> APIClient:
    _, key = api_token_create(actor=None, user=user, name="test")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def post(
    client: APIClient, path: str, data: dict[str, Any] | None = None, key: str | None = None
) -> Any:
    return client.post(
        path,
        data or {},
        format="json",
        headers={HEADER: key or f"k{next(_keys)}"},
    )


def api_routes() -> list[tuple[str, str]]:
    resolver = get_resolver()
    found: list[tuple[str, str]] = []

    def walk(patterns: Any, prefix: str, namespace: str) -> None:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                walk(
                    pattern.url_patterns,
                    prefix + str(pattern.pattern),
                    pattern.namespace or namespace,
                )
            elif isinstance(pattern, URLPattern) and namespace == "api":
                found.append((str(pattern.name), prefix + str(pattern.pattern)))

    walk(resolver.url_patterns, "/", "")
    return found


@pytest.fixture
def case_a(world) -> Case:
    actor = world.user("A", "caseworker")
    case = make_case(world.office_a, actor)
    give_consent(
        case, actor, ConsentScope.ASSISTANCE, ConsentScope.SHARING_OFFICE, office=world.office_b
    )
    screen(case, actor)
    case.refresh_from_db()
    determination_record(actor=actor, case=case, expected_version=case.version, outcome="vot")
    assistance_record(
        actor=actor, case=case, service_type="medical", phase="protection", start_date=TODAY
    )
    transfer_request(actor=actor, case=case, to_office=world.office_b)
    plan = return_plan_create(
        actor=actor,
        case=case,
        data={"destination_country": "THA", "receiving_office": world.office_b},
    )
    risk_assessment_record(actor=actor, plan=plan, level="low", risks="r", mitigation_plan="m")
    case.refresh_from_db()
    return case


def fill(route: str, case: Case | None) -> str:
    consent = case.consents.first() if case else None
    determination = case.determinations.first() if case else None
    plan = case.returns.first() if case else None
    values = {
        "case_id": case.pk if case else 999999,
        "consent_id": consent.pk if consent else 999999,
        "determination_id": determination.pk if determination else 999999,
        "transfer_id": case.transfers_out.get().pk if case else 999999,
        "return_id": plan.pk if plan else 999999,
        "assessment_id": plan.risk_assessments.get().pk if plan else 999999,
    }
    return re.sub(r"<int:(\w+)>", lambda m: str(values.get(m.group(1), 999999)), route)


PUBLIC = {"schema", "docs"}


def test_every_api_route_answers_a_foreign_office_like_a_missing_record(world, case_a) -> None:
    routes = [
        (name, route) for name, route in api_routes() if name not in PUBLIC and "<int:" in route
    ]
    assert len(routes) >= 25
    # an office at neither end of the case's transfer or return
    office_c = Office.objects.create(
        code="YE-SANAA", name="Sanaa", country=Country.objects.get(iso3="YEM")
    )
    foreign = client_for(make_user("c_supervisor", office_c, "supervisor"))
    for name, route in routes:
        for method in ("get", "post"):
            real = getattr(foreign, method)(
                fill(route, case_a),
                {},
                format="json",
                HTTP_IDEMPOTENCY_KEY=f"f{next(_keys)}",
            )
            missing = getattr(foreign, method)(
                fill(route, None), {}, format="json", HTTP_IDEMPOTENCY_KEY=f"m{next(_keys)}"
            )
            if real.status_code == 405:
                assert missing.status_code == 405, name
                continue
            assert real.status_code == missing.status_code == 404, (
                name,
                method,
                real.status_code,
                missing.status_code,
            )
            assert real.json() == missing.json(), name


def test_anonymous_requests_get_401(world) -> None:
    for name, route in api_routes():
        if name in PUBLIC:
            continue
        response = APIClient().get(fill(route, None))
        assert response.status_code in (401, 405), (name, response.status_code)


def test_researcher_gets_no_identifiers(world, case_a) -> None:
    client = client_for(world.user("A", "researcher"))
    assert client.get("/api/v1/cases/").status_code == 404
    response = client.get(f"/api/v1/cases/{case_a.pk}/")
    assert response.status_code == 404
    assert "Kovalenko" not in response.content.decode()


def test_case_detail_shows_identifiers_to_caseworkers_and_is_access_logged(world, case_a) -> None:
    viewer = world.user("A", "caseworker")
    response = client_for(viewer).get(f"/api/v1/cases/{case_a.pk}/")
    assert response.status_code == 200
    body = response.json()
    assert body["person"]["family_names"] == "Kovalenko"
    assert body["determinations"][0]["suggested_outcome"] == "vot"
    assert (
        AccessEvent.objects.filter(actor=viewer, target_id=str(case_a.pk), action="view").count()
        == 1
    )


def test_list_is_scoped_paginated_and_filtered(world, case_a) -> None:
    make_case(world.office_b, world.user("B", "caseworker"))
    body = client_for(world.user("A", "caseworker")).get("/api/v1/cases/?page_size=10").json()
    assert body["count"] == 1
    assert body["results"][0]["reference"] == case_a.reference
    assert client_for(world.user("HQ", "data_manager")).get("/api/v1/cases/").json()["count"] == 2
    bad = client_for(world.user("A", "caseworker")).get("/api/v1/cases/?status=nonsense")
    assert bad.status_code == 400
    assert bad.json()["error"]["code"] == "invalid"


def test_list_counts_up_to_the_cap_and_says_when_more_match(world, case_a, monkeypatch) -> None:
    from safepassage.api.pagination import Pagination

    make_case(world.office_b, world.user("B", "caseworker"))
    headquarters = client_for(world.user("HQ", "data_manager"))
    body = headquarters.get("/api/v1/cases/").json()
    assert (body["count"], body["count_capped"], len(body["results"])) == (2, False, 2)
    monkeypatch.setattr(Pagination, "count_cap", 1)
    body = headquarters.get("/api/v1/cases/?page_size=1").json()
    assert (body["count"], body["count_capped"], len(body["results"])) == (1, True, 1)
    assert body["next"] is None  # pages stop at the cap
    # A name search counts from its ordered ids: the same answer. Office A's caseworker still
    # sees office A's case alone.
    name = case_a.person.family_names
    own = client_for(world.user("A", "caseworker")).get("/api/v1/cases/", {"q": name}).json()
    assert [row["reference"] for row in own["results"]] == [case_a.reference]
    assert (own["count"], own["count_capped"]) == (1, False)


def test_a_retried_post_writes_once(world) -> None:
    client = client_for(world.user("A", "caseworker"))
    payload = {
        "office": "UA-KYIV",
        "person": {
            "given_names": "Iryna",
            "family_names": "Testova",
            "sex": "Feminine",
            "citizenship": "UKR",
        },
        "registration_date": TODAY.isoformat(),
        "referral_source": "ngo",
        "beneficiary_category": "presumed_vot",
    }
    first = post(client, "/api/v1/cases/", payload, key="offline-device-42-0001")
    again = post(client, "/api/v1/cases/", payload, key="offline-device-42-0001")
    assert first.status_code == again.status_code == 201
    assert again["Idempotent-Replayed"] == "true"
    assert first.json()["id"] == again.json()["id"]
    assert Case.objects.count() == 1 and Person.objects.count() == 1
    # the same key with another body is refused, not replayed
    other = post(
        client,
        "/api/v1/cases/",
        {**payload, "beneficiary_category": "vot"},
        key="offline-device-42-0001",
    )
    assert other.status_code == 409
    assert other.json()["error"]["code"] == "idempotency_key_reused"


def test_post_without_idempotency_key_is_refused(world) -> None:
    client = client_for(world.user("A", "caseworker"))
    response = client.post("/api/v1/cases/", {}, format="json")
    assert response.status_code == 428
    assert response.json()["error"]["code"] == "idempotency_key_required"


def test_a_failed_post_can_be_retried_with_its_key(world) -> None:
    client = client_for(world.user("A", "caseworker"))
    payload: dict[str, Any] = {
        "office": "UA-KYIV",
        "person": {"given_names": "X"},
        "registration_date": "2099-01-01",
        "referral_source": "ngo",
        "beneficiary_category": "vot",
    }
    assert post(client, "/api/v1/cases/", payload, key="retry-1").status_code == 400
    payload["registration_date"] = TODAY.isoformat()
    assert post(client, "/api/v1/cases/", payload, key="retry-1").status_code == 201


def test_domain_errors_carry_stable_codes(world, case_a) -> None:
    client = client_for(world.user("A", "caseworker"))
    stale = post(
        client,
        f"/api/v1/cases/{case_a.pk}/close/",
        {"reason": "other", "version": case_a.version - 1},
    )
    assert stale.status_code == 409
    assert stale.json()["error"]["code"] == "stale_version"
    no_consent = post(
        client,
        f"/api/v1/cases/{case_a.pk}/assistance/",
        {"service_type": "medical", "phase": "protection", "start_date": TODAY.isoformat()},
    )
    assert no_consent.status_code == 201
    other = make_case(world.office_a, world.user("A", "caseworker"), given="Petro")
    refused = post(
        client,
        f"/api/v1/cases/{other.pk}/assistance/",
        {"service_type": "medical", "phase": "protection", "start_date": TODAY.isoformat()},
    )
    assert refused.status_code == 409
    assert refused.json()["error"]["code"] == "consent_missing"


def test_full_case_flow_over_the_api(world) -> None:
    cw = client_for(world.user("A", "caseworker"))
    sup = client_for(world.user("A", "supervisor"))
    created = post(
        cw,
        "/api/v1/cases/",
        {
            "office": "UA-KYIV",
            "person": {
                "given_names": "Olena",
                "family_names": "Apitest",
                "birth_date": "1999-04-02",
            },
            "registration_date": TODAY.isoformat(),
            "referral_source": "hotline",
            "beneficiary_category": "presumed_vot",
        },
    ).json()
    case_id = created["id"]
    for scope in ("interview", "assistance"):
        assert (
            post(
                cw,
                f"/api/v1/cases/{case_id}/consents/",
                {"scope": scope, "given": True, "form": "written", "date": TODAY.isoformat()},
            ).status_code
            == 201
        )
    version = cw.get(f"/api/v1/cases/{case_id}/").json()["version"]
    screening = post(
        cw,
        f"/api/v1/cases/{case_id}/screening/",
        {
            "version": version,
            "submit": True,
            "action_recruitment": True,
            "means_of_control": ["DebtBondage"],
            "exploitation_types": ["ForcedLabour"],
            "labour_sectors": ["Agriculture"],
            "events": [{"type": "Exploitation", "country": "POL", "start_date": "2025-05-01"}],
        },
    )
    assert screening.status_code == 201, screening.json()
    assert screening.json()["country_of_exploitation"] == "POL"
    assert (
        cw.get(f"/api/v1/cases/{case_id}/determination/suggestion/").json()["suggested_outcome"]
        == "vot"
    )
    version = cw.get(f"/api/v1/cases/{case_id}/").json()["version"]
    determination = post(
        cw, f"/api/v1/cases/{case_id}/determinations/", {"version": version, "outcome": "vot"}
    ).json()
    approved = post(
        sup,
        f"/api/v1/cases/{case_id}/determinations/{determination['id']}/approve/",
        {"note": "ok"},
    )
    assert approved.json()["status"] == "approved"
    assert (
        post(
            cw,
            f"/api/v1/cases/{case_id}/assistance/",
            {"service_type": "legal", "phase": "protection", "start_date": TODAY.isoformat()},
        ).status_code
        == 201
    )
    detail = cw.get(f"/api/v1/cases/{case_id}/").json()
    assert detail["status"] == "assisted" and detail["beneficiary_category"] == "vot"


def test_tokens_expire_and_revoke(world) -> None:
    user = world.user("A", "caseworker")
    token, key = api_token_create(actor=None, user=user, name="t", days=1)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert client.get("/api/v1/cases/").status_code == 200
    api_token_revoke(actor=None, token=token)
    assert client.get("/api/v1/cases/").status_code == 401
    expired, key2 = api_token_create(actor=None, user=user, name="t2", days=1)
    type(expired).objects.filter(pk=expired.pk).update(
        expires_at=dt.datetime(2020, 1, 1, tzinfo=dt.UTC)
    )
    client.credentials(HTTP_AUTHORIZATION=f"Token {key2}")
    assert client.get("/api/v1/cases/").status_code == 401


def test_researcher_gets_nothing_personal_from_any_route(world, case_a) -> None:
    researcher = client_for(world.user("A", "researcher"))
    for name, route in api_routes():
        if name in PUBLIC:
            continue
        for method in ("get", "post"):
            response = getattr(researcher, method)(
                fill(route, case_a), {}, format="json", headers={HEADER: f"r{next(_keys)}"}
            )
            # Researchers may read reports (aggregates): without parameters that is a 400.
            # A JSON body to the multipart import is refused as such (415) before anything else.
            allowed = (400, 404, 405) if name == "report" else (403, 404, 405, 415)
            assert response.status_code in allowed, (name, method, response.status_code)
            assert "Kovalenko" not in response.content.decode(), name


def test_transfer_without_consent_is_refused_by_the_api(world) -> None:
    actor = world.user("A", "caseworker")
    case = make_case(world.office_a, actor)
    response = post(
        client_for(actor), f"/api/v1/cases/{case.pk}/transfers/", {"to_office": "TH-BKK"}
    )
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "consent_missing"
    assert not case.transfers_out.exists()


def test_report_over_the_api_is_scoped(world, case_a) -> None:
    body = client_for(world.user("A", "researcher")).get("/api/v1/reports/?year=2026").json()
    assert body["instances"] == 1
    assert "Kovalenko" not in str(body)
    foreign = client_for(world.user("B", "researcher")).get(
        "/api/v1/reports/?year=2026&office=UA-KYIV"
    )
    missing = client_for(world.user("B", "researcher")).get(
        "/api/v1/reports/?year=2026&office=XX-NONE"
    )
    assert foreign.status_code == missing.status_code == 404
    assert foreign.json() == missing.json()
    assert (
        client_for(world.user("A", "auditor")).get("/api/v1/reports/?year=2026").status_code == 404
    )
