"""Record linkage, Django side: runs over real (encrypted) persons, must- and cannot-links,
review decisions and undo, the reporting table, the commands and their audit trail.

A model trained once on invented records is passed to every run, so runs are fast and their
scores deterministic: pair "same" (identical records) scores ~1.0 and links automatically; pair
"maybe" (same names, different dates of birth) scores ~0.96, below the 0.99 link threshold
these tests use, so it goes to review.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from typing import Any

import pytest
from django.core.management import call_command

from safepassage.audit.models import AccessEvent, AuditEvent
from safepassage.cases.models import Case, ConsentScope
from safepassage.cases.tests.factories import give_consent, make_case
from safepassage.core.errors import PermissionDenied
from safepassage.linkage import services
from safepassage.linkage.errors import NoLinkageModel, PairTransitionRefused
from safepassage.linkage.models import (
    CandidatePair,
    LinkageRun,
    PairBand,
    PairStatus,
    PersonCluster,
)
from safepassage.linkage.pipeline import (
    LinkageConflict,
    LinkageModel,
    LinkageSettings,
    train_model,
)
from safepassage.linkage.selectors import neutralise_cell
from safepassage.linkage.synthetic import generate_cross_border
from safepassage.stats.models import CaseFact
from safepassage.stats.selectors import StatsFilters, indicator_report
from safepassage.transfers.services import transfer_accept, transfer_request

pytestmark = pytest.mark.django_db

SETTINGS = LinkageSettings(u_max_pairs=2e5, em_max_pairs=2e5, duckdb_threads=2)
THRESHOLD = 0.99
YEAR = 2026


@pytest.fixture(scope="module")
def model():
    return train_model(generate_cross_border(300, seed=3).records, settings=SETTINGS)


def _run(model: LinkageModel, **kwargs: Any) -> LinkageRun:
    kwargs.setdefault("threshold", THRESHOLD)
    return services.linkage_run(actor=None, model=model, settings=SETTINGS, **kwargs)


@pytest.fixture
def people(world):
    """Ten instances: two pairs of the same individual across offices A and B, six singles."""
    a, b = world.user("A", "caseworker"), world.user("B", "caseworker")
    born = dt.date
    cases = {
        "same_a": make_case(world.office_a, a, given="Oleksandr", family="Kovalenko"),
        "same_b": make_case(world.office_b, b, given="Oleksandr", family="Kovalenko"),
        "maybe_a": make_case(
            world.office_a,
            a,
            given="Somchai",
            family="Saetang",
            birth_date=born(1979, 8, 30),
            citizenship="THA",
        ),
        "maybe_b": make_case(
            world.office_b,
            b,
            given="Somchai",
            family="Saetang",
            birth_date=born(1981, 2, 14),
            citizenship="THA",
        ),
    }
    singles = [
        ("Iryna", "Bondarenko", born(2001, 11, 3), "Feminine"),
        ("Nok", "Srisuk", born(1995, 6, 6), "Feminine"),
        ("Petro", "Shevchuk", born(1972, 1, 20), "Masculine"),
        ("Anong", "Wongsa", born(1988, 9, 9), "Feminine"),
        ("Dmytro", "Melnyk", born(2005, 4, 12), "Masculine"),
        ("Kanya", "Chaiyaporn", born(1999, 12, 1), "Feminine"),
    ]
    for i, (given, family, birth, sex) in enumerate(singles):
        office, actor = (world.office_a, a) if i % 2 else (world.office_b, b)
        cases[f"single{i}"] = make_case(
            office, actor, given=given, family=family, birth_date=birth, sex=sex
        )
    return cases


def _individual(case: Case) -> int:
    return PersonCluster.objects.get(person_id=case.person_id).individual_id


def _pair(a: Case, b: Case) -> CandidatePair:
    low, high = sorted((a.person_id, b.person_id))
    return CandidatePair.objects.get(person_a_id=low, person_b_id=high)


def _individuals_in_report() -> int:
    return int(indicator_report(viewer=None, filters=StatsFilters(year=YEAR))["individuals"])


def test_full_run_links_stores_pairs_updates_facts_and_audits(world, people, model):
    # Given ten instances, all counted as distinct individuals before linkage
    assert _individuals_in_report() == 10
    # When linkage runs
    run = _run(model)
    # Then the identical pair is one individual, the uncertain pair waits for review
    assert run.status == LinkageRun.Status.SUCCEEDED
    assert (run.instances, run.individuals, run.review_pairs) == (10, 9, 1)
    assert _individual(people["same_a"]) == _individual(people["same_b"])
    assert _individual(people["same_a"]) == min(
        people["same_a"].person_id, people["same_b"].person_id
    )
    assert _individual(people["maybe_a"]) != _individual(people["maybe_b"])
    maybe = _pair(people["maybe_a"], people["maybe_b"])
    assert (maybe.band, maybe.status) == (PairBand.REVIEW, PairStatus.PENDING)
    assert 0.5 <= maybe.probability < THRESHOLD
    assert _pair(people["same_a"], people["same_b"]).band == PairBand.AUTO
    # and the reports count individuals from the clusters
    facts = CaseFact.objects.filter(case__in=[people["same_a"], people["same_b"]])
    assert len({f.individual_id for f in facts}) == 1
    assert _individuals_in_report() == 9
    # and the model used is saved with the run
    assert run.model_parameters["format"] == 1
    # and one audit event records counts, never a personal value
    event = AuditEvent.objects.get(event_type="linkage.run")
    assert event.target_id == str(run.pk)
    assert event.metadata["individuals"] == 9 and event.metadata["review_pairs"] == 1
    assert "Kovalenko" not in json.dumps(event.metadata)


def test_certain_links_from_transfers_always_join(world, people, model):
    # Given a case transferred from B to A, whose received person is then recorded so
    # differently that no score would link the two
    b_cw, a_cw = world.user("B", "caseworker"), world.user("A", "caseworker")
    sent = people["single0"]  # at office B
    give_consent(sent, b_cw, ConsentScope.SHARING_OFFICE, office=world.office_a)
    transfer = transfer_request(actor=b_cw, case=sent, to_office=world.office_a)
    received = transfer_accept(actor=a_cw, transfer=transfer)
    person = received.person
    person.given_names, person.family_names = "Xenia", "Zablotska"
    person.given_names_original = person.family_names_original = ""
    person.birth_date = dt.date(1950, 1, 1)
    person.save()
    # When linkage runs
    run = _run(model)
    # Then the two instances are one individual
    assert _individual(sent) == _individual(received)
    assert run.must_links == 1


def test_rejected_pair_never_ends_in_one_cluster(world, people, model):
    # Given a first run that linked the identical pair automatically
    _run(model)
    same = _pair(people["same_a"], people["same_b"])
    individuals = _individuals_in_report()
    # When a data manager at headquarters says they are not the same person
    dm = world.user("HQ", "data_manager")
    services.pair_decide(actor=dm, pair=same, decision="reject")
    # Then they are split at once, and the reports count one more individual
    assert _individual(people["same_a"]) != _individual(people["same_b"])
    assert _individuals_in_report() == individuals + 1
    # and no later run joins them, however high the engine scores them
    run = _run(model, threshold=0.9)
    assert _individual(people["same_a"]) != _individual(people["same_b"])
    assert run.cannot_links == 1 and run.refused_links >= 1
    event = AuditEvent.objects.get(event_type="linkage.pair_rejected")
    assert event.actor == dm and event.target_id == str(same.pk)
    assert event.metadata["from"] == PairStatus.PENDING


def test_accept_merges_and_undo_restores_the_previous_clusters(world, people, model):
    _run(model)
    before = dict(PersonCluster.objects.values_list("person_id", "individual_id"))
    maybe = _pair(people["maybe_a"], people["maybe_b"])
    dm = world.user("HQ", "data_manager")
    # When the uncertain pair is accepted, the two become one individual
    services.pair_decide(actor=dm, pair=maybe, decision="accept")
    assert _individual(people["maybe_a"]) == _individual(people["maybe_b"])
    assert _individuals_in_report() == 8
    # and a later run keeps them together (accepted = must-link)
    _run(model)
    assert _individual(people["maybe_a"]) == _individual(people["maybe_b"])
    # When the decision is undone, every person is back in its previous individual
    maybe.refresh_from_db()
    undone = services.pair_undo(actor=dm, pair=maybe)
    assert undone.status == PairStatus.PENDING and undone.decided_by is None
    assert dict(PersonCluster.objects.values_list("person_id", "individual_id")) == before
    assert _individuals_in_report() == 9
    assert (
        AuditEvent.objects.filter(
            event_type__in=["linkage.pair_accepted", "linkage.pair_undone"], target_id=str(maybe.pk)
        ).count()
        == 2
    )


def test_undo_of_a_rejection_relinks(world, people, model):
    _run(model)
    same = _pair(people["same_a"], people["same_b"])
    dm = world.user("HQ", "data_manager")
    services.pair_decide(actor=dm, pair=same, decision="reject")
    services.pair_undo(actor=dm, pair=same)
    assert _individual(people["same_a"]) == _individual(people["same_b"])


def test_decisions_follow_the_transition_table_and_conflicts_change_nothing(world, people, model):
    _run(model)
    dm = world.user("HQ", "data_manager")
    maybe = _pair(people["maybe_a"], people["maybe_b"])
    services.pair_decide(actor=dm, pair=maybe, decision="skip")
    with pytest.raises(PairTransitionRefused):
        services.pair_decide(actor=dm, pair=maybe, decision="skip")
    services.pair_decide(actor=dm, pair=maybe, decision="reject")
    with pytest.raises(PairTransitionRefused):
        services.pair_decide(actor=dm, pair=maybe, decision="accept")
    # A transfer between the rejected pair's persons would contradict the decision: a run
    # refuses it rather than silently breaking either rule, and records the failure.
    b_cw, a_cw = world.user("B", "caseworker"), world.user("A", "caseworker")
    give_consent(people["maybe_b"], b_cw, ConsentScope.SHARING_OFFICE, office=world.office_a)
    transfer = transfer_request(actor=b_cw, case=people["maybe_b"], to_office=world.office_a)
    received = transfer_accept(actor=a_cw, transfer=transfer)
    low, high = sorted((people["maybe_a"].person_id, received.person_id))
    CandidatePair.objects.create(
        person_a_id=low, person_b_id=high, probability=0.97, band=PairBand.REVIEW
    )
    conflicting = CandidatePair.objects.get(person_a_id=low, person_b_id=high)
    with pytest.raises(LinkageConflict):
        services.pair_decide(actor=dm, pair=conflicting, decision="accept")
    conflicting.refresh_from_db()
    assert conflicting.status == PairStatus.PENDING


def test_only_reviewers_in_scope_decide(world, people, model):
    _run(model)
    maybe = _pair(people["maybe_a"], people["maybe_b"])
    for office, role in (("A", "data_manager"), ("HQ", "caseworker"), ("HQ", "researcher")):
        with pytest.raises(PermissionDenied):
            services.pair_decide(actor=world.user(office, role), pair=maybe, decision="accept")
    with pytest.raises(PermissionDenied):
        services.linkage_run(actor=world.user("A", "data_manager"), model=model)
    assert maybe.status == PairStatus.PENDING


def test_incremental_run_attaches_new_persons_and_keeps_individual_ids(world, people, model):
    with pytest.raises(NoLinkageModel):
        services.linkage_run(actor=None, mode="incremental")
    _run(model)
    kept = _individual(people["same_a"])
    # Given the same person registered a third time after the full run
    third = make_case(
        world.office_a, world.user("A", "caseworker"), given="Oleksandr", family="Kovalenko"
    )
    # When an incremental run uses the stored model
    run = services.linkage_run(
        actor=None, mode="incremental", threshold=THRESHOLD, settings=SETTINGS
    )
    # Then only the new person was scored, and it joined the existing individual
    assert (run.mode, run.new_instances, run.instances) == ("incremental", 1, 11)
    assert _individual(third) == kept == _individual(people["same_b"])
    assert CaseFact.objects.get(case=third).individual_id == kept


def test_link_individuals_command_reports_progress_and_summary(world, people, model):
    _run(model)  # stores the model the incremental command reuses
    make_case(world.office_b, world.user("B", "caseworker"), given="Oleksandr", family="Kovalenko")
    out = io.StringIO()
    call_command("link_individuals", "--incremental", "--threshold", str(THRESHOLD), stdout=out)
    text = out.getvalue()
    assert "scoring pairs" in text and "100%" in text
    assert "11 instances, 9 individuals" in text
    # counts of this run: the new person's links only (the queued pair stays queued)
    assert "2 automatic links, 0 pairs sent to review, 1 new instances scored" in text
    assert (
        CandidatePair.objects.filter(status=PairStatus.PENDING, band=PairBand.REVIEW).count() == 1
    )
    assert LinkageRun.objects.filter(source="cli").get().ran_by is None
    assert AuditEvent.objects.filter(event_type="linkage.run", source="cli").exists()


def test_export_links_writes_every_case_and_is_access_logged(world, people, model, tmp_path):
    _run(model)
    Case.objects.filter(pk=people["single1"].pk).update(reference="=HYPERLINK(1)")
    out = tmp_path / "links.csv"
    call_command("export_links", "--out", str(out), stdout=io.StringIO())
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert len(rows) == Case.objects.count() == 10
    by_reference = {row["case_reference"]: row for row in rows}
    assert "'=HYPERLINK(1)" in by_reference
    same_a, same_b = people["same_a"], people["same_b"]
    assert by_reference[same_a.reference]["individual_id"] == str(_individual(same_a))
    assert by_reference[same_b.reference]["individual_id"] == str(_individual(same_a))
    assert by_reference[same_b.reference]["office"] == "TH-BKK"
    event = AccessEvent.objects.get(action=AccessEvent.Action.EXPORT)
    assert event.metadata["rows"] == 10 and event.source == "cli"


def test_cells_that_spreadsheets_run_are_neutralised():
    assert [neutralise_cell(v) for v in ("=1", "+1", "-1", "@x", "A-1")] == [
        "'=1",
        "'+1",
        "'-1",
        "'@x",
        "A-1",
    ]
