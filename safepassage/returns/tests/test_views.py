"""Return, reintegration and monitoring pages: the sending office works through the gates, the
receiving office sees only the arrival, and everyone else gets the not-found of a missing
record. Also the home page's work queues."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.urls import reverse

from safepassage.accounts.models import User
from safepassage.assistance.services import assistance_record
from safepassage.audit.models import AccessEvent, AuditEvent
from safepassage.cases.models import Case, CaseStatus, ConsentScope
from safepassage.cases.tests.factories import give_consent, make_case, screen
from safepassage.conftest import World, assert_same_not_found, make_user
from safepassage.core import clock
from safepassage.offices.models import Office
from safepassage.reference.models import Country
from safepassage.returns.models import Alert, ReturnPlan, ReturnStatus, RiskAssessment
from safepassage.returns.services import (
    monitoring_visit_record,
    return_depart,
    return_plan_create,
    return_schedule,
    risk_assessment_approve,
    risk_assessment_record,
)
from safepassage.transfers.services import transfer_accept, transfer_request

pytestmark = pytest.mark.django_db

MISSING = 999_999

PLAN_URLS: list[tuple[str, str, dict[str, int]]] = [
    ("returns:return_detail", "get", {}),
    ("returns:return_detail", "post", {}),
    ("returns:risk_record", "post", {}),
    ("returns:risk_approve", "post", {"assessment_id": 1}),
    ("returns:risk_return", "post", {"assessment_id": 1}),
    ("returns:return_schedule", "post", {}),
    ("returns:return_depart", "post", {}),
    ("returns:return_cancel", "post", {}),
]
CASE_URLS: list[tuple[str, str]] = [
    ("returns:case_returns", "get"),
    ("returns:case_returns", "post"),
    ("returns:reintegration", "get"),
    ("returns:reintegration", "post"),
    ("returns:monitoring_visit", "post"),
]
NO_CASE_ACCESS = [("B", "researcher"), ("B", "auditor"), ("B", "admin"), ("HQ", "researcher")]


def assisted_case(world: World, birth_date: dt.date = dt.date(1990, 5, 17)) -> Case:
    b_cw = world.user("B", "caseworker")
    case = make_case(world.office_b, b_cw, birth_date=birth_date, registered=dt.date(2026, 1, 5))
    give_consent(case, b_cw, ConsentScope.ASSISTANCE)
    screen(case, b_cw, recruited=dt.date(2025, 6, 1))
    assistance_record(
        actor=b_cw,
        case=case,
        service_type="accommodation",
        phase="protection",
        start_date=dt.date(2026, 1, 6),
    )
    case.refresh_from_db()
    return case


def plan_for(world: World, case: Case) -> ReturnPlan:
    return return_plan_create(
        actor=world.user("B", "caseworker"),
        case=case,
        data={
            "destination_country": "UKR",
            "destination_community": "Kharkiv oblast",
            "receiving_office": world.office_a,
        },
    )


def approved_risk(world: World, plan: ReturnPlan) -> RiskAssessment:
    assessment = risk_assessment_record(
        actor=world.user("B", "caseworker"),
        plan=plan,
        level="medium",
        risks="Recruiter lives nearby",
        mitigation_plan="Relocate within the oblast",
    )
    return risk_assessment_approve(actor=world.user("B", "supervisor"), assessment=assessment)


def departed(world: World) -> ReturnPlan:
    b_cw = world.user("B", "caseworker")
    case = assisted_case(world)
    plan = plan_for(world, case)
    approved_risk(world, plan)
    give_consent(case, b_cw, ConsentScope.RETURN)
    return_schedule(actor=b_cw, plan=plan, planned_date=clock.today())
    return return_depart(actor=b_cw, plan=plan, departure_date=clock.today())


def outsider() -> User:
    third = Office.objects.create(
        code="MD-KIV", name="Chisinau", country=Country.objects.get(iso3="MDA")
    )
    return make_user("c_caseworker", third, "caseworker")


def post_data() -> dict[str, Any]:
    return {
        "destination_country": "UKR",
        "kind": "return",
        "level": "low",
        "risks": "x",
        "mitigation_plan": "x",
        "note": "x",
        "planned_date": clock.today().isoformat(),
        "departure_date": clock.today().isoformat(),
        "arrival_date": clock.today().isoformat(),
        "reason": "x",
        "date": clock.today().isoformat(),
        "status": "progressing",
    }


def page_of(response: Any) -> str:
    return str(response.content.decode())


# --- not found, not forbidden ----------------------------------------------------------------


@pytest.mark.parametrize("route", PLAN_URLS, ids=lambda r: f"{r[1]} {r[0]}")
@pytest.mark.parametrize("who", [("A", "caseworker"), *NO_CASE_ACCESS])
def test_return_urls_answer_like_a_missing_return(
    world: World, login: Any, route: tuple[str, str, dict[str, int]], who: tuple[str, str]
) -> None:
    # given a return planned by office B (office A only receives it)
    plan = plan_for(world, assisted_case(world))
    assessment = risk_assessment_record(
        actor=world.user("B", "caseworker"), plan=plan, level="low", risks="x", mitigation_plan="x"
    )
    name, method, extra = route
    extra = dict.fromkeys(extra, assessment.pk)
    client = login(world.user(*who))
    foreign = getattr(client, method)(
        reverse(name, kwargs={"plan_id": plan.pk, **extra}), post_data()
    )
    missing = getattr(client, method)(
        reverse(name, kwargs={"plan_id": MISSING, **extra}), post_data()
    )
    assert_same_not_found(foreign, missing)
    plan.refresh_from_db()
    assert plan.status == ReturnStatus.PLANNING
    assert plan.risk_assessments.count() == 1
    assert not AccessEvent.objects.filter(target_id=str(plan.case_id)).exists()


@pytest.mark.parametrize("route", CASE_URLS, ids=lambda r: f"{r[1]} {r[0]}")
@pytest.mark.parametrize("who", [("A", "caseworker"), *NO_CASE_ACCESS])
def test_case_urls_answer_like_a_missing_case(
    world: World, login: Any, route: tuple[str, str], who: tuple[str, str]
) -> None:
    case = assisted_case(world)
    name, method = route
    client = login(world.user(*who))
    foreign = getattr(client, method)(reverse(name, args=[case.pk]), post_data())
    missing = getattr(client, method)(reverse(name, args=[MISSING]), post_data())
    assert_same_not_found(foreign, missing)
    assert not ReturnPlan.objects.exists()
    assert not case.monitoring_visits.exists()


@pytest.mark.parametrize("method", ["get", "post"])
def test_an_arrival_is_not_found_outside_the_receiving_office(
    world: World, login: Any, method: str
) -> None:
    plan = departed(world)
    for user in (outsider(), *(world.user(*who) for who in NO_CASE_ACCESS)):
        client = login(user)
        url = reverse("returns:arrival", args=[plan.pk])
        foreign = getattr(client, method)(url, post_data())
        missing = getattr(client, method)(reverse("returns:arrival", args=[MISSING]), post_data())
        assert_same_not_found(foreign, missing)
    plan.refresh_from_db()
    assert plan.status == ReturnStatus.DEPARTED


def test_alerts_are_not_found_outside_the_office(world: World, login: Any) -> None:
    case = assisted_case(world)
    monitoring_visit_record(
        actor=world.user("B", "caseworker"), case=case, date=clock.today(), status="lost_contact"
    )
    alert = Alert.objects.get()
    for who in [("A", "supervisor"), *NO_CASE_ACCESS]:
        client = login(world.user(*who))
        assert_same_not_found(
            client.post(reverse("returns:alert_resolve", args=[alert.pk])),
            client.post(reverse("returns:alert_resolve", args=[MISSING])),
        )
        assert case.reference not in page_of(client.get(reverse("returns:alerts")))
    alert.refresh_from_db()
    assert alert.resolved_at is None


@pytest.mark.parametrize("name", ["returns:arrivals", "returns:alerts"])
@pytest.mark.parametrize("role", ["researcher", "auditor", "admin"])
def test_lists_are_not_found_for_roles_without_case_access(
    world: World, login: Any, name: str, role: str
) -> None:
    assert login(world.user("A", role)).get(reverse(name)).status_code == 404


# --- planning and the gates ------------------------------------------------------------------


def test_planning_a_return_from_the_case(world: World, login: Any) -> None:
    b_cw = world.user("B", "caseworker")
    case = assisted_case(world)
    client = login(b_cw)
    url = reverse("returns:case_returns", args=[case.pk])
    assert "Plan the return" in page_of(client.get(url))
    response = client.post(
        url,
        {
            "kind": "return",
            "destination_country": "UKR",
            "destination_community": "Kharkiv oblast",
            "receiving_office": world.office_a.pk,
            "reception_assistance": "on",
        },
    )
    plan = ReturnPlan.objects.get()
    assert response["Location"] == reverse("returns:return_detail", args=[plan.pk])
    assert plan.receiving_office == world.office_a and plan.reception_assistance
    assert AuditEvent.objects.get(event_type="return.planned").office == world.office_b
    # a second plan is refused while one is open: the form is gone
    assert "Plan the return" not in page_of(client.get(url))


def test_the_checklist_shows_each_gate_and_schedule_names_every_missing_one(
    world: World, login: Any
) -> None:
    # given a child (17) with a planned return and nothing done yet
    b_cw = world.user("B", "caseworker")
    today = clock.today()
    case = assisted_case(world, birth_date=today.replace(year=today.year - 17))
    plan = plan_for(world, case)
    client = login(b_cw)
    page = page_of(client.get(reverse("returns:return_detail", args=[plan.pk])))
    for key in (
        "risk_assessment",
        "consent",
        "child_wish",
        "best_interest",
        "guardian",
        "family_assessment",
    ):
        assert f'class="gate missing" data-gate="{key}"' in page
    assert "the child safeguards apply" in page
    # when they try to schedule
    response = client.post(
        reverse("returns:return_schedule", args=[plan.pk]), {"planned_date": today.isoformat()}
    )
    # then the page names every missing gate and nothing changed
    page = page_of(response)
    assert response.status_code == 400
    assert "The return cannot be scheduled yet. Missing:" in page
    for words in (
        "a risk assessment with a mitigation plan, approved by a supervisor",
        "the person&#x27;s written informed consent to return",
        "the child&#x27;s wish to return",
        "a best-interest determination by a competent authority",
        "the legal guardian notified and willing and able to receive the child",
        "a family assessment",
    ):
        assert words in page.split("Missing:")[1], words
    plan.refresh_from_db()
    assert plan.status == ReturnStatus.PLANNING
    assert not AuditEvent.objects.filter(event_type="return.scheduled").exists()


def test_an_adults_checklist_has_no_child_gates(world: World, login: Any) -> None:
    plan = plan_for(world, assisted_case(world))
    page = page_of(
        login(world.user("B", "caseworker")).get(reverse("returns:return_detail", args=[plan.pk]))
    )
    assert 'data-gate="consent"' in page and 'data-gate="child_wish"' not in page
    assert "Child safeguards (not required: the person is an adult)" in page


def test_risk_assessment_recorded_by_a_caseworker_approved_by_a_supervisor(
    world: World, login: Any
) -> None:
    plan = plan_for(world, assisted_case(world))
    cw, sup = login(world.user("B", "caseworker")), login(world.user("B", "supervisor"))
    incomplete = cw.post(reverse("returns:risk_record", args=[plan.pk]), {"level": "high"})
    assert incomplete.status_code == 400 and not plan.risk_assessments.exists()
    cw.post(
        reverse("returns:risk_record", args=[plan.pk]),
        {"level": "high", "risks": "Debt to recruiter", "mitigation_plan": "Debt counselling"},
    )
    assessment = plan.risk_assessments.get()
    detail = reverse("returns:return_detail", args=[plan.pk])
    assert "Return for revision" not in page_of(cw.get(detail))
    # a caseworker's approval is refused, on the page
    refused = cw.post(reverse("returns:risk_approve", args=[plan.pk, assessment.pk]))
    assert refused.status_code == 403
    assert "You do not have permission to do this here." in page_of(refused)
    # returning needs a note
    back = sup.post(reverse("returns:risk_return", args=[plan.pk, assessment.pk]), {"note": ""})
    assert back.status_code == 400 and "Say what should be revised." in page_of(back)
    response = sup.post(
        reverse("returns:risk_approve", args=[plan.pk, assessment.pk]), {"note": "ok"}
    )
    assert response.status_code == 302
    assessment.refresh_from_db()
    assert assessment.status == RiskAssessment.Status.APPROVED
    assert 'class="gate met" data-gate="risk_assessment"' in page_of(cw.get(detail))
    assert AuditEvent.objects.get(event_type="return.risk_approved").actor == world.user(
        "B", "supervisor"
    )


def test_schedule_depart_and_the_receiving_office_acknowledges(world: World, login: Any) -> None:
    b_cw, a_cw = world.user("B", "caseworker"), world.user("A", "caseworker")
    case = assisted_case(world)
    plan = plan_for(world, case)
    approved_risk(world, plan)
    give_consent(case, b_cw, ConsentScope.RETURN)
    b = login(b_cw)
    today = clock.today().isoformat()
    assert (
        b.post(
            reverse("returns:return_schedule", args=[plan.pk]), {"planned_date": today}
        ).status_code
        == 302
    )
    assert (
        b.post(
            reverse("returns:return_depart", args=[plan.pk]), {"departure_date": today}
        ).status_code
        == 302
    )
    plan.refresh_from_db()
    assert plan.status == ReturnStatus.DEPARTED
    # the receiving office sees the arrival, not the sending office's case
    a = login(a_cw)
    arrivals = page_of(a.get(reverse("returns:arrivals")))
    assert reverse("returns:arrival", args=[plan.pk]) in arrivals
    assert "Kovalenko" not in arrivals
    page = page_of(a.get(reverse("returns:arrival", args=[plan.pk])))
    assert "Kharkiv oblast" in page and "Kovalenko" not in page
    assert reverse("cases:case_detail", args=[case.pk]) not in page
    assert "No transfer shared this person" in page
    assert_same_not_found(
        a.get(reverse("returns:return_detail", args=[plan.pk])),
        a.get(reverse("returns:return_detail", args=[MISSING])),
    )
    response = a.post(reverse("returns:arrival", args=[plan.pk]), {"arrival_date": today})
    assert response.status_code == 302
    plan.refresh_from_db()
    assert plan.status == ReturnStatus.ARRIVED and plan.acknowledged_by == a_cw
    assert AuditEvent.objects.get(event_type="return.arrived").office == world.office_a
    assert AccessEvent.objects.filter(actor=a_cw, target_type="returns.returnplan").exists()


def test_the_arrival_shows_the_transfer_summary_and_the_receivers_case(
    world: World, login: Any
) -> None:
    b_cw, a_cw = world.user("B", "caseworker"), world.user("A", "caseworker")
    plan = departed(world)
    give_consent(plan.case, b_cw, ConsentScope.SHARING_OFFICE, office=world.office_a)
    transfer = transfer_request(actor=b_cw, case=plan.case, to_office=world.office_a)
    received = transfer_accept(actor=a_cw, transfer=transfer)
    page = page_of(login(a_cw).get(reverse("returns:arrival", args=[plan.pk])))
    assert "What the sending office shared" in page and "Oleksandr Kovalenko" in page
    assert reverse("cases:case_detail", args=[received.pk]) in page
    assert reverse("cases:case_detail", args=[plan.case_id]) not in page


def test_cancelling_needs_a_reason(world: World, login: Any) -> None:
    plan = plan_for(world, assisted_case(world))
    client = login(world.user("B", "caseworker"))
    assert (
        client.post(reverse("returns:return_cancel", args=[plan.pk]), {"reason": ""}).status_code
        == 400
    )
    assert (
        client.post(
            reverse("returns:return_cancel", args=[plan.pk]), {"reason": "Changed mind"}
        ).status_code
        == 302
    )
    plan.refresh_from_db()
    assert plan.status == ReturnStatus.CANCELLED
    assert AuditEvent.objects.filter(event_type="return.cancelled").exists()


# --- reintegration, monitoring and alerts ----------------------------------------------------


def test_reintegration_plan_visits_and_alerts(world: World, login: Any) -> None:
    case = assisted_case(world)
    cw, sup = login(world.user("B", "caseworker")), login(world.user("B", "supervisor"))
    url = reverse("returns:reintegration", args=[case.pk])
    cw.post(url, {"needs": "Housing", "wishes": "Tailoring", "skills": "Sewing", "options": ""})
    assert "Housing" in page_of(cw.get(url))
    assert AuditEvent.objects.filter(event_type="reintegration.planned").exists()
    visit = reverse("returns:monitoring_visit", args=[case.pk])
    bad = cw.post(visit, {"date": clock.today().isoformat(), "status": ""})
    assert bad.status_code == 400
    cw.post(visit, {"date": clock.today().isoformat(), "status": "re_trafficked", "notes": "Gone"})
    page = page_of(cw.get(url))
    assert "Re-trafficked" in page and "Gone" in page
    case.refresh_from_db()
    assert case.status == CaseStatus.MONITORING
    alert = Alert.objects.get()
    alerts_page = page_of(cw.get(reverse("returns:alerts")))
    assert case.reference in alerts_page and "Resolve" not in alerts_page
    assert cw.post(reverse("returns:alert_resolve", args=[alert.pk])).status_code == 403
    assert "Resolve" in page_of(sup.get(reverse("returns:alerts")))
    assert sup.post(reverse("returns:alert_resolve", args=[alert.pk])).status_code == 302
    alert.refresh_from_db()
    assert alert.resolved_at is not None
    assert AuditEvent.objects.get(event_type="alert.resolved").actor == world.user(
        "B", "supervisor"
    )


def test_the_case_page_links_returns_and_reintegration(world: World, login: Any) -> None:
    case = assisted_case(world)
    plan = plan_for(world, case)
    page = page_of(
        login(world.user("B", "caseworker")).get(reverse("cases:case_detail", args=[case.pk]))
    )
    assert reverse("returns:return_detail", args=[plan.pk]) in page
    assert reverse("returns:reintegration", args=[case.pk]) in page


# --- home page queues ------------------------------------------------------------------------


def busy_office_b(world: World) -> None:
    """One item in each queue of office B."""
    b_cw, b_sup = world.user("B", "caseworker"), world.user("B", "supervisor")
    case = assisted_case(world)
    give_consent(case, b_cw, ConsentScope.SHARING_OFFICE, office=world.office_a)
    transfer_request(actor=b_cw, case=case, to_office=world.office_a)
    plan = plan_for(world, case)
    risk_assessment_record(actor=b_cw, plan=plan, level="low", risks="x", mitigation_plan="y")
    other = make_case(world.office_b, b_cw, given="Ivan", family="Petrenko")
    give_consent(other, b_cw, ConsentScope.ASSISTANCE)
    monitoring_visit_record(
        actor=b_cw,
        case=other,
        date=clock.today() - dt.timedelta(days=20),
        status="at_risk",
        next_visit_due=clock.today() - dt.timedelta(days=1),
    )
    monitoring_visit_record(actor=b_sup, case=other, date=clock.today(), status="lost_contact")
    assert b_sup  # the supervisor's view has every queue


def test_home_queues_show_the_offices_work(world: World, login: Any) -> None:
    busy_office_b(world)
    sup = page_of(login(world.user("B", "supervisor")).get("/"))
    assert "To UA-KYIV: awaiting their answer" in sup
    assert "risk assessment" in sup
    # the return misses its approved risk assessment
    assert "a risk assessment with a mitigation plan" in sup.split('id="queue-returns"')[1]
    assert "Lost contact with the person" in sup
    a = page_of(login(world.user("A", "caseworker")).get("/"))
    assert "From TH-BKK: answer" in a
    assert "Lost contact" not in a and "a risk assessment with" not in a
    assert "Work waiting" not in page_of(login(world.user("B", "researcher")).get("/"))


def test_monitoring_due_lists_the_latest_visit_within_a_week(world: World, login: Any) -> None:
    b_cw = world.user("B", "caseworker")
    case = assisted_case(world)
    monitoring_visit_record(
        actor=b_cw,
        case=case,
        date=clock.today(),
        status="progressing",
        next_visit_due=clock.today() + dt.timedelta(days=5),
    )
    page = page_of(login(b_cw).get("/"))
    assert (
        reverse("returns:reintegration", args=[case.pk]) in page.split('id="queue-monitoring"')[1]
    )
    monitoring_visit_record(
        actor=b_cw,
        case=case,
        date=clock.today(),
        status="progressing",
        next_visit_due=clock.today() + dt.timedelta(days=30),
    )
    page = page_of(login(b_cw).get("/"))
    assert (
        reverse("returns:reintegration", args=[case.pk])
        not in page.split('id="queue-monitoring"')[1]
    )


def test_home_page_query_count_is_pinned(
    world: World, login: Any, django_assert_num_queries: Any
) -> None:
    busy_office_b(world)
    client = login(world.user("B", "supervisor"))
    client.get("/")  # warm the session and the reference caches
    with django_assert_num_queries(HOME_QUERIES):
        response = client.get("/")
    assert response.status_code == 200


# Session, user, memberships, then one query per queue; each return in planning adds the three
# queries its gates take (at most QUEUE_LIMIT returns are shown). The session is not saved
# within its refresh interval (accounts/tests/test_sessions.py).
HOME_QUERIES = 15


def test_the_case_page_sections_show_each_thing_the_case_has(world: World, login: Any) -> None:
    """The transfer and return sections ask first whether the case has any: each thing, added
    one at a time, appears, and a case with none of them reads as empty."""
    from safepassage.cases.services import consent_record
    from safepassage.returns.selectors import case_return_section
    from safepassage.transfers.selectors import case_transfer_section
    from safepassage.transfers.services import referral_make

    b_cw = world.user("B", "caseworker")
    case = assisted_case(world)

    def sections() -> tuple[dict[str, Any], dict[str, Any]]:
        return case_transfer_section(case), case_return_section(case)

    empty = (
        {"transfers": [], "referral_count": 0},
        {"returns": [], "visits": [], "open_alerts": 0},
    )
    assert sections() == empty
    plan = plan_for(world, case)
    assert sections()[1]["returns"] == [plan]
    monitoring_visit_record(actor=b_cw, case=case, date=clock.today(), status="re_trafficked")
    transfers, returns = sections()
    assert [v.status for v in returns["visits"]] == ["re_trafficked"]
    assert returns["open_alerts"] == Alert.objects.filter(case=case).count() == 1
    assert transfers == empty[0]
    give_consent(case, b_cw, ConsentScope.SHARING_OFFICE, office=world.office_a)
    transfer = transfer_request(actor=b_cw, case=case, to_office=world.office_a)
    assert sections()[0]["transfers"] == [transfer]
    consent_record(
        actor=b_cw,
        case=case,
        scope="sharing_partner",
        given=True,
        form="written",
        date=clock.today(),
        recipient_partner="Shelter North",
        shared_data=["identity"],
    )
    referral_make(
        actor=b_cw,
        case=case,
        organisation_type="NGO",
        organisation_name="Shelter North",
        purpose="shelter",
        date=clock.today(),
    )
    assert sections()[0]["referral_count"] == 1
    # and the page shows them
    page = page_of(login(b_cw).get(reverse("cases:case_detail", args=[case.pk])))
    assert reverse("returns:return_detail", args=[plan.pk]) in page
    assert "1 open alert" in page and "1 referral to a partner." in page
