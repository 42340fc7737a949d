from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal

import pytest
from django.db import connection

from safepassage.assistance.services import assistance_record
from safepassage.audit.models import AccessEvent, AuditEvent
from safepassage.cases.errors import CaseClosed, ConsentMissing, StaleVersion
from safepassage.cases.models import CaseStatus, ClosureReason, Consent, ConsentScope, Person
from safepassage.cases.selectors import CaseFilters, case_for_view, case_list, person_search
from safepassage.cases.services import (
    active_consent,
    case_close,
    case_note_add,
    case_reopen,
    consent_record,
    consent_withdraw,
    person_register,
)
from safepassage.cases.tests.factories import TODAY, give_consent, make_case, screen
from safepassage.core.errors import (
    GateNotMet,
    IllegalTransition,
    NotFound,
    PermissionDenied,
    ValidationFailed,
)
from safepassage.screening.models import DeterminationOutcome
from safepassage.screening.services import determination_approve, determination_record

pytestmark = pytest.mark.django_db


def test_case_references_are_sequential_per_office_and_year(world) -> None:
    actor = world.user("A", "caseworker")
    first = make_case(world.office_a, actor)
    second = make_case(world.office_a, actor, given="Iryna")
    other = make_case(world.office_b, world.user("B", "caseworker"))
    assert first.reference == "UA-KYIV-2026-00001"
    assert second.reference == "UA-KYIV-2026-00002"
    assert other.reference == "TH-BKK-2026-00001"
    assert AuditEvent.objects.filter(event_type="case.opened").count() == 3


def test_person_identifiers_are_encrypted_in_the_database(world) -> None:
    make_case(
        world.office_a,
        world.user("A", "caseworker"),
        given="Zoryana",
        family="Testenko-Plaintext",
        phone="+380 44 000 1234",
    )
    if connection.vendor == "sqlite":
        raw = bytes(connection.connection.serialize())
    else:
        with connection.cursor() as cursor:
            cursor.execute("SELECT p::text FROM cases_person p")
            raw = "\n".join(r[0] for r in cursor.fetchall()).encode()
    assert b"Testenko-Plaintext" not in raw
    assert b"Zoryana" not in raw
    assert b"000 1234" not in raw
    assert b"1990-05-17" not in raw
    assert Person.objects.get().family_names == "Testenko-Plaintext"


def test_registration_validates_input(world) -> None:
    actor = world.user("A", "caseworker")
    with pytest.raises(ValidationFailed, match="at least one name"):
        person_register(actor=actor, office=world.office_a, data={"sex": "Feminine"})
    with pytest.raises(ValidationFailed, match="future"):
        person_register(
            actor=actor,
            office=world.office_a,
            data={"given_names": "A", "birth_date": dt.date(2099, 1, 1)},
        )
    with pytest.raises(ValidationFailed, match="Unknown country"):
        person_register(
            actor=actor, office=world.office_a, data={"given_names": "A", "citizenship": "XYZ"}
        )
    assert not Person.objects.exists()


@pytest.mark.parametrize("role", ["researcher", "auditor", "admin", "data_manager"])
def test_only_caseworkers_and_supervisors_register(world, role) -> None:
    with pytest.raises(PermissionDenied):
        person_register(
            actor=world.user("A", role), office=world.office_a, data={"given_names": "A"}
        )


def test_other_office_gets_not_found_for_every_case_service(world) -> None:
    actor = world.user("A", "caseworker")
    case = make_case(world.office_a, actor)
    give_consent(case, actor, ConsentScope.INTERVIEW, ConsentScope.ASSISTANCE)
    consent = Consent.objects.filter(case=case).first()
    assert consent is not None
    foreign = world.user("B", "supervisor")
    calls: list[Callable[[], object]] = [
        lambda: consent_record(
            actor=foreign, case=case, scope="assistance", given=True, form="written", date=TODAY
        ),
        lambda: consent_withdraw(actor=foreign, consent=consent),
        lambda: case_note_add(actor=foreign, case=case, text="x"),
        lambda: case_close(
            actor=foreign, case=case, reason=ClosureReason.OTHER, expected_version=case.version
        ),
        lambda: assistance_record(
            actor=foreign, case=case, service_type="medical", phase="protection", start_date=TODAY
        ),
        lambda: case_for_view(viewer=foreign, case_id=case.pk),
    ]
    for call in calls:
        with pytest.raises(NotFound, match="Case not found"):
            call()


def test_researcher_never_reaches_a_case(world) -> None:
    case = make_case(world.office_a, world.user("A", "caseworker"))
    researcher = world.user("A", "researcher")
    with pytest.raises(NotFound):
        case_for_view(viewer=researcher, case_id=case.pk)
    assert not case_list(viewer=researcher).exists()
    assert person_search(viewer=researcher, office=world.office_a, given_names="Oleksandr") == []


def test_viewing_a_case_is_access_logged(world) -> None:
    case = make_case(world.office_a, world.user("A", "caseworker"))
    viewer = world.user("A", "data_manager")
    case_for_view(viewer=viewer, case_id=case.pk)
    event = AccessEvent.objects.get(actor=viewer)
    assert (event.action, event.target_id, event.office_id) == (
        "view",
        str(case.pk),
        world.office_a.pk,
    )


def test_case_list_is_scoped_and_filtered(world) -> None:
    a_cw = world.user("A", "caseworker")
    make_case(world.office_a, a_cw, citizenship="UKR")
    make_case(world.office_a, a_cw, given="Amina", citizenship="YEM")
    make_case(world.office_b, world.user("B", "caseworker"))
    assert case_list(viewer=a_cw).count() == 2
    assert case_list(viewer=a_cw, filters=CaseFilters(nationality="yem")).count() == 1
    assert case_list(viewer=world.user("HQ", "data_manager")).count() == 3
    assert case_list(viewer=a_cw, filters=CaseFilters(query="Aleksandr")).count() == 1
    assert case_list(viewer=a_cw, filters=CaseFilters(query="UA-KYIV-2026-00002")).count() == 1
    assert case_list(viewer=a_cw, filters=CaseFilters(query="00002")).count() == 1


def test_search_before_create_finds_transliteration_variants(world) -> None:
    actor = world.user("A", "caseworker")
    make_case(
        world.office_a,
        actor,
        given="Oleksandr",
        family="Kovalenko",
        given_names_original="Олександр",
        family_names_original="Коваленко",
    )
    make_case(world.office_a, actor, given="Maria", family="Petrenko")
    make_case(world.office_b, world.user("B", "caseworker"), given="Oleksandr", family="Kovalenko")
    for given, family in [
        ("Aleksandr", "Kovalenko"),
        ("Olexandr", "Kowalenko"),
        ("Kovalenko", "Oleksandr"),
        ("Олександр", "Коваленко"),
    ]:
        matches = person_search(
            viewer=actor,
            office=world.office_a,
            given_names=given,
            family_names=family,
            birth_year=1990,
        )
        assert len(matches) == 1, (given, family)
        assert matches[0].person.family_names == "Kovalenko"
    assert (
        person_search(
            viewer=actor, office=world.office_a, given_names="Nguyen", family_names="Van An"
        )
        == []
    )
    assert AccessEvent.objects.filter(action="search").count() == 5


def test_consent_latest_decision_counts_and_withdrawal(world) -> None:
    actor = world.user("A", "caseworker")
    case = make_case(world.office_a, actor)
    consent = consent_record(
        actor=actor,
        case=case,
        scope="assistance",
        given=True,
        form="verbal",
        date=dt.date(2026, 10, 1),
    )
    assert active_consent(case, "assistance") == consent
    assert active_consent(case, "assistance", written=True) is None
    consent_record(
        actor=actor,
        case=case,
        scope="assistance",
        given=False,
        form="verbal",
        date=dt.date(2026, 10, 2),
    )
    assert active_consent(case, "assistance") is None
    again = consent_record(
        actor=actor,
        case=case,
        scope="assistance",
        given=True,
        form="written",
        date=dt.date(2026, 10, 3),
    )
    consent_withdraw(actor=actor, consent=again, note="changed mind")
    assert active_consent(case, "assistance") is None
    types = set(
        AuditEvent.objects.filter(target_id=str(case.pk)).values_list("event_type", flat=True)
    )
    assert {"consent.recorded", "consent.refused", "consent.withdrawn"} <= types


def test_consent_for_sharing_names_its_recipient_and_guardian(world) -> None:
    actor = world.user("A", "caseworker")
    case = make_case(world.office_a, actor)
    with pytest.raises(ValidationFailed, match="office"):
        consent_record(
            actor=actor, case=case, scope="sharing_office", given=True, form="written", date=TODAY
        )
    with pytest.raises(ValidationFailed, match="guardian"):
        consent_record(
            actor=actor,
            case=case,
            scope="interview",
            given=True,
            form="written",
            date=TODAY,
            given_by="guardian",
        )
    consent_record(
        actor=actor,
        case=case,
        scope="sharing_office",
        given=True,
        form="written",
        date=TODAY,
        recipient_office=world.office_b,
    )
    assert active_consent(case, "sharing_office", recipient_office=world.office_b) is not None
    assert active_consent(case, "sharing_office", recipient_office=world.hq) is None


def test_assistance_needs_consent_and_moves_the_case(world) -> None:
    actor = world.user("A", "caseworker")
    case = make_case(world.office_a, actor)
    with pytest.raises(ConsentMissing, match="Receiving assistance"):
        assistance_record(
            actor=actor, case=case, service_type="medical", phase="protection", start_date=TODAY
        )
    give_consent(case, actor, ConsentScope.ASSISTANCE)
    # needs-first: no screening or determination yet
    assistance_record(
        actor=actor, case=case, service_type="medical", phase="protection", start_date=TODAY
    )
    assistance_record(
        actor=actor,
        case=case,
        service_type="financial",
        phase="protection",
        start_date=TODAY,
        amount=Decimal("150.00"),
        currency="usd",
    )
    case.refresh_from_db()
    assert case.status == CaseStatus.ASSISTED
    assert case.services.count() == 2
    assert case.services.get(service_type="financial").currency == "USD"


def test_assistance_input_errors(world) -> None:
    actor = world.user("A", "caseworker")
    case = make_case(world.office_a, actor)
    give_consent(case, actor, ConsentScope.ASSISTANCE)
    with pytest.raises(ValidationFailed) as error:
        assistance_record(
            actor=actor,
            case=case,
            service_type="spa",
            phase="x",
            start_date=TODAY,
            end_date=TODAY - dt.timedelta(days=1),
            amount=Decimal(-1),
            currency="ZZZ",
        )
    assert set(error.value.errors) == {"service_type", "phase", "end_date", "amount", "currency"}
    assert case.services.count() == 0


def test_not_eligible_determination_stops_assistance(world) -> None:
    caseworker, supervisor = world.user("A", "caseworker"), world.user("A", "supervisor")
    case = make_case(world.office_a, caseworker, category="vot")
    give_consent(case, caseworker, ConsentScope.ASSISTANCE)
    screen(case, caseworker, action=False, means=False, purpose=False)
    case.refresh_from_db()
    determination = determination_record(
        actor=caseworker,
        case=case,
        expected_version=case.version,
        outcome=DeterminationOutcome.NOT_ELIGIBLE,
    )
    determination_approve(actor=supervisor, determination=determination)
    with pytest.raises(GateNotMet, match="not eligible"):
        assistance_record(
            actor=caseworker,
            case=case,
            service_type="medical",
            phase="protection",
            start_date=TODAY,
        )


def test_closure_by_request_and_approval_then_reopen(world) -> None:
    caseworker, supervisor = world.user("A", "caseworker"), world.user("A", "supervisor")
    case = make_case(world.office_a, caseworker)
    # a caseworker's close is a request
    case = case_close(
        actor=caseworker,
        case=case,
        reason=ClosureReason.ASSISTANCE_COMPLETED,
        expected_version=case.version,
    )
    assert (
        case.status == CaseStatus.REGISTERED
        and case.closure_requested_reason == ClosureReason.ASSISTANCE_COMPLETED
    )
    # the supervisor closes
    case = case_close(
        actor=supervisor,
        case=case,
        reason=case.closure_requested_reason,
        expected_version=case.version,
    )
    assert case.status == CaseStatus.CLOSED and case.closed_at is not None
    with pytest.raises(CaseClosed):
        case_note_add(actor=caseworker, case=case, text="late note")
    with pytest.raises(StaleVersion):
        case_reopen(actor=caseworker, case=case, expected_version=case.version - 1)
    case = case_reopen(actor=caseworker, case=case, expected_version=case.version)
    assert case.status == CaseStatus.REGISTERED
    with pytest.raises(IllegalTransition):
        case_reopen(actor=caseworker, case=case, expected_version=case.version)
    events = list(
        AuditEvent.objects.filter(target_type="cases.case", target_id=str(case.pk))
        .order_by("seq")
        .values_list("event_type", flat=True)
    )
    assert events[-3:] == ["case.closure_requested", "case.closed", "case.reopened"]


def test_audit_never_holds_personal_values(world) -> None:
    actor = world.user("A", "caseworker")
    case = make_case(world.office_a, actor, given="Uniquegivenname", family="Uniquefamilyname")
    case_note_add(actor=actor, case=case, text="Sensitive-note-text")
    dump = str(list(AuditEvent.objects.values())) + str(list(AccessEvent.objects.values()))
    for value in ("Uniquegivenname", "Uniquefamilyname", "Sensitive-note-text", "1990-05-17"):
        assert value not in dump


def test_a_birth_date_without_precision_is_exact(world) -> None:
    person = person_register(
        actor=world.user("A", "caseworker"),
        office=world.office_a,
        data={"given_names": "A", "birth_date": dt.date(2001, 2, 3)},
    )
    assert person.birth_date_precision == "exact"
    assert person.latest_possible_birth_date() == dt.date(2001, 2, 3)


def test_reindex_names_rebuilds_the_search_keys(world) -> None:
    from django.core.management import call_command

    from safepassage.cases.models import PersonNameKey

    actor = world.user("A", "caseworker")
    case = make_case(world.office_a, actor, given="Oleksandr", family="Kovalenko")
    PersonNameKey.objects.all().delete()
    assert (
        person_search(
            viewer=actor, office=world.office_a, given_names="Aleksandr", family_names="Kovalenko"
        )
        == []
    )
    call_command("reindex_names")
    found = person_search(
        viewer=actor, office=world.office_a, given_names="Aleksandr", family_names="Kovalenko"
    )
    assert [m.person.pk for m in found] == [case.person_id]


def test_the_person_page_for_a_new_case_is_access_logged(world, login) -> None:
    actor = world.user("A", "caseworker")
    case = make_case(world.office_a, actor)
    response = login(actor).get(f"/cases/new/person/{case.person_id}/")
    assert response.status_code == 200
    assert (
        AccessEvent.objects.filter(
            actor=actor, target_type="cases.person", target_id=str(case.person_id), action="view"
        ).count()
        == 1
    )
    foreign = login(world.user("B", "caseworker")).get(f"/cases/new/person/{case.person_id}/")
    assert foreign.status_code == 404
