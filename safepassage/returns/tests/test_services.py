from __future__ import annotations

import datetime as dt

import pytest

from safepassage.assistance.services import assistance_record
from safepassage.audit.models import AuditEvent
from safepassage.cases.models import BirthDatePrecision, CaseStatus, ConsentScope
from safepassage.cases.tests.factories import give_consent, make_case, screen
from safepassage.core import clock
from safepassage.core.errors import (
    Conflict,
    GateNotMet,
    NotFound,
    PermissionDenied,
    ValidationFailed,
)
from safepassage.returns.gates import missing_gates
from safepassage.returns.models import Alert, ReturnPlan, ReturnStatus
from safepassage.returns.services import (
    alert_resolve,
    monitoring_visit_record,
    return_acknowledge_arrival,
    return_cancel,
    return_depart,
    return_plan_create,
    return_plan_update,
    return_schedule,
    risk_assessment_approve,
    risk_assessment_record,
)

pytestmark = pytest.mark.django_db

CHILD_SAFEGUARDS = {
    "child_wishes_to_return": True,
    "bid_authority": "Child protection authority",
    "bid_date": dt.date(2026, 10, 20),
    "bid_return_in_best_interest": True,
    "guardian_notified": True,
    "guardian_willing_and_able": True,
    "family_assessment_done": True,
}


def assisted_case(
    world, *, birth_date: dt.date = dt.date(1990, 5, 17), precision: str = BirthDatePrecision.EXACT
):
    b_cw = world.user("B", "caseworker")
    case = make_case(
        world.office_b,
        b_cw,
        birth_date=birth_date,
        precision=precision,
        registered=dt.date(2026, 1, 5),
    )
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


def plan_for(world, case) -> ReturnPlan:
    return return_plan_create(
        actor=world.user("B", "caseworker"),
        case=case,
        data={
            "destination_country": "UKR",
            "destination_community": "Kharkiv oblast",
            "receiving_office": world.office_a,
        },
    )


def approve_risk(world, plan) -> None:
    assessment = risk_assessment_record(
        actor=world.user("B", "caseworker"),
        plan=plan,
        level="medium",
        risks="Recruiter lives in the home village",
        mitigation_plan="Relocation to the regional centre; reception by the origin office",
    )
    risk_assessment_approve(actor=world.user("B", "supervisor"), assessment=assessment)


def departure(days: int = 7) -> dt.date:
    return clock.today() + dt.timedelta(days=days)


def test_each_adult_gate_blocks_with_its_message_then_passes(world) -> None:
    cw = world.user("B", "caseworker")
    case = assisted_case(world)
    plan = plan_for(world, case)
    with pytest.raises(GateNotMet) as error:
        return_schedule(actor=cw, plan=plan, planned_date=departure())
    assert "risk assessment" in str(error.value) and "written informed consent" in str(error.value)
    assert error.value.errors["gates"] == ["risk_assessment", "consent"]
    approve_risk(world, plan)
    with pytest.raises(GateNotMet) as error:
        return_schedule(actor=cw, plan=plan, planned_date=departure())
    assert error.value.errors["gates"] == ["consent"]
    give_consent(case, cw, ConsentScope.RETURN, written=False)  # verbal is not enough
    with pytest.raises(GateNotMet, match="written informed consent"):
        return_schedule(actor=cw, plan=plan, planned_date=departure())
    give_consent(case, cw, ConsentScope.RETURN, written=True)
    scheduled = return_schedule(actor=cw, plan=plan, planned_date=departure())
    assert scheduled.status == ReturnStatus.SCHEDULED
    case.refresh_from_db()
    assert case.status == CaseStatus.RETURNING


def test_unapproved_risk_assessment_does_not_count(world) -> None:
    cw = world.user("B", "caseworker")
    case = assisted_case(world)
    plan = plan_for(world, case)
    give_consent(case, cw, ConsentScope.RETURN)
    assessment = risk_assessment_record(
        actor=cw, plan=plan, level="low", risks="none known", mitigation_plan="phone follow-up"
    )
    assert [g.key for g in missing_gates(plan, departure())] == ["risk_assessment"]
    with pytest.raises(PermissionDenied):
        risk_assessment_approve(actor=cw, assessment=assessment)
    with pytest.raises(ValidationFailed):
        risk_assessment_record(actor=cw, plan=plan, level="low", risks="x", mitigation_plan=" ")


@pytest.mark.parametrize(
    ("gate", "field_values"),
    [
        ("child_wish", {"child_wishes_to_return": False}),
        ("best_interest", {"bid_return_in_best_interest": False}),
        ("best_interest", {"bid_authority": ""}),
        ("guardian", {"guardian_willing_and_able": False}),
        ("guardian", {"guardian_notified": False}),
        ("family_assessment", {"family_assessment_done": False}),
    ],
)
def test_each_child_gate_blocks_with_its_message(world, gate, field_values) -> None:
    cw = world.user("B", "caseworker")
    # 17 on the planned departure day
    born = departure() - dt.timedelta(days=365 * 17 + 100)
    case = assisted_case(world, birth_date=born)
    plan = plan_for(world, case)
    approve_risk(world, plan)
    give_consent(case, cw, ConsentScope.RETURN)
    plan = return_plan_update(actor=cw, plan=plan, data={**CHILD_SAFEGUARDS, **field_values})
    with pytest.raises(GateNotMet) as error:
        return_schedule(actor=cw, plan=plan, planned_date=departure())
    assert error.value.errors["gates"] == [gate]
    plan = return_plan_update(actor=cw, plan=plan, data=CHILD_SAFEGUARDS)
    assert (
        return_schedule(actor=cw, plan=plan, planned_date=departure()).status
        == ReturnStatus.SCHEDULED
    )


def _eighteenth_birthday_on(day: dt.date) -> dt.date:
    return day.replace(year=day.year - 18)


@pytest.mark.parametrize(("offset", "child"), [(-1, True), (0, False)])
def test_child_gates_apply_at_17_and_not_at_18(world, offset, child) -> None:
    cw = world.user("B", "caseworker")
    day = departure(30)
    born = _eighteenth_birthday_on(day) - dt.timedelta(
        days=offset
    )  # offset -1: the birthday is tomorrow
    case = assisted_case(world, birth_date=born)
    plan = plan_for(world, case)
    approve_risk(world, plan)
    give_consent(case, cw, ConsentScope.RETURN)
    if child:
        with pytest.raises(GateNotMet, match="best-interest determination"):
            return_schedule(actor=cw, plan=plan, planned_date=day)
    else:
        assert (
            return_schedule(actor=cw, plan=plan, planned_date=day).status == ReturnStatus.SCHEDULED
        )


def test_receiving_office_acknowledges_arrival_and_monitoring_follows(world) -> None:
    b_cw, a_cw = world.user("B", "caseworker"), world.user("A", "caseworker")
    case = assisted_case(world)
    plan = plan_for(world, case)
    approve_risk(world, plan)
    give_consent(case, b_cw, ConsentScope.RETURN)
    return_schedule(actor=b_cw, plan=plan, planned_date=departure())
    with pytest.raises(ValidationFailed):
        return_depart(actor=b_cw, plan=plan, departure_date=departure())
    return_depart(actor=b_cw, plan=plan, departure_date=clock.today())
    with pytest.raises(NotFound):
        return_acknowledge_arrival(
            actor=world.user("HQ", "researcher"), plan=plan, arrival_date=clock.today()
        )
    arrived = return_acknowledge_arrival(actor=a_cw, plan=plan, arrival_date=clock.today())
    assert arrived.status == ReturnStatus.ARRIVED and arrived.acknowledged_by == a_cw
    case.refresh_from_db()
    assert case.status == CaseStatus.MONITORING
    assert AuditEvent.objects.get(event_type="return.arrived").office == world.office_a


def test_cancel_returns_the_case_to_assistance(world) -> None:
    b_cw = world.user("B", "caseworker")
    case = assisted_case(world)
    plan = plan_for(world, case)
    approve_risk(world, plan)
    give_consent(case, b_cw, ConsentScope.RETURN)
    return_schedule(actor=b_cw, plan=plan, planned_date=departure())
    return_cancel(actor=b_cw, plan=plan, reason="Person changed their mind")
    case.refresh_from_db()
    assert case.status == CaseStatus.ASSISTED
    with pytest.raises(Conflict):
        return_cancel(actor=b_cw, plan=plan, reason="again")


def test_re_trafficking_raises_an_alert_for_supervisors(world) -> None:
    b_cw, b_sup = world.user("B", "caseworker"), world.user("B", "supervisor")
    case = assisted_case(world)
    monitoring_visit_record(
        actor=b_cw,
        case=case,
        date=clock.today(),
        status="progressing",
        next_visit_due=clock.today() + dt.timedelta(days=30),
    )
    case.refresh_from_db()
    assert case.status == CaseStatus.MONITORING
    assert not Alert.objects.exists()
    monitoring_visit_record(actor=b_cw, case=case, date=clock.today(), status="re_trafficked")
    alert = Alert.objects.get()
    assert alert.kind == "re_trafficked" and alert.office == world.office_b
    with pytest.raises(PermissionDenied):
        alert_resolve(actor=b_cw, alert=alert)
    alert_resolve(actor=b_sup, alert=alert)
    with pytest.raises(NotFound):
        monitoring_visit_record(
            actor=world.user("A", "caseworker"), case=case, date=clock.today(), status="progressing"
        )
