"""The determination rule of the UN Trafficking Protocol, art. 3.

An adult is a victim of trafficking when the action, the means and the purpose are all present.
A child (under 18 when recruited) needs only the action and the purpose: art. 3(c) makes the
means irrelevant for children. When the age at recruitment is uncertain the rule resolves in
favour of protection: a year-only or month-only birth date counts from the latest day it could
be, and a person presumed to be a child is treated as one.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from safepassage.cases.models import NEEDS_FIRST_CATEGORIES, Case
from safepassage.screening.models import DeterminationOutcome, Screening

ADULT_AGE = 18


def age_on(born: dt.date, day: dt.date) -> int:
    """Completed years on `day` (a person born on 29 February turns a year older on 1 March in
    non-leap years)."""
    years = day.year - born.year
    if (day.month, day.day) < (born.month, born.day):
        years -= 1
    return years


@dataclass(frozen=True)
class RuleInput:
    action: bool
    means: bool
    purpose: bool
    child: bool | None  # None: age at recruitment unknown
    needs_first_category: bool


@dataclass(frozen=True)
class Suggestion:
    outcome: str
    basis: dict[str, Any]


def recruitment_day(screening: Screening) -> dt.date | None:
    if screening.recruitment_date:
        return screening.recruitment_date
    events = [e for e in screening.events.all() if e.type == "Recruitment" and e.start_date]
    if events:
        return min(e.start_date for e in events if e.start_date)
    return screening.exploitation_start


def child_at_recruitment(case: Case, screening: Screening) -> bool | None:
    if screening.presumed_child:
        return True
    born = case.person.latest_possible_birth_date()
    day = recruitment_day(screening) or case.registration_date
    if born is None:
        return None
    return age_on(born, day) < ADULT_AGE


def apply_rule(facts: RuleInput) -> Suggestion:
    child = facts.child is True
    elements_needed = ("action", "purpose") if child else ("action", "means", "purpose")
    present = {"action": facts.action, "means": facts.means, "purpose": facts.purpose}
    basis: dict[str, Any] = {
        **present,
        "child": facts.child,
        "rule": "child: action + purpose" if child else "adult: action + means + purpose",
        "missing": [name for name in elements_needed if not present[name]],
    }
    if all(present[name] for name in elements_needed):
        return Suggestion(DeterminationOutcome.VOT, basis)
    if facts.purpose:
        return Suggestion(DeterminationOutcome.EXPLOITED, basis)
    if facts.needs_first_category or child:
        return Suggestion(DeterminationOutcome.VULNERABLE, basis)
    return Suggestion(DeterminationOutcome.NOT_ELIGIBLE, basis)


def suggest(case: Case, screening: Screening) -> Suggestion:
    return apply_rule(
        RuleInput(
            action=screening.action_present,
            means=screening.means_present,
            purpose=screening.purpose_present,
            child=child_at_recruitment(case, screening),
            needs_first_category=case.beneficiary_category in NEEDS_FIRST_CATEGORIES,
        )
    )


def explain(suggestion: Suggestion) -> list[str]:
    """Plain sentences for the determination page."""
    from django.utils.translation import gettext as _

    basis = suggestion.basis
    lines = []
    if basis["child"] is True:
        lines.append(
            _(
                "The person was under 18 when recruited: the child rule applies (action and purpose suffice)."
            )
        )
    elif basis["child"] is None:
        lines.append(
            _(
                "The age at recruitment is unknown: the adult rule applies. If the person may have been a child, record the date of birth or mark them as presumed a child."
            )
        )
    else:
        lines.append(
            _(
                "The person was an adult when recruited: action, means and purpose must all be present."
            )
        )
    names = {"action": _("action"), "means": _("means"), "purpose": _("purpose (exploitation)")}
    for key, label in names.items():
        state = _("present") if basis[key] else _("not recorded")
        lines.append(f"{label}: {state}")
    if basis["missing"]:
        lines.append(
            _("Missing for identification as a victim of trafficking: %(missing)s.")
            % {"missing": ", ".join(str(names[m]) for m in basis["missing"])}
        )
    return lines
