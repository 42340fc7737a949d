"""Retention: who is anonymised when, what is left of them, and that no figure moves."""

from __future__ import annotations

import datetime as dt
import io
import json
from typing import Any

import pytest
from django.apps import apps
from django.core.management import call_command

from safepassage.assistance.models import AssistanceService
from safepassage.audit.models import AuditEvent
from safepassage.cases.models import (
    BirthDatePrecision,
    Case,
    CaseNote,
    Consent,
    IdentityDocument,
    Person,
    PersonNameKey,
)
from safepassage.cases.tests.factories import make_case
from safepassage.core.fields import EncryptedTextField
from safepassage.linkage.models import PersonCluster
from safepassage.offices.services import office_set_retention
from safepassage.retention.anonymise import PERSON_DROP, SCRUBS
from safepassage.retention.models import Anonymisation, AnonymisationReason
from safepassage.retention.services import person_anonymise, retention_apply
from safepassage.retention.tests.factories import SECRETS, another_case, close_on, full_case
from safepassage.screening.models import Screening
from safepassage.stats.models import CaseFact
from safepassage.stats.selectors import StatsFilters, indicator_report
from safepassage.stats.services import case_fact_rebuild

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 11, 1)
YEARS = (2012, 2013, 2014, 2015, 2024, 2025)


def reports() -> dict[int, Any]:
    """The annual report of every year the tests use, as the JSON it is published in."""
    return {
        year: json.loads(
            json.dumps(indicator_report(viewer=None, filters=StatsFilters(year=year)), default=str)
        )
        for year in YEARS
    }


def individuals() -> int:
    return CaseFact.objects.values("individual_id").distinct().count()


@pytest.fixture
def files(world):
    """Persons at office A (default period: 10 years) and B:
    - old: one case closed in 2015, long expired;
    - grown: a child at a 2012 registration and an adult at a 2015 one, both closed in 2015;
    - mixed: one expired case and one still open, so the person keeps identifiers;
    - recent: closed in 2024, within the period;
    - b_old: at office B, closed in 2014."""
    a, sup = world.user("A", "caseworker"), world.user("A", "supervisor")
    b, sup_b = world.user("B", "caseworker"), world.user("B", "supervisor")
    made: dict[str, Any] = {}
    made["old"] = full_case(world.office_a, a, registered=dt.date(2014, 6, 17))
    close_on(made["old"], sup, dt.date(2015, 2, 3))
    born = dt.date(1995, 3, 20)
    grown_first = full_case(
        world.office_a, a, registered=dt.date(2012, 8, 9), birth_date=born, given="Iryna"
    )
    grown_second = another_case(grown_first.person, a, dt.date(2015, 4, 2))
    close_on(grown_first, sup, dt.date(2013, 1, 10))
    close_on(grown_second, sup, dt.date(2015, 9, 1))
    made["grown"] = grown_first
    mixed_old = full_case(world.office_a, a, registered=dt.date(2013, 3, 3), given="Taras")
    close_on(mixed_old, sup, dt.date(2014, 1, 5))
    another_case(mixed_old.person, a, dt.date(2025, 2, 2))
    made["mixed"] = mixed_old
    made["recent"] = full_case(world.office_a, a, registered=dt.date(2024, 1, 8), given="Olha")
    close_on(made["recent"], sup, dt.date(2024, 12, 1))
    made["b_old"] = full_case(
        world.office_b, b, registered=dt.date(2013, 5, 5), citizenship="KHM", given="Dara"
    )
    close_on(made["b_old"], sup_b, dt.date(2014, 7, 7))
    return made


def test_expired_persons_are_anonymised_and_every_figure_stays(files):
    # Given the reports and the individuals counted before
    before, count = reports(), individuals()
    # When retention runs
    summary = retention_apply(today=TODAY)
    # Then exactly the persons whose every case expired are anonymised
    anonymised = set(Anonymisation.objects.values_list("person_id", flat=True))
    assert anonymised == {
        files["old"].person_id,
        files["grown"].person_id,
        files["b_old"].person_id,
    }
    assert summary.anonymised == 3
    assert summary.cases_anonymised == 4
    assert summary.kept_for_other_cases == 1  # "mixed" keeps identifiers: a case is open
    assert summary.by_office == {"UA-KYIV": 2, "TH-BKK": 1}
    # And every figure of every year is unchanged, also after a full rebuild of the table
    assert reports() == before
    assert individuals() == count
    case_fact_rebuild()
    assert reports() == before
    assert individuals() == count


def test_what_is_left_of_an_anonymised_person(files):
    retention_apply(today=TODAY)
    person = Person.objects.get(pk=files["old"].person_id)
    for name in PERSON_DROP:
        assert getattr(person, name) in ("", []), name
    assert person.languages == []
    assert person.birth_date is None
    assert person.birth_date_precision == BirthDatePrecision.UNKNOWN
    assert person.reported_age_group == "adult"
    assert person.reported_age_band == "24--26"
    assert person.citizenship_id == "UKR"
    assert not IdentityDocument.objects.filter(person=person).exists()
    assert not PersonNameKey.objects.filter(person=person).exists()
    case = Case.objects.get(pk=files["old"].pk)
    assert case.registration_date == dt.date(2014, 6, 1)
    assert case.closed_at is not None
    assert (case.closed_at.day, case.closed_at.hour) == (1, 0)
    assert not CaseNote.objects.filter(case=case).exists()
    consent = Consent.objects.get(case=case, scope="data_collection")
    assert consent.guardian_name == ""
    assert consent.date.day == 1
    screening = Screening.objects.get(case=case)
    assert screening.notes == ""
    assert screening.promised_job == ""
    assert screening.recruitment_date is not None
    assert screening.recruitment_date.day == 1
    assert screening.exploitation_types == ["ForcedLabour"]  # codes stay
    service = AssistanceService.objects.get(case=case)
    assert (service.notes, service.provider_name) == ("", "")
    assert service.start_date.day == 1
    # The person kept identifiers where another case is open.
    kept = Person.objects.get(pk=files["mixed"].person_id)
    assert kept.given_names == "Taras"
    assert IdentityDocument.objects.filter(person=kept).exists()


def test_a_child_who_came_back_as_an_adult_keeps_both_age_groups(files):
    facts = dict(
        CaseFact.objects.filter(case__person_id=files["grown"].person_id).values_list(
            "year", "age_group"
        )
    )
    assert facts == {2012: "child", 2015: "adult"}
    retention_apply(today=TODAY)
    person = Person.objects.get(pk=files["grown"].person_id)
    # Only a derived date is left: 18 years before the first adult registration's month.
    assert person.birth_date == dt.date(1997, 4, 1)
    assert person.birth_date_precision == BirthDatePrecision.ESTIMATED
    assert person.reported_age_group == "child"
    after = dict(
        CaseFact.objects.filter(case__person_id=person.pk).values_list("year", "age_group")
    )
    assert after == facts


def test_retention_is_idempotent_and_audited_without_values(files):
    retention_apply(today=TODAY)
    events = list(
        AuditEvent.objects.filter(event_type__in=("person.anonymised", "case.anonymised"))
    )
    assert len([e for e in events if e.event_type == "person.anonymised"]) == 3
    assert len([e for e in events if e.event_type == "case.anonymised"]) == 4
    text = json.dumps([[e.metadata, e.changed_fields] for e in events], ensure_ascii=False)
    for secret in SECRETS.values():
        assert secret not in text
    assert all(e.actor_id is None and e.source == "cli" for e in events)
    # A second run finds nothing more to do and writes nothing.
    again = retention_apply(today=TODAY)
    assert again.anonymised == 0
    assert again.already_anonymised == 3
    assert AuditEvent.objects.filter(event_type="person.anonymised").count() == 3
    assert person_anonymise(person=files["old"].person, reason="retention") is None


def test_dry_run_changes_nothing(files):
    summary = retention_apply(today=TODAY, dry_run=True)
    assert summary.persons_due == 3
    assert summary.anonymised == 0
    assert not Anonymisation.objects.exists()
    assert Person.objects.get(pk=files["old"].person_id).given_names == SECRETS["given"]


def test_an_office_period_overrides_the_default(files, world):
    # Office A keeps closed cases for 1 year only: the 2024 closure is then past it too.
    # Office B keeps 20 years: its 2014 closure stays identified.
    admin = world.user("HQ", "admin")
    office_set_retention(actor=admin, office=world.office_a, retention_years=1)
    office_set_retention(actor=admin, office=world.office_b, retention_years=20)
    retention_apply(today=TODAY)
    assert Anonymisation.objects.filter(person_id=files["recent"].person_id).exists()
    assert not Anonymisation.objects.filter(person_id=files["b_old"].person_id).exists()
    event = AuditEvent.objects.filter(event_type="office.retention_changed").first()
    assert event is not None
    assert event.metadata == {"from": None, "to": 20}


def test_the_retention_boundary_day(world):
    a, sup = world.user("A", "caseworker"), world.user("A", "supervisor")
    case = make_case(world.office_a, a, registered=dt.date(2015, 1, 5))
    close_on(case, sup, dt.date(2016, 3, 10))
    assert retention_apply(today=dt.date(2026, 3, 9)).anonymised == 0
    assert retention_apply(today=dt.date(2026, 3, 10)).anonymised == 1


def test_the_person_keeps_its_linkage_individual(files):
    # A never linked person is given a cluster row holding the individual it counted as.
    person_id = files["old"].person_id
    assert not PersonCluster.objects.filter(person_id=person_id).exists()
    retention_apply(today=TODAY)
    assert PersonCluster.objects.get(person_id=person_id).individual_id == person_id
    assert Anonymisation.objects.get(person_id=person_id).reason == AnonymisationReason.RETENTION


def test_the_command_prints_progress_and_a_summary(files):
    out = io.StringIO()
    call_command("apply_retention", "--today", "2026-11-01", "--dry-run", stdout=out)
    text = out.getvalue()
    assert "dry run: nothing changed" in text
    assert "persons due for anonymisation: 3" in text
    assert "still within its period: 1" in text
    out = io.StringIO()
    call_command("apply_retention", "--today", "2026-11-01", "--batch", "2", stdout=out)
    text = out.getvalue()
    assert "anonymised 2/3 persons" in text
    assert "persons anonymised: 3 (4 cases)" in text


def test_every_encrypted_field_is_anonymised_somewhere():
    """A new encrypted field must be added to the anonymisation (or consciously left out)."""
    covered = {(scrub.model, name) for scrub in SCRUBS for name in scrub.drop}
    deleted = {scrub.model for scrub in SCRUBS if scrub.delete} | {IdentityDocument}
    handled_on_person = {(Person, name) for name in (*PERSON_DROP, "birth_date")}
    missing = [
        f"{model.__name__}.{field.name}"
        for model in apps.get_models()
        # Models that tests declare for themselves hold nothing of a person.
        if ".tests." not in model.__module__
        for field in model._meta.concrete_fields
        if isinstance(field, EncryptedTextField)
        and model not in deleted
        and (model, field.name) not in covered | handled_on_person
    ]
    assert missing == []
