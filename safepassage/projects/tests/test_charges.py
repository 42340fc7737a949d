"""Fund eligibility and charges at the service level: each rule refused and accepted, the
cross-office and role boundaries, and the audit events."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from safepassage.assistance.models import AssistanceService, Phase, ServiceType
from safepassage.assistance.services import assistance_record
from safepassage.audit.models import AuditEvent
from safepassage.cases.models import Case, ConsentScope
from safepassage.cases.tests.factories import give_consent, make_case, screen
from safepassage.core.errors import Conflict, GateNotMet, NotFound, ValidationFailed
from safepassage.projects.errors import FundNotEligible
from safepassage.projects.models import FundCharge
from safepassage.projects.selectors import fund_totals
from safepassage.projects.services import (
    fund_charge_assistance,
    fund_charge_case,
    gaf_attestation_record,
)
from safepassage.projects.tests.factories import make_gaf, make_regional

STATEMENT = "Checked the national referral project and the regional return project: both full."


@pytest.fixture
def worker(world):
    return world.user("A", "caseworker")


def cross_border_case(world: Any, worker: Any, **screen_extra: Any) -> Case:
    """Ukrainian citizen exploited in Russia (the factory screening), assisted in Kyiv."""
    case = make_case(world.office_a, worker)
    screen(case, worker, **screen_extra)
    case.refresh_from_db()
    return case


def last_event(event_type: str) -> AuditEvent:
    return AuditEvent.objects.filter(event_type=event_type).latest("seq")


# --- GAF ------------------------------------------------------------------------------------


def test_gaf_accepts_cross_border_case_with_attestation(world, worker) -> None:
    # given a cross-border case with an attestation
    fund = make_gaf()
    case = cross_border_case(world, worker)
    gaf_attestation_record(actor=worker, case=case, statement=STATEMENT)
    # when charged
    charge = fund_charge_case(actor=worker, fund=fund, case=case, amount_usd=Decimal("800"))
    # then the commitment exists and is audited without personal values
    assert charge.kind == FundCharge.Kind.COMMITMENT
    assert charge.amount_usd == Decimal("800.00")
    event = last_event("fund.case_charged")
    assert event.target_id == str(charge.pk)
    assert event.office == world.office_a
    assert event.metadata == {"fund": "GAF", "case_id": case.pk}
    attest = last_event("fund.gaf_attested")
    assert attest.changed_fields == ["attested_on", "statement"]
    assert STATEMENT not in str(attest.metadata)


def test_gaf_refuses_without_attestation(world, worker) -> None:
    fund = make_gaf()
    case = cross_border_case(world, worker)
    with pytest.raises(FundNotEligible) as refused:
        fund_charge_case(actor=worker, fund=fund, case=case)
    assert refused.value.missing == [
        (
            "No attestation is recorded that no comparable regional or national project can "
            "assist the person."
        )
    ]
    assert isinstance(refused.value, GateNotMet)
    assert not FundCharge.objects.exists()


def test_gaf_refuses_internal_trafficking(world, worker) -> None:
    # given exploitation in Ukraine of a Ukrainian citizen
    fund = make_gaf()
    case = cross_border_case(world, worker, country_of_exploitation="UKR")
    gaf_attestation_record(actor=worker, case=case, statement=STATEMENT)
    with pytest.raises(FundNotEligible) as refused:
        fund_charge_case(actor=worker, fund=fund, case=case)
    assert "not trafficked across an international border" in refused.value.message
    assert "(UKR)" in refused.value.message


def test_gaf_refuses_when_a_second_citizenship_is_the_country_of_exploitation(
    world, worker
) -> None:
    fund = make_gaf()
    case = make_case(world.office_a, worker, other_citizenships=["RUS"])
    screen(case, worker)
    gaf_attestation_record(actor=worker, case=case, statement=STATEMENT)
    with pytest.raises(FundNotEligible, match="one of their citizenships"):
        fund_charge_case(actor=worker, fund=fund, case=case)


def test_gaf_refuses_without_a_submitted_screening(world, worker) -> None:
    fund = make_gaf()
    case = make_case(world.office_a, worker)
    screen(case, worker, submit=False)  # a draft does not count
    case.refresh_from_db()
    gaf_attestation_record(actor=worker, case=case, statement=STATEMENT)
    with pytest.raises(FundNotEligible, match="No submitted screening"):
        fund_charge_case(actor=worker, fund=fund, case=case)


def test_gaf_refuses_unknown_country_of_exploitation(world, worker) -> None:
    fund = make_gaf()
    case = cross_border_case(world, worker, purpose=False)  # no exploitation recorded
    gaf_attestation_record(actor=worker, case=case, statement=STATEMENT)
    with pytest.raises(FundNotEligible, match="does not record the country of exploitation"):
        fund_charge_case(actor=worker, fund=fund, case=case)


def test_gaf_refuses_unknown_citizenship(world, worker) -> None:
    fund = make_gaf()
    case = make_case(world.office_a, worker, citizenship="")
    screen(case, worker)
    gaf_attestation_record(actor=worker, case=case, statement=STATEMENT)
    with pytest.raises(FundNotEligible, match="citizenship is not recorded"):
        fund_charge_case(actor=worker, fund=fund, case=case)


def test_gaf_refusal_names_every_missing_condition(world, worker) -> None:
    fund = make_gaf()
    case = make_case(world.office_a, worker)
    with pytest.raises(FundNotEligible) as refused:
        fund_charge_case(actor=worker, fund=fund, case=case)
    assert len(refused.value.missing) == 2


# --- regional fund --------------------------------------------------------------------------


def test_regional_fund_accepts_national_assisted_in_a_member_state(world, worker) -> None:
    fund = make_regional(["UKR", "MDA", "BLR"])
    case = make_case(world.office_a, worker, citizenship="MDA")
    charge = fund_charge_case(actor=worker, fund=fund, case=case)
    assert charge.fund == fund


def test_regional_fund_accepts_any_citizenship_of_a_member_state(world, worker) -> None:
    fund = make_regional(["UKR", "MDA"])
    case = make_case(world.office_a, worker, citizenship="USA", other_citizenships=["MDA"])
    assert fund_charge_case(actor=worker, fund=fund, case=case)


def test_regional_fund_refuses_non_member_national(world, worker) -> None:
    fund = make_regional(["UKR", "MDA"])
    case = make_case(world.office_a, worker, citizenship="THA")
    with pytest.raises(FundNotEligible, match=r"not a national of a member state \(THA\)"):
        fund_charge_case(actor=worker, fund=fund, case=case)


def test_regional_fund_refuses_assistance_outside_member_states(world) -> None:
    # given a Moldovan assisted in Thailand, fund members MDA and UKR
    worker_b = world.user("B", "caseworker")
    fund = make_regional(["UKR", "MDA"])
    case = make_case(world.office_b, worker_b, citizenship="MDA")
    with pytest.raises(FundNotEligible, match=r"assisted \(THA\) is not a member state"):
        fund_charge_case(actor=worker_b, fund=fund, case=case)


def test_regional_fund_refuses_unknown_nationality(world, worker) -> None:
    fund = make_regional(["UKR"])
    case = make_case(world.office_a, worker, citizenship="")
    with pytest.raises(FundNotEligible, match="nationality is not recorded"):
        fund_charge_case(actor=worker, fund=fund, case=case)


# --- assistance charges, totals, boundaries --------------------------------------------------


def paid_service(
    case: Case, actor: Any, amount: str = "1000.00", currency: str = "EUR"
) -> AssistanceService:
    give_consent(case, actor, ConsentScope.ASSISTANCE)
    case.refresh_from_db()
    return assistance_record(
        actor=actor,
        case=case,
        service_type=ServiceType.MEDICAL,
        phase=Phase.PROTECTION,
        start_date=dt.date(2026, 10, 1),
        amount=Decimal(amount),
        currency=currency,
    )


def test_assistance_charge_converts_once_and_counts_as_spent(world, worker) -> None:
    fund = make_regional(["UKR", "MDA"])
    case = make_case(world.office_a, worker, citizenship="MDA")
    fund_charge_case(actor=worker, fund=fund, case=case, amount_usd=Decimal("2000"))
    service = paid_service(case, worker, amount="1000.00", currency="EUR")
    charge = fund_charge_assistance(
        actor=worker, fund=fund, assistance=service, usd_rate=Decimal("1.3923")
    )
    assert charge.amount_usd == Decimal("1392.30")
    assert (charge.amount, charge.currency, charge.usd_rate) == (
        Decimal("1000.00"),
        "EUR",
        Decimal("1.3923"),
    )
    totals = fund_totals(fund=fund)
    assert totals.committed == Decimal("2000.00")
    assert totals.spent == Decimal("1392.30")
    assert totals.outstanding == Decimal("607.70")
    assert totals.available == Decimal("50000") - Decimal("2000.00")
    assert totals.cases == 1
    assert last_event("fund.assistance_charged").metadata["service_id"] == service.pk


def test_assistance_charge_checks_eligibility_too(world, worker) -> None:
    fund = make_regional(["MDA"])
    case = make_case(world.office_a, worker, citizenship="MDA")
    service = paid_service(case, worker)
    with pytest.raises(FundNotEligible, match="UKR"):
        fund_charge_assistance(actor=worker, fund=fund, assistance=service, usd_rate=Decimal(1))


def test_assistance_charge_needs_a_rate_for_other_currencies(world, worker) -> None:
    fund = make_regional(["UKR"])
    case = make_case(world.office_a, worker)
    service = paid_service(case, worker, currency="UAH")
    with pytest.raises(ValidationFailed, match="USD rate"):
        fund_charge_assistance(actor=worker, fund=fund, assistance=service)
    usd_service = paid_service(case, worker, amount="10.50", currency="USD")
    assert fund_charge_assistance(actor=worker, fund=fund, assistance=usd_service).amount_usd == (
        Decimal("10.50")
    )
    with pytest.raises(Conflict):
        fund_charge_assistance(actor=worker, fund=fund, assistance=usd_service)


def test_charging_another_offices_case_is_not_found(world) -> None:
    fund = make_regional(["UKR"])
    case = make_case(world.office_a, world.user("A", "caseworker"))
    for user in (world.user("B", "caseworker"), world.user("B", "data_manager")):
        with pytest.raises(NotFound):
            fund_charge_case(actor=user, fund=fund, case=case)
    with pytest.raises(NotFound):
        gaf_attestation_record(actor=world.user("B", "supervisor"), case=case, statement=STATEMENT)
    assert not FundCharge.objects.exists()


def test_admins_and_researchers_cannot_charge(world) -> None:
    fund = make_regional(["UKR"])
    case = make_case(world.office_a, world.user("A", "caseworker"))
    for role in ("admin", "researcher", "auditor"):
        with pytest.raises(NotFound):
            fund_charge_case(actor=world.user("A", role), fund=fund, case=case)


def test_data_manager_may_charge(world) -> None:
    fund = make_regional(["UKR"])
    case = make_case(world.office_a, world.user("A", "caseworker"))
    assert fund_charge_case(actor=world.user("A", "data_manager"), fund=fund, case=case)
    with pytest.raises(Conflict):
        fund_charge_case(actor=world.user("A", "supervisor"), fund=fund, case=case)


def test_fund_of_other_offices_is_refused(world, worker) -> None:
    fund = make_regional(["UKR", "THA"], offices=[world.office_b])
    case = make_case(world.office_a, worker)
    with pytest.raises(GateNotMet, match="not available to the office"):
        fund_charge_case(actor=worker, fund=fund, case=case)
