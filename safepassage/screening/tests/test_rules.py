"""The determination rule (UN Trafficking Protocol art. 3): the full table and the age boundary."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest

from safepassage.cases.models import BeneficiaryCategory, BirthDatePrecision
from safepassage.cases.tests.factories import give_consent, make_case, screen
from safepassage.screening.models import DeterminationOutcome as O
from safepassage.screening.rules import RuleInput, age_on, apply_rule, child_at_recruitment, suggest


def expected(child: bool, action: bool, means: bool, purpose: bool, needs_first: bool) -> str:
    elements = action and purpose and (child or means)
    if elements:
        return O.VOT
    if purpose:
        return O.EXPLOITED
    if needs_first or child:
        return O.VULNERABLE
    return O.NOT_ELIGIBLE


@pytest.mark.parametrize(
    ("child", "action", "means", "purpose", "needs_first"),
    list(itertools.product([False, True], repeat=5)),
)
def test_full_determination_table(
    child: bool, action: bool, means: bool, purpose: bool, needs_first: bool
) -> None:
    suggestion = apply_rule(
        RuleInput(
            action=action,
            means=means,
            purpose=purpose,
            child=child,
            needs_first_category=needs_first,
        )
    )
    assert suggestion.outcome == expected(child, action, means, purpose, needs_first)


def test_the_eight_protocol_cases_spelled_out() -> None:
    def outcome(child: bool, a: bool, m: bool, p: bool) -> str:
        return apply_rule(
            RuleInput(action=a, means=m, purpose=p, child=child, needs_first_category=False)
        ).outcome

    # adults need all three elements
    assert outcome(False, True, True, True) == O.VOT
    assert outcome(False, True, False, True) == O.EXPLOITED
    assert outcome(False, False, True, True) == O.EXPLOITED
    assert outcome(False, True, True, False) == O.NOT_ELIGIBLE
    # children need action and purpose only
    assert outcome(True, True, False, True) == O.VOT
    assert outcome(True, True, True, True) == O.VOT
    assert outcome(True, False, True, True) == O.EXPLOITED
    assert outcome(True, True, True, False) == O.VULNERABLE


def test_unknown_age_applies_the_adult_rule_and_says_so() -> None:
    suggestion = apply_rule(
        RuleInput(action=True, means=False, purpose=True, child=None, needs_first_category=False)
    )
    assert suggestion.outcome == O.EXPLOITED
    assert suggestion.basis["missing"] == ["means"]


def test_age_on() -> None:
    assert age_on(dt.date(2000, 3, 2), dt.date(2018, 3, 1)) == 17
    assert age_on(dt.date(2000, 3, 2), dt.date(2018, 3, 2)) == 18
    assert age_on(dt.date(2000, 2, 29), dt.date(2018, 2, 28)) == 17
    assert age_on(dt.date(2000, 2, 29), dt.date(2018, 3, 1)) == 18


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("recruited", "child", "outcome"),
    [
        (dt.date(2018, 3, 1), True, O.VOT),  # 17 years and 364 days: a child, means not needed
        (dt.date(2018, 3, 2), False, O.EXPLOITED),  # 18th birthday: an adult, means needed
    ],
)
def test_child_boundary_through_the_screening(world, recruited, child, outcome) -> None:
    # given a person born on 2 March 2000, screened with action and purpose but no means
    actor = world.user("A", "caseworker")
    case = make_case(
        world.office_a, actor, birth_date=dt.date(2000, 3, 2), registered=dt.date(2019, 1, 10)
    )
    screening = screen(case, actor, means=False, recruited=recruited)
    # then the rule treats them as a child only before their 18th birthday
    assert child_at_recruitment(case, screening) is child
    assert suggest(case, screening).outcome == outcome


@pytest.mark.django_db
def test_year_only_birth_date_resolves_for_protection(world) -> None:
    # born "2000" (year only), recruited in June 2018: could still have been 17, so a child
    actor = world.user("A", "caseworker")
    case = make_case(
        world.office_a,
        actor,
        birth_date=dt.date(2000, 1, 1),
        precision=BirthDatePrecision.YEAR,
        registered=dt.date(2019, 1, 10),
    )
    screening = screen(case, actor, means=False, recruited=dt.date(2018, 6, 15))
    assert child_at_recruitment(case, screening) is True


@pytest.mark.django_db
def test_presumed_child_is_a_child_without_a_birth_date(world) -> None:
    actor = world.user("A", "caseworker")
    case = make_case(
        world.office_a, actor, birth_date=None, category=BeneficiaryCategory.UNACCOMPANIED_CHILD
    )
    give_consent(case, actor, "interview")
    screening = screen(case, actor, means=False, presumed_child=True)
    assert suggest(case, screening).outcome == O.VOT
