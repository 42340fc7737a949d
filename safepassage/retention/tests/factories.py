"""Builders for retention tests: full case files made through the real services, closed on a
chosen day (the clock is set for the closing only)."""

from __future__ import annotations

import datetime as dt
from typing import Any
from unittest import mock

from safepassage.accounts.models import User
from safepassage.assistance.services import assistance_record
from safepassage.cases.models import (
    BeneficiaryCategory,
    Case,
    ClosureReason,
    ConsentScope,
    Person,
    ReferralSource,
)
from safepassage.cases.services import (
    case_close,
    case_note_add,
    case_open,
    consent_record,
    document_add,
)
from safepassage.cases.tests.factories import give_consent, make_case, screen
from safepassage.offices.models import Office

# Invented identifiers, looked for in exports and (as absent) after anonymisation.
SECRETS = {
    "given": "Vasylyna",
    "family": "Hnatyshyn",
    "given_original": "Василина",
    "alias": "Lina H.",
    "phone": "+380 44 000 1234",
    "email": "lina@example.invalid",
    "address": "12 Invented Street, Kyiv",
    "birth_place": "Zhytomyr",
    "document": "FX000111",
    "note": "Says the agency kept her passport in a safe.",
    "promised_job": "Waitress in a hotel",
    "interview": "Interviewed with an interpreter present.",
    "guardian": "Maria Hnatyshyn",
    "provider": "Shelter Seven",
    "service_note": "Needs follow-up with a dentist.",
}


def close_on(case: Case, supervisor: User, day: dt.date) -> Case:
    """Close the case as if on `day` (a supervisor's close, so no approval step)."""
    case.refresh_from_db()
    moment = dt.datetime.combine(day, dt.time(15, 30), tzinfo=dt.UTC)
    with mock.patch("safepassage.core.clock.now", return_value=moment):
        return case_close(
            actor=supervisor,
            case=case,
            reason=ClosureReason.ASSISTANCE_COMPLETED,
            expected_version=case.version,
        )


def another_case(person: Person, worker: User, registered: dt.date) -> Case:
    """A further case for a registered person (as after search-before-create)."""
    return case_open(
        actor=worker,
        person=person,
        registration_date=registered,
        referral_source=ReferralSource.NGO,
        beneficiary_category=BeneficiaryCategory.PRESUMED_VOT,
    )


def full_case(
    office: Office,
    worker: User,
    *,
    registered: dt.date,
    birth_date: dt.date | None = dt.date(1990, 5, 17),
    **person: Any,
) -> Case:
    """A case with every kind of personal data: identifiers, a document, consents (one given
    by a guardian), a note, a submitted screening with free text, and assistance."""
    secrets = SECRETS
    person.setdefault("given", secrets["given"])
    person.setdefault("family", secrets["family"])
    case = make_case(
        office,
        worker,
        registered=registered,
        birth_date=birth_date,
        given_names_original=secrets["given_original"],
        aliases=[secrets["alias"]],
        phone=secrets["phone"],
        email=secrets["email"],
        address=secrets["address"],
        birth_place=secrets["birth_place"],
        languages=["ukr"],
        **person,
    )
    document_add(
        actor=worker,
        case=case,
        data={"kind": "passport", "number": secrets["document"], "issuing_country": "UKR"},
    )
    case_note_add(actor=worker, case=case, text=secrets["note"])
    consent_record(
        actor=worker,
        case=case,
        scope=ConsentScope.DATA_COLLECTION,
        given=True,
        form="written",
        date=registered,
        given_by="guardian",
        guardian_name=secrets["guardian"],
    )
    screen(
        case,
        worker,
        recruited=registered - dt.timedelta(days=40),
        promised_job=secrets["promised_job"],
        notes=secrets["interview"],
    )
    give_consent(case, worker, ConsentScope.ASSISTANCE)
    case.refresh_from_db()
    assistance_record(
        actor=worker,
        case=case,
        service_type="legal",
        phase="reintegration",
        start_date=registered + dt.timedelta(days=3),
        provider_kind="partner",
        provider_name=secrets["provider"],
        notes=secrets["service_note"],
    )
    case.refresh_from_db()
    return case
