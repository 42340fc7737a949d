"""The case-work pages: every case URL answers 404 alike for foreign and missing cases, the
flows call their services, and personal-data views are access-logged."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.urls import reverse

from safepassage.audit.models import AccessEvent, AuditEvent
from safepassage.cases.models import Case, CaseStatus, ConsentScope, Person
from safepassage.cases.services import person_register_and_open_case
from safepassage.cases.tests.factories import TODAY, give_consent, make_case, screen
from safepassage.conftest import assert_same_not_found
from safepassage.core.errors import ValidationFailed
from safepassage.screening.models import Determination, Screening

pytestmark = pytest.mark.django_db

MISSING = 999_999

# (url name, method, extra url kwargs) for every URL that is about one case.
CASE_URLS: list[tuple[str, str, dict[str, int]]] = [
    ("cases:case_detail", "get", {}),
    ("cases:case_print", "get", {}),
    ("cases:note_add", "post", {}),
    ("cases:screening", "get", {}),
    ("cases:screening", "post", {}),
    ("cases:determination", "get", {}),
    ("cases:determination", "post", {}),
    ("cases:determination_approve", "post", {"determination_id": 1}),
    ("cases:determination_return", "post", {"determination_id": 1}),
    ("cases:consent", "get", {}),
    ("cases:consent", "post", {}),
    ("cases:consent_withdraw", "post", {"consent_id": 1}),
    ("cases:assistance", "get", {}),
    ("cases:assistance", "post", {}),
    ("cases:case_close", "get", {}),
    ("cases:case_close", "post", {}),
    ("cases:case_reopen", "post", {}),
    ("cases:closure_approve", "post", {}),
    ("cases:closure_decline", "post", {}),
]


def case_url(name: str, case_id: int, **extra: int) -> str:
    return reverse(name, kwargs={"case_id": case_id, **extra})


@pytest.fixture
def case_a(world: Any) -> Case:
    return make_case(world.office_a, world.user("A", "caseworker"))


def post_data(case: Case) -> dict[str, Any]:
    """Plausible form input, so a POST would act if access were not refused first."""
    return {"version": case.version, "text": "x", "reason": "other", "note": "x"}


# --- not found, not forbidden ----------------------------------------------------------------


@pytest.mark.parametrize("route", CASE_URLS, ids=lambda r: f"{r[1]} {r[0]}")
def test_another_office_gets_the_same_not_found_as_for_a_missing_case(
    world, login, case_a, route
) -> None:
    name, method, extra = route
    # given a caseworker of office B
    client = login(world.user("B", "caseworker"))
    # when they open a case of office A and a case that does not exist
    foreign = getattr(client, method)(case_url(name, case_a.pk, **extra), post_data(case_a))
    missing = getattr(client, method)(case_url(name, MISSING, **extra), post_data(case_a))
    # then both answer exactly alike
    assert_same_not_found(foreign, missing)


@pytest.mark.parametrize("role", ["researcher", "auditor", "admin"])
@pytest.mark.parametrize("route", CASE_URLS, ids=lambda r: f"{r[1]} {r[0]}")
def test_roles_without_case_access_get_not_found_and_no_personal_data(
    world, login, case_a, role, route
) -> None:
    name, method, extra = route
    # given a researcher (auditor, administrator) of the case's own office
    client = login(world.user("A", role))
    # when they open the case
    foreign = getattr(client, method)(case_url(name, case_a.pk, **extra), post_data(case_a))
    missing = getattr(client, method)(case_url(name, MISSING, **extra), post_data(case_a))
    # then it answers like a missing case and shows nothing of the person
    assert_same_not_found(foreign, missing)
    assert "Kovalenko" not in foreign.content.decode()
    assert case_a.reference not in foreign.content.decode()
    assert not AuditEvent.objects.filter(
        target_type="cases.case", target_id=str(case_a.pk)
    ).exclude(event_type="case.opened")
    assert not AccessEvent.objects.filter(target_id=str(case_a.pk)).exists()


@pytest.mark.parametrize("role", ["researcher", "auditor", "admin"])
@pytest.mark.parametrize("name", ["cases:case_list", "cases:case_register", "cases:approvals"])
def test_case_pages_are_not_found_for_roles_without_case_access(
    world, login, case_a, role, name
) -> None:
    response = login(world.user("A", role)).get(reverse(name))
    assert response.status_code == 404
    assert "Kovalenko" not in response.content.decode()


def test_opening_a_case_for_a_person_of_another_office_is_not_found(world, login, case_a) -> None:
    client = login(world.user("B", "caseworker"))
    foreign = client.get(reverse("cases:case_open", kwargs={"person_id": case_a.person_id}))
    missing = client.get(reverse("cases:case_open", kwargs={"person_id": MISSING}))
    assert_same_not_found(foreign, missing)


# --- list ------------------------------------------------------------------------------------


def test_the_list_shows_only_cases_of_the_viewers_office(world, login, case_a) -> None:
    # given a case in each office
    foreign = make_case(world.office_b, world.user("B", "caseworker"), family="Somchai")
    # when the caseworker of A lists cases
    response = login(world.user("A", "caseworker")).get(reverse("cases:case_list"))
    # then only A's case shows
    page = response.content.decode()
    assert response.status_code == 200
    assert case_a.reference in page
    assert "Kovalenko" in page
    assert foreign.reference not in page
    assert "Somchai" not in page


def test_a_list_row_shows_the_case_escaped(world, login) -> None:
    # given a case whose person's name holds markup, with a closure requested
    actor = world.user("A", "caseworker")
    case = make_case(world.office_a, actor, given="<b>Ivan</b>", family="O'Brien & Co")
    Case.objects.filter(pk=case.pk).update(
        assigned_to=actor, status=CaseStatus.ASSISTED, closure_requested_reason="other"
    )
    # when the list is shown
    page = login(actor).get(reverse("cases:case_list")).content.decode()
    # then the row links the case and shows its columns, the name escaped
    row = re.search(rf'<tr><td><a href="/cases/{case.pk}/">.*?</tr>', page)
    assert row is not None
    cells = re.findall(r"<td>(.*?)</td>", row.group(0))
    assert cells == [
        f'<a href="/cases/{case.pk}/">{case.reference}</a>',
        "&lt;b&gt;Ivan&lt;/b&gt; O&#x27;Brien &amp; Co",
        "Ukraine",
        "Presumed victim of trafficking",
        (
            '<span class="badge status-assisted">Receiving assistance</span>'
            ' <span class="badge warn">closure requested</span>'
        ),
        "a_caseworker",
        "UA-KYIV",
        case.registration_date.isoformat(),
    ]
    assert "<b>Ivan" not in page


def test_an_empty_list_says_so(world, login) -> None:
    page = login(world.user("A", "caseworker")).get(reverse("cases:case_list")).content.decode()
    assert "No cases match." in page


def test_the_list_records_one_access_event_per_page(world, login, case_a) -> None:
    client = login(world.user("A", "caseworker"))
    client.get(reverse("cases:case_list"))
    events = AccessEvent.objects.filter(target_type="cases.case", target_id="list")
    assert events.count() == 1
    event = events.get()
    assert event.action == AccessEvent.Action.SEARCH
    assert event.metadata == {"rows": 1}
    assert event.office_id is None


def test_the_list_filters_and_searches(world, login, case_a) -> None:
    actor = world.user("A", "caseworker")
    other = make_case(world.office_a, actor, given="Iryna", family="Shevchenko", citizenship="MDA")
    client = login(actor)
    by_name = client.get(reverse("cases:case_list"), {"q": "Iryna Shevchenko"}).content.decode()
    assert other.reference in by_name
    assert case_a.reference not in by_name
    by_nationality = client.get(reverse("cases:case_list"), {"nationality": "UKR"})
    assert case_a.reference in by_nationality.content.decode()
    assert other.reference not in by_nationality.content.decode()
    by_reference = client.get(reverse("cases:case_list"), {"q": case_a.reference})
    assert case_a.reference in by_reference.content.decode()
    assert other.reference not in by_reference.content.decode()


def test_the_list_query_count_does_not_grow_with_rows(
    world, login, django_assert_max_num_queries
) -> None:
    # given 30 cases with caseworkers and nationalities
    actor = world.user("A", "caseworker")
    for n in range(30):
        make_case(world.office_a, actor, given=f"Person{n}")
    Case.objects.update(assigned_to=actor)
    client = login(actor)
    # when the list is shown, then a fixed small number of queries suffices
    with django_assert_max_num_queries(20):
        response = client.get(reverse("cases:case_list"))
    assert response.status_code == 200
    assert response.content.decode().count("/cases/") >= 30


# --- registration ----------------------------------------------------------------------------


def test_search_before_create_finds_a_spelling_variant(world, login, case_a) -> None:
    # given Oleksandr Kovalenko registered at office A
    client = login(world.user("A", "caseworker"))
    # when the caseworker searches for "Aleksandr Kovalenko"
    response = client.get(
        reverse("cases:case_register"),
        {"given_names": "Aleksandr", "family_names": "Kovalenko", "birth_year": "1990"},
    )
    # then the existing person is offered, with their case and a button to open another
    page = response.content.decode()
    assert "Oleksandr Kovalenko" in page
    assert case_a.reference in page
    assert reverse("cases:case_open", kwargs={"person_id": case_a.person_id}) in page
    assert AccessEvent.objects.filter(target_type="cases.person", action="search").count() == 1


def test_search_before_create_does_not_look_into_another_office(world, login, case_a) -> None:
    client = login(world.user("B", "caseworker"))
    response = client.get(
        reverse("cases:case_register"),
        {"given_names": "Oleksandr", "family_names": "Kovalenko"},
    )
    page = response.content.decode()
    assert "No likely match at this office." in page
    assert case_a.reference not in page


def test_registering_a_new_person_opens_their_case(world, login) -> None:
    # given a caseworker of office A
    actor = world.user("A", "caseworker")
    client = login(actor)
    # when they register a new person with a case
    response = client.post(
        reverse("cases:person_register"),
        {
            "office": world.office_a.pk,
            "given_names": "Mariia",
            "family_names": "Bondarenko",
            "family_names_original": "Бондаренко",
            "aliases": "Masha\nMaria B.",
            "sex": "Feminine",
            "birth_date": "1999-01-01",
            "birth_date_precision": "year",
            "citizenship": "UKR",
            "other_citizenships": ["MDA"],
            "languages": "uk ru",
            "document_kind": "passport",
            "document_number": "FA123456",
            "document_country": "UKR",
            "registration_date": "2026-11-20",
            "referral_source": "ngo",
            "beneficiary_category": "presumed_vot",
            "assigned_to": actor.pk,
        },
    )
    # then the person and the case exist, and both writes are audited
    case = Case.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("cases:case_detail", kwargs={"case_id": case.pk})
    assert case.person.family_names == "Bondarenko"
    assert case.person.aliases == ["Masha", "Maria B."]
    assert case.person.other_citizenships == ["MDA"]
    assert case.person.documents.get().number == "FA123456"
    assert case.assigned_to == actor
    assert case.office == world.office_a
    assert set(
        AuditEvent.objects.exclude(event_type="reference.loaded").values_list(
            "event_type", flat=True
        )
    ) == {
        "person.registered",
        "case.opened",
    }


def test_registration_errors_are_shown_and_nothing_is_saved(world, login) -> None:
    client = login(world.user("A", "caseworker"))
    response = client.post(
        reverse("cases:person_register"),
        {
            "office": world.office_a.pk,
            "sex": "Feminine",
            "birth_date_precision": "exact",
            "registration_date": "2026-11-20",
            "referral_source": "ngo",
            "beneficiary_category": "presumed_vot",
        },
    )
    assert response.status_code == 200
    assert "Record at least one name or alias." in response.content.decode()
    assert not Person.objects.exists()


def test_opening_another_case_for_an_existing_person(world, login, case_a) -> None:
    client = login(world.user("A", "caseworker"))
    response = client.post(
        reverse("cases:case_open", kwargs={"person_id": case_a.person_id}),
        {
            "registration_date": "2026-11-25",
            "referral_source": "self",
            "beneficiary_category": "stranded_migrant",
        },
    )
    assert response.status_code == 302
    assert case_a.person.cases.count() == 2


def test_person_register_and_open_case_is_all_or_nothing(world) -> None:
    # given a registration whose case part is invalid (a date in the future)
    with pytest.raises(ValidationFailed):
        person_register_and_open_case(
            actor=world.user("A", "caseworker"),
            office=world.office_a,
            person_data={"given_names": "Taras", "family_names": "Melnyk"},
            registration_date=dt.date(2099, 1, 1),
            referral_source="ngo",
            beneficiary_category="presumed_vot",
        )
    # then no person was left behind, and no audit event either
    assert not Person.objects.exists()
    assert not AuditEvent.objects.exclude(event_type="reference.loaded").exists()


# --- case page -------------------------------------------------------------------------------


def test_the_case_page_shows_the_case_and_records_the_viewing(world, login, case_a) -> None:
    actor = world.user("A", "caseworker")
    give_consent(case_a, actor, ConsentScope.INTERVIEW)
    response = login(actor).get(case_url("cases:case_detail", case_a.pk))
    page = response.content.decode()
    assert response.status_code == 200
    assert "Oleksandr Kovalenko" in page
    assert "Consent recorded" in page  # the timeline, in plain words
    assert reverse("cases:screening", kwargs={"case_id": case_a.pk}) in page
    event = AccessEvent.objects.get(target_type="cases.case", target_id=str(case_a.pk))
    assert event.action == AccessEvent.Action.VIEW
    assert event.actor == actor


def test_a_data_manager_sees_the_case_without_action_buttons(world, login, case_a) -> None:
    response = login(world.user("A", "data_manager")).get(case_url("cases:case_detail", case_a.pk))
    page = response.content.decode()
    assert response.status_code == 200
    assert "Oleksandr Kovalenko" in page
    assert reverse("cases:screening", kwargs={"case_id": case_a.pk}) not in page.split("</nav>")[-1]
    assert "Add note" not in page


def test_the_printable_summary_records_a_print_event(world, login, case_a) -> None:
    response = login(world.user("A", "caseworker")).get(case_url("cases:case_print", case_a.pk))
    assert response.status_code == 200
    assert "data-print" in response.content.decode()
    assert AccessEvent.objects.filter(target_id=str(case_a.pk), action="print").count() == 1


def test_adding_a_note(world, login, case_a) -> None:
    client = login(world.user("A", "caseworker"))
    response = client.post(case_url("cases:note_add", case_a.pk), {"text": "Called the shelter."})
    assert response.status_code == 302
    assert case_a.notes.get().text == "Called the shelter."
    assert AuditEvent.objects.filter(event_type="case.note_added").count() == 1


# --- screening -------------------------------------------------------------------------------


def screening_post(case: Case, **overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "version": case.version,
        "recruitment_date": "2025-03-01",
        "action_recruitment": "on",
        "means_of_control": ["Threats", "DebtBondage"],
        "exploitation_types": ["ForcedLabour"],
        "labour_sectors": ["Construction"],
        "promised_job": "Builder in Moscow, 800 USD a month",
        "route-TOTAL_FORMS": "6",
        "route-INITIAL_FORMS": "0",
        "route-MIN_NUM_FORMS": "0",
        "route-MAX_NUM_FORMS": "6",
        "route-0-type": "Recruitment",
        "route-0-country": "UKR",
        "route-0-place": "Kharkiv",
        "route-1-type": "Exploitation",
        "route-1-country": "RUS",
        "route-1-start_date": "2025-04-01",
        **overrides,
    }
    return data


def test_submitting_the_screening(world, login, case_a) -> None:
    actor = world.user("A", "caseworker")
    give_consent(case_a, actor, ConsentScope.INTERVIEW)
    case_a.refresh_from_db()
    response = login(actor).post(
        case_url("cases:screening", case_a.pk), {**screening_post(case_a), "action": "submit"}
    )
    assert response.status_code == 302
    screening = Screening.objects.get()
    assert screening.status == Screening.Status.SUBMITTED
    assert screening.means_of_control == ["Threats", "DebtBondage"]
    assert screening.country_of_exploitation_id == "RUS"
    assert [e.country_id for e in screening.events.all()] == ["UKR", "RUS"]
    case_a.refresh_from_db()
    assert case_a.status == CaseStatus.SCREENED


def test_the_screening_form_is_prefilled_from_the_latest_version(world, login, case_a) -> None:
    actor = world.user("A", "caseworker")
    screen(case_a, actor, promised_job="Waiter in Antalya")
    page = login(actor).get(case_url("cases:screening", case_a.pk)).content.decode()
    assert "Waiter in Antalya" in page
    assert re.search(r'value="WithholdsDocuments"[^>]*checked', page)
    assert not re.search(r'value="DebtBondage"[^>]*checked', page)


def test_a_stale_screening_form_shows_the_conflict_and_keeps_the_input(
    world, login, case_a
) -> None:
    # given the caseworker opened the screening form...
    actor = world.user("A", "caseworker")
    give_consent(case_a, actor, ConsentScope.INTERVIEW)
    case_a.refresh_from_db()
    loaded_version = case_a.version
    # ...and meanwhile a colleague changed the case
    give_consent(case_a, actor, ConsentScope.ASSISTANCE)
    from safepassage.cases.services import case_assign

    case_assign(
        actor=world.user("A", "supervisor"),
        case=case_a,
        assignee=world.user("A", "supervisor"),
        expected_version=loaded_version,
    )
    # when the caseworker saves with the version they loaded
    response = login(actor).post(
        case_url("cases:screening", case_a.pk),
        {**screening_post(case_a, version=loaded_version), "action": "draft"},
    )
    # then the conflict is explained, nothing is saved, and what they typed is still there
    page = response.content.decode()
    assert response.status_code == 200
    assert "Someone else changed this case after you opened it" in page
    assert "Builder in Moscow, 800 USD a month" in page
    assert "Kharkiv" in page
    assert not Screening.objects.exists()


def test_screening_errors_are_shown_per_field(world, login, case_a) -> None:
    actor = world.user("A", "caseworker")
    give_consent(case_a, actor, ConsentScope.INTERVIEW)
    case_a.refresh_from_db()
    response = login(actor).post(
        case_url("cases:screening", case_a.pk),
        {**screening_post(case_a, labour_sectors=[]), "action": "submit"},
    )
    page = response.content.decode()
    assert "Forced labour: give at least one sector." in page
    assert "The screening cannot be submitted yet" in page
    assert not Screening.objects.exists()


# --- determination ---------------------------------------------------------------------------


def test_recording_and_approving_a_determination(world, login, case_a) -> None:
    caseworker, supervisor = world.user("A", "caseworker"), world.user("A", "supervisor")
    screen(case_a, caseworker)
    case_a.refresh_from_db()
    # the caseworker sees the rule's suggestion and records the decision
    page = login(caseworker).get(case_url("cases:determination", case_a.pk)).content.decode()
    assert "action, means and purpose must all be present" in page
    response = login(caseworker).post(
        case_url("cases:determination", case_a.pk),
        {"version": case_a.version, "outcome": "vot", "reasons": ""},
    )
    assert response.status_code == 302
    pending = Determination.objects.get()
    # the supervisor approves it from the determination page
    page = login(supervisor).get(case_url("cases:determination", case_a.pk)).content.decode()
    assert "Waiting for your approval" in page
    response = login(supervisor).post(
        case_url("cases:determination_approve", case_a.pk, determination_id=pending.pk),
        {"note": ""},
    )
    assert response.status_code == 302
    pending.refresh_from_db()
    assert pending.status == Determination.Status.APPROVED


def test_returning_a_determination_needs_a_note(world, login, case_a) -> None:
    screen(case_a, world.user("A", "caseworker"))
    case_a.refresh_from_db()
    login(world.user("A", "caseworker")).post(
        case_url("cases:determination", case_a.pk),
        {"version": case_a.version, "outcome": "vot"},
    )
    pending = Determination.objects.get()
    response = login(world.user("A", "supervisor")).post(
        case_url("cases:determination_return", case_a.pk, determination_id=pending.pk),
        {"note": ""},
    )
    assert "Say what should be revised." in response.content.decode()
    pending.refresh_from_db()
    assert pending.status == Determination.Status.PENDING


# --- consent, assistance, closure, approvals -------------------------------------------------


def test_recording_and_withdrawing_consent(world, login, case_a) -> None:
    client = login(world.user("A", "caseworker"))
    response = client.post(
        case_url("cases:consent", case_a.pk),
        {
            "scope": "sharing_office",
            "given": "1",
            "form": "written",
            "given_by": "person",
            "recipient_office": world.office_b.pk,
            "date": "2026-11-20",
        },
    )
    assert response.status_code == 302
    consent = case_a.consents.get()
    assert consent.recipient_office == world.office_b
    response = client.post(
        case_url("cases:consent_withdraw", case_a.pk, consent_id=consent.pk), {"note": "changed"}
    )
    assert response.status_code == 302
    consent.refresh_from_db()
    assert consent.withdrawn_at is not None


def test_recording_assistance_requires_consent(world, login, case_a) -> None:
    client = login(world.user("A", "caseworker"))
    form = {
        "service_type": "medical",
        "phase": "protection",
        "provider_kind": "office",
        "start_date": "2026-11-21",
    }
    response = client.post(case_url("cases:assistance", case_a.pk), form)
    assert "Consent is missing" in response.content.decode()
    give_consent(case_a, world.user("A", "caseworker"), ConsentScope.ASSISTANCE)
    response = client.post(case_url("cases:assistance", case_a.pk), form)
    assert response.status_code == 302
    assert case_a.services.count() == 1


def test_a_caseworkers_close_is_a_request_a_supervisor_approves(world, login, case_a) -> None:
    # given a caseworker asks to close the case
    response = login(world.user("A", "caseworker")).post(
        case_url("cases:case_close", case_a.pk),
        {"version": case_a.version, "reason": "assistance_completed"},
        follow=True,
    )
    assert "sent to a supervisor" in response.content.decode()
    case_a.refresh_from_db()
    assert case_a.status != CaseStatus.CLOSED
    # then the request is in the supervisor's queue
    supervisor = login(world.user("A", "supervisor"))
    queue = supervisor.get(reverse("cases:approvals")).content.decode()
    assert case_a.reference in queue
    # when the supervisor approves it, the case closes with the requested reason
    supervisor.post(case_url("cases:closure_approve", case_a.pk), {"version": case_a.version})
    case_a.refresh_from_db()
    assert case_a.status == CaseStatus.CLOSED
    assert case_a.closure_reason == "assistance_completed"
    # and it can be reopened
    supervisor.post(case_url("cases:case_reopen", case_a.pk), {"version": case_a.version})
    case_a.refresh_from_db()
    assert case_a.status == CaseStatus.REGISTERED


def test_declining_a_closure_request(world, login, case_a) -> None:
    login(world.user("A", "caseworker")).post(
        case_url("cases:case_close", case_a.pk), {"version": case_a.version, "reason": "other"}
    )
    case_a.refresh_from_db()
    login(world.user("A", "supervisor")).post(
        case_url("cases:closure_decline", case_a.pk), {"version": case_a.version}
    )
    case_a.refresh_from_db()
    assert case_a.closure_requested_reason == ""
    assert AuditEvent.objects.filter(event_type="case.closure_declined").count() == 1


def test_a_stale_close_form_shows_the_conflict(world, login, case_a) -> None:
    response = login(world.user("A", "supervisor")).post(
        case_url("cases:case_close", case_a.pk),
        {"version": case_a.version - 1 or 99, "reason": "other"},
    )
    assert "Someone else changed this case" in response.content.decode()
    case_a.refresh_from_db()
    assert case_a.status == CaseStatus.REGISTERED


def test_navigation_links_follow_roles(world, login) -> None:
    supervisor_page = login(world.user("A", "supervisor")).get("/").content.decode()
    caseworker_page = login(world.user("A", "caseworker")).get("/").content.decode()
    researcher_page = login(world.user("A", "researcher")).get("/").content.decode()
    assert reverse("cases:approvals") in supervisor_page
    assert reverse("cases:case_list") in caseworker_page
    assert reverse("cases:approvals") not in caseworker_page
    assert reverse("cases:case_list") not in researcher_page


def test_factories_are_dated_before_today() -> None:
    assert dt.date(2026, 11, 30) >= TODAY
