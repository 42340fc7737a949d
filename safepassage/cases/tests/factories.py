"""Builders for case-work tests. They go through the real services, so every record they make
is audited and valid exactly as in production."""

from __future__ import annotations

import datetime as dt
from typing import Any

from safepassage.accounts.models import User
from safepassage.cases.models import (
    BeneficiaryCategory,
    BirthDatePrecision,
    Case,
    Consent,
    ConsentScope,
    ReferralSource,
)
from safepassage.cases.services import case_open, consent_record, person_register
from safepassage.offices.models import Office
from safepassage.screening.models import Screening
from safepassage.screening.services import screening_save

TODAY = dt.date(2026, 11, 1)


def make_case(
    office: Office,
    actor: User,
    *,
    given: str = "Oleksandr",
    family: str = "Kovalenko",
    birth_date: dt.date | None = dt.date(1990, 5, 17),
    precision: str = BirthDatePrecision.EXACT,
    citizenship: str = "UKR",
    sex: str = "Masculine",
    category: str = BeneficiaryCategory.PRESUMED_VOT,
    registered: dt.date = TODAY,
    **person: Any,
) -> Case:
    created = person_register(
        actor=actor,
        office=office,
        data={
            "given_names": given,
            "family_names": family,
            "birth_date": birth_date,
            "birth_date_precision": precision if birth_date else BirthDatePrecision.UNKNOWN,
            "citizenship": citizenship,
            "sex": sex,
            **person,
        },
    )
    return case_open(
        actor=actor,
        person=created,
        registration_date=registered,
        referral_source=ReferralSource.NGO,
        beneficiary_category=category,
    )


def give_consent(
    case: Case, actor: User, *scopes: str, written: bool = True, office: Office | None = None
) -> list[Consent]:
    return [
        consent_record(
            actor=actor,
            case=case,
            scope=scope,
            given=True,
            form=Consent.Form.WRITTEN if written else Consent.Form.VERBAL,
            date=TODAY,
            recipient_office=office if scope == ConsentScope.SHARING_OFFICE else None,
            recipient_partner="Partner NGO" if scope == ConsentScope.SHARING_PARTNER else "",
        )
        for scope in scopes
    ]


def screen(
    case: Case,
    actor: User,
    *,
    action: bool = True,
    means: bool = True,
    purpose: bool = True,
    recruited: dt.date | None = dt.date(2025, 3, 1),
    submit: bool = True,
    **extra: Any,
) -> Screening:
    """Screen a case with the chosen Protocol elements present (interview consent included)."""
    from safepassage.cases.services import active_consent

    if active_consent(case, ConsentScope.INTERVIEW) is None:
        give_consent(case, actor, ConsentScope.INTERVIEW)
    case.refresh_from_db()
    data: dict[str, Any] = {
        "recruitment_date": recruited,
        "action_recruitment": action,
        "means_of_control": ["Threats", "WithholdsDocuments"] if means else [],
        "exploitation_types": ["ForcedLabour"] if purpose else [],
        "labour_sectors": ["Construction"] if purpose else [],
        "country_of_exploitation": "RUS" if purpose else None,
        **extra,
    }
    return screening_save(
        actor=actor, case=case, expected_version=case.version, data=data, submit=submit
    )
