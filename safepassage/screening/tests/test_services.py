from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from safepassage.audit.models import AuditEvent
from safepassage.cases.errors import ConsentMissing, StaleVersion
from safepassage.cases.models import BeneficiaryCategory, CaseStatus
from safepassage.cases.tests.factories import make_case, screen
from safepassage.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from safepassage.screening.models import Determination, Screening
from safepassage.screening.models import DeterminationOutcome as O
from safepassage.screening.services import (
    determination_approve,
    determination_record,
    determination_return,
    screening_save,
)

pytestmark = pytest.mark.django_db


def test_screening_needs_interview_consent(world) -> None:
    actor = world.user("A", "caseworker")
    case = make_case(world.office_a, actor)
    with pytest.raises(ConsentMissing, match="Screening interview"):
        screening_save(
            actor=actor, case=case, expected_version=case.version, data={"action_recruitment": True}
        )
    assert not Screening.objects.exists()


def test_submit_creates_versions_and_moves_the_case(world) -> None:
    actor = world.user("A", "caseworker")
    case = make_case(world.office_a, actor)
    first = screen(case, actor)
    case.refresh_from_db()
    assert case.status == CaseStatus.SCREENED
    assert first.status == Screening.Status.SUBMITTED and first.number == 1
    # a revision is a new version; the first stays as it was
    second = screening_save(
        actor=actor,
        case=case,
        expected_version=case.version,
        data={"means_of_control": ["Threats"]},
        submit=True,
    )
    assert second.number == 2
    first.refresh_from_db()
    assert first.means_of_control == ["Threats", "WithholdsDocuments"]
    events = list(
        AuditEvent.objects.filter(target_id=str(case.pk)).values_list("event_type", flat=True)
    )
    assert events.count("screening.submitted") == 2
    assert "case.status_changed" in events


def test_submit_refuses_incomplete_purpose(world) -> None:
    actor = world.user("A", "caseworker")
    case = make_case(world.office_a, actor)
    with pytest.raises(ValidationFailed) as error:
        screen(case, actor, labour_sectors=[], country_of_exploitation=None)
    assert set(error.value.errors) == {"labour_sectors", "country_of_exploitation"}
    assert not Screening.objects.filter(status=Screening.Status.SUBMITTED).exists()


def test_route_stages_are_validated_and_give_the_country(world) -> None:
    actor = world.user("A", "caseworker")
    case = make_case(world.office_a, actor)
    events: list[dict[str, Any]] = [
        {"type": "Recruitment", "country": "UKR", "start_date": dt.date(2025, 1, 5)},
        {"type": "Transit", "country": "POL"},
        {"type": "Exploitation", "country": "DEU", "start_date": dt.date(2025, 2, 1)},
    ]
    screening = screen(case, actor)
    case.refresh_from_db()
    revised = screening_save(
        actor=actor,
        case=case,
        expected_version=case.version,
        data={"country_of_exploitation": None},
        events=events,
        submit=True,
    )
    assert revised.country_of_exploitation_id == "DEU"
    assert [e.type for e in revised.events.all()] == ["Recruitment", "Transit", "Exploitation"]
    assert screening.pk != revised.pk
    case.refresh_from_db()
    with pytest.raises(ValidationFailed) as error:
        screening_save(
            actor=actor,
            case=case,
            expected_version=case.version,
            data={},
            events=[{"type": "Transit", "country": "XXX"}],
        )
    assert "events" in error.value.errors


def test_two_saves_from_the_same_version_conflict_and_nothing_is_lost(world) -> None:
    # given two caseworkers who opened the same case at version v
    alice, bob = world.user("A", "caseworker"), world.user("A", "supervisor")
    case = make_case(world.office_a, alice)
    screen(case, alice, submit=False)
    case.refresh_from_db()
    version = case.version
    # when both save from version v
    screening_save(
        actor=alice,
        case=case,
        expected_version=version,
        data={"promised_job": "waitress in a cafe"},
    )
    with pytest.raises(StaleVersion):
        screening_save(
            actor=bob, case=case, expected_version=version, data={"promised_job": "farm work"}
        )
    # then the first save stands and the second wrote nothing
    draft = Screening.objects.get(case=case, status=Screening.Status.DRAFT)
    assert draft.promised_job == "waitress in a cafe"
    case.refresh_from_db()
    assert case.version == version + 1


def test_determination_records_suggestion_and_needs_reasons_to_differ(world) -> None:
    actor = world.user("A", "caseworker")
    case = make_case(world.office_a, actor)
    screen(case, actor, means=False)  # adult, no means: rule says exploited
    case.refresh_from_db()
    with pytest.raises(ValidationFailed, match="explain why"):
        determination_record(actor=actor, case=case, expected_version=case.version, outcome=O.VOT)
    determination = determination_record(
        actor=actor,
        case=case,
        expected_version=case.version,
        outcome=O.VOT,
        reasons="Debt bondage emerged in a second interview.",
    )
    assert determination.suggested_outcome == O.EXPLOITED
    assert determination.differs_from_rule
    assert determination.status == Determination.Status.PENDING


def test_supervisor_approves_but_not_their_own_decision(world) -> None:
    caseworker, supervisor = world.user("A", "caseworker"), world.user("A", "supervisor")
    case = make_case(world.office_a, caseworker)
    screen(case, caseworker)
    case.refresh_from_db()
    determination = determination_record(
        actor=caseworker, case=case, expected_version=case.version, outcome=O.VOT
    )
    with pytest.raises(PermissionDenied):  # sees the case, may not approve
        determination_approve(actor=caseworker, determination=determination)
    approved = determination_approve(actor=supervisor, determination=determination, note="agreed")
    assert approved.status == Determination.Status.APPROVED
    case.refresh_from_db()
    assert case.beneficiary_category == BeneficiaryCategory.VOT
    with pytest.raises(Conflict):
        determination_approve(actor=supervisor, determination=determination)
    # a supervisor's own decision needs another supervisor
    case.refresh_from_db()
    own = determination_record(
        actor=supervisor, case=case, expected_version=case.version, outcome=O.VOT
    )
    with pytest.raises(PermissionDenied, match="Another supervisor"):
        determination_approve(actor=supervisor, determination=own)


def test_revision_keeps_history(world) -> None:
    caseworker, supervisor = world.user("A", "caseworker"), world.user("A", "supervisor")
    case = make_case(world.office_a, caseworker)
    screen(case, caseworker, means=False)
    case.refresh_from_db()
    first = determination_record(
        actor=caseworker, case=case, expected_version=case.version, outcome=O.EXPLOITED
    )
    determination_return(actor=supervisor, determination=first, note="check the debt")
    case.refresh_from_db()
    screening_save(
        actor=caseworker,
        case=case,
        expected_version=case.version,
        data={"means_of_control": ["DebtBondage"]},
        submit=True,
    )
    case.refresh_from_db()
    second = determination_record(
        actor=caseworker, case=case, expected_version=case.version, outcome=O.VOT
    )
    first.refresh_from_db()
    assert first.status == Determination.Status.SUPERSEDED
    assert second.supersedes == first
    assert second.suggested_outcome == O.VOT
    assert second.screening.number == 2


def test_other_office_cannot_determine_or_approve(world) -> None:
    caseworker = world.user("A", "caseworker")
    case = make_case(world.office_a, caseworker)
    screen(case, caseworker)
    case.refresh_from_db()
    with pytest.raises(NotFound):
        determination_record(
            actor=world.user("B", "caseworker"),
            case=case,
            expected_version=case.version,
            outcome=O.VOT,
        )
    determination = determination_record(
        actor=caseworker, case=case, expected_version=case.version, outcome=O.VOT
    )
    with pytest.raises(NotFound):
        determination_approve(actor=world.user("B", "supervisor"), determination=determination)
    with pytest.raises(NotFound):
        determination_approve(
            actor=world.user("A", "caseworker").__class__.objects.get(username="a_researcher"),
            determination=determination,
        )


def test_latest_submitted_and_draft_agree_with_the_separate_reads(world) -> None:
    from safepassage.screening.services import (
        current_draft,
        latest_submitted,
        latest_submitted_and_draft,
    )

    actor = world.user("A", "caseworker")
    case = make_case(world.office_a, actor)

    def both() -> tuple[Any, Any]:
        return latest_submitted(case), current_draft(case)

    # no screening; a first draft; submitted; revised as a new draft; that draft submitted
    assert latest_submitted_and_draft(case) == both() == (None, None)
    screen(case, actor, submit=False)
    case.refresh_from_db()
    assert latest_submitted_and_draft(case) == both()
    assert both()[0] is None and both()[1] is not None
    screening_save(actor=actor, case=case, expected_version=case.version, data={}, submit=True)
    case.refresh_from_db()
    assert latest_submitted_and_draft(case) == both()
    screening_save(
        actor=actor,
        case=case,
        expected_version=case.version,
        data={"means_of_control": ["Threats"]},
    )
    case.refresh_from_db()
    latest, draft = latest_submitted_and_draft(case)
    assert (latest, draft) == both()
    assert latest is not None and draft is not None and draft.number == latest.number + 1
    screening_save(actor=actor, case=case, expected_version=case.version, data={}, submit=True)
    case.refresh_from_db()
    assert latest_submitted_and_draft(case) == both()
    assert both()[0].number == 2 and both()[1] is None
