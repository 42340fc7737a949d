"""The gates a return must pass before it can be scheduled, each with the message naming what
is missing (the seed's AVRR chapter and its text box on returning a trafficked child)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils.translation import gettext as _

from safepassage.cases.models import BeneficiaryCategory, ConsentScope
from safepassage.cases.services import active_consent
from safepassage.returns.models import ReturnPlan, RiskAssessment
from safepassage.screening.rules import ADULT_AGE, age_on
from safepassage.screening.services import latest_submitted


@dataclass(frozen=True)
class Gate:
    key: str
    label: str
    met: bool


def is_child_on(plan: ReturnPlan, day: dt.date) -> bool:
    """Under 18 on the day of return. An unknown age counts as a child when the person is an
    unaccompanied child or was presumed a child at screening (protection first)."""
    case = plan.case
    born = case.person.latest_possible_birth_date()
    if born is not None:
        return age_on(born, day) < ADULT_AGE
    screening = latest_submitted(case)
    return case.beneficiary_category == BeneficiaryCategory.UNACCOMPANIED_CHILD or bool(
        screening and screening.presumed_child
    )


def approved_risk_assessment(plan: ReturnPlan) -> RiskAssessment | None:
    return (
        plan.risk_assessments.filter(status=RiskAssessment.Status.APPROVED)
        .order_by("-reviewed_at", "-pk")
        .first()
    )


def return_gates(plan: ReturnPlan, day: dt.date) -> list[Gate]:
    assessment = approved_risk_assessment(plan)
    gates = [
        Gate(
            "risk_assessment",
            _("a risk assessment with a mitigation plan, approved by a supervisor"),
            assessment is not None and bool(assessment.mitigation_plan.strip()),
        ),
        Gate(
            "consent",
            _("the person's written informed consent to return"),
            active_consent(plan.case, ConsentScope.RETURN, written=True) is not None,
        ),
    ]
    if is_child_on(plan, day):
        gates += [
            Gate("child_wish", _("the child's wish to return"), plan.child_wishes_to_return),
            Gate(
                "best_interest",
                _(
                    "a best-interest determination by a competent authority concluding that return is in the child's best interest"
                ),
                bool(plan.bid_authority.strip())
                and plan.bid_date is not None
                and plan.bid_return_in_best_interest,
            ),
            Gate(
                "guardian",
                _("the legal guardian notified and willing and able to receive the child"),
                plan.guardian_notified and plan.guardian_willing_and_able,
            ),
            Gate("family_assessment", _("a family assessment"), plan.family_assessment_done),
        ]
    return gates


def missing_gates(plan: ReturnPlan, day: dt.date) -> list[Gate]:
    return [gate for gate in return_gates(plan, day) if not gate.met]
