"""Record linkage, Django side: load persons, run the engine, store individuals and review
pairs, and apply data managers' decisions.

Privacy: names and dates of birth are decrypted into `PersonRecord`s in this process's memory
only and handed to the engine, which works in an in-memory DuckDB. Nothing personal is written
anywhere: the database receives person ids, probabilities and counts; the audit log counts.
"""

from __future__ import annotations

import dataclasses
import fcntl
import json
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Final

from django.db import connection, transaction
from django.utils.translation import gettext as _

from safepassage.access.permissions import Perm
from safepassage.access.policy import require_permission, scope_for
from safepassage.audit.services import audit_record
from safepassage.cases.models import BirthDatePrecision, Person
from safepassage.core import clock
from safepassage.core.errors import DomainError, PermissionDenied, ValidationFailed
from safepassage.linkage.errors import (
    NoLinkageModel,
    PairTransitionRefused,
    RunInProgress,
    RunInterrupted,
)
from safepassage.linkage.models import (
    CandidatePair,
    LinkageRun,
    PairBand,
    PairStatus,
    PersonCluster,
)
from safepassage.linkage.pipeline import (
    LinkageModel,
    LinkageResult,
    LinkageSettings,
    PersonRecord,
    ScoredPair,
    cluster_pairs,
    link_incremental,
    link_records,
    train_model,
)
from safepassage.retention.models import Anonymisation
from safepassage.stats.definitions import sex_group
from safepassage.stats.models import CaseFact
from safepassage.transfers.selectors import certain_links

ProgressCallback = Callable[[str, float], None]

READ_BATCH: Final = 2000
WRITE_BATCH: Final = 1000
# Precisions the engine understands; an "unknown" precision means no usable date.
_ENGINE_PRECISIONS: Final = frozenset(
    {
        BirthDatePrecision.EXACT,
        BirthDatePrecision.MONTH,
        BirthDatePrecision.YEAR,
        BirthDatePrecision.ESTIMATED,
    }
)
DECISIONS: Final[dict[str, str]] = {
    "accept": PairStatus.ACCEPTED,
    "reject": PairStatus.REJECTED,
    "skip": PairStatus.SKIPPED,
}


# --- records ---------------------------------------------------------------------------------


def record_id(person_id: int) -> str:
    """Zero-padded so that the engine's "smallest record id" is the smallest person id and
    cluster ids convert back to integers."""
    return f"{person_id:012d}"


def person_record(person: Person) -> PersonRecord:
    """The linkage view of a decrypted person (held in memory only)."""
    given = person.given_names or person.given_names_original
    family = person.family_names or person.family_names_original
    aliases = [str(alias) for alias in person.aliases or [] if alias]
    aliases.extend(
        original
        for original in (person.given_names_original, person.family_names_original)
        if original and original not in (given, family)
    )
    usable = person.birth_date is not None and person.birth_date_precision in _ENGINE_PRECISIONS
    return PersonRecord(
        record_id=record_id(person.pk),
        given_names=given,
        family_names=family,
        aliases=aliases,
        birth_date=person.birth_date if usable else None,
        birth_date_precision=person.birth_date_precision if usable else "exact",
        sex=sex_group(person.sex),
        citizenship=person.citizenship_id or "",
        birth_place=person.birth_place,
    )


def _persons_in_batches(progress: ProgressCallback | None) -> Iterator[Person]:
    # Anonymised persons have nothing left to compare; they keep their individual through
    # `frozen_links` instead of being scored.
    queryset = (
        Person.objects.exclude(pk__in=Anonymisation.objects.values("person_id"))
        .order_by("pk")
        .only(
            "pk",
            "given_names",
            "family_names",
            "given_names_original",
            "family_names_original",
            "aliases",
            "birth_date",
            "birth_date_precision",
            "sex",
            "citizenship",
            "birth_place",
        )
    )
    total = max(queryset.count(), 1)
    for index, person in enumerate(queryset.iterator(chunk_size=READ_BATCH)):
        if progress is not None and index % READ_BATCH == 0:
            progress("load", index / total)
        yield person
    if progress is not None:
        progress("load", 1.0)


def load_records(progress: ProgressCallback | None = None) -> list[PersonRecord]:
    return [person_record(person) for person in _persons_in_batches(progress)]


# --- constraints -----------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Constraints:
    must_link: list[tuple[str, str]]
    cannot_link: list[tuple[str, str]]


def constraints_for(person_ids: set[int] | None = None) -> Constraints:
    """Accepted transfers and accepted pairs must link; rejected pairs cannot. Restricted to
    `person_ids` when given (the engine needs both ends among its records)."""

    def keep(a: int, b: int) -> bool:
        return person_ids is None or (a in person_ids and b in person_ids)

    must = {tuple(sorted((a, b))) for a, b in certain_links() if a != b and keep(a, b)}
    cannot: set[tuple[int, int]] = set()
    decided = CandidatePair.objects.filter(
        status__in=(PairStatus.ACCEPTED, PairStatus.REJECTED)
    ).values_list("person_a_id", "person_b_id", "status")
    for a, b, status in decided:
        if keep(a, b):
            (must if status == PairStatus.ACCEPTED else cannot).add((a, b))
    return Constraints(
        must_link=[(record_id(a), record_id(b)) for a, b in sorted(must)],
        cannot_link=[(record_id(a), record_id(b)) for a, b in sorted(cannot)],
    )


@dataclasses.dataclass(frozen=True)
class Frozen:
    """Anonymised persons (record ids) and the must-links that hold each to its individual."""

    record_ids: list[str]
    must_link: list[tuple[str, str]]


def frozen_links() -> Frozen:
    """Anonymised persons are clustered without being scored: each is must-linked to one
    anchor of its current individual (the smallest member still identified, else the smallest
    member), so runs after anonymisation count the same individuals."""
    anonymised = set(Anonymisation.objects.values_list("person_id", flat=True))
    if not anonymised:
        return Frozen([], [])
    individuals = dict(
        PersonCluster.objects.filter(person_id__in=sorted(anonymised)).values_list(
            "person_id", "individual_id"
        )
    )
    members: dict[int, list[int]] = {}
    for person_id, individual in PersonCluster.objects.filter(
        individual_id__in=sorted(set(individuals.values()))
    ).values_list("person_id", "individual_id"):
        members.setdefault(individual, []).append(person_id)
    links: set[tuple[int, int]] = set()
    for person_id, individual in individuals.items():
        group = sorted(members.get(individual, []))
        live = [p for p in group if p not in anonymised]
        anchor = live[0] if live else group[0]
        if anchor != person_id:
            links.add((min(anchor, person_id), max(anchor, person_id)))
    return Frozen(
        record_ids=[record_id(p) for p in sorted(anonymised)],
        must_link=[(record_id(a), record_id(b)) for a, b in sorted(links)],
    )


# --- the run ---------------------------------------------------------------------------------


def linkage_settings(
    *,
    threshold: float | None = None,
    review_threshold: float | None = None,
    base: LinkageSettings | None = None,
) -> LinkageSettings:
    """`threshold` is the automatic link threshold; the review band starts at
    `review_threshold` (default: the engine's, lowered to `threshold` if above it)."""
    base = base or LinkageSettings()
    auto = base.auto_link_threshold if threshold is None else threshold
    review = base.review_threshold if review_threshold is None else review_threshold
    if threshold is not None and review_threshold is None:
        review = min(review, auto)
    try:
        return dataclasses.replace(base, auto_link_threshold=auto, review_threshold=review)
    except ValueError:
        raise ValidationFailed(
            _("Thresholds must satisfy 0 < review threshold <= link threshold <= 1."),
            field="threshold",
        ) from None


def _require_global_review(actor: Any) -> None:
    # A run re-links every office's persons: only someone who may review everywhere starts it.
    # The command line runs with no actor (the operator holds the server).
    if actor is not None and not scope_for(actor, Perm.LINKAGE_REVIEW).everything:
        raise PermissionDenied(_("Only a data manager at headquarters can run record linkage."))


def _latest_model() -> LinkageModel | None:
    run = (
        LinkageRun.objects.filter(status=LinkageRun.Status.SUCCEEDED)
        .exclude(model_parameters={})
        .order_by("-started_at", "-pk")
        .first()
    )
    if run is None:
        return None
    return LinkageModel.from_json(_model_text(run.model_parameters))


def _model_text(parameters: Mapping[str, Any]) -> str:
    return json.dumps(parameters)


def linkage_run(
    *,
    actor: Any,
    mode: str = LinkageRun.Mode.FULL,
    threshold: float | None = None,
    review_threshold: float | None = None,
    model: LinkageModel | None = None,
    reuse_model: bool = False,
    settings: LinkageSettings | None = None,
    progress: ProgressCallback | None = None,
    source: str = "",
) -> LinkageRun:
    """Link every person into individuals and store the result.

    Full: every person is scored again (a model is trained on them unless `model` is given or
    `reuse_model` asks for the last run's). Incremental: persons without an individual yet are
    scored against each other and against the clustered ones with the last run's model.
    Long: scoring happens outside any transaction; the result is stored in one transaction at
    the end, which refuses to overwrite review decisions taken meanwhile (run it again).
    """
    _require_global_review(actor)
    if mode not in LinkageRun.Mode.values:
        raise ValidationFailed(_("Unknown linkage mode."), field="mode")
    engine_settings = linkage_settings(
        threshold=threshold, review_threshold=review_threshold, base=settings
    )
    if model is None and (mode == LinkageRun.Mode.INCREMENTAL or reuse_model):
        model = _latest_model()
        if model is None:
            raise NoLinkageModel(_("No earlier linkage run: run a full linkage first."))
    with _run_lock():
        _fail_interrupted_runs(actor=actor)
        return _run(
            actor=actor,
            mode=mode,
            engine_settings=engine_settings,
            model=model,
            progress=progress,
            source=source,
        )


# Any constant distinct from the application's other advisory locks (it has none).
_RUN_LOCK_KEY: Final = 0x5AFE_11_4B


@contextmanager
def _run_lock() -> Iterator[None]:
    """One linkage run at a time, under a lock that dies with the process holding it, so a
    worker killed mid-run never leaves a stale lock behind: a session advisory lock on
    PostgreSQL, a lock on a file beside the database on SQLite (an in-memory database belongs
    to one process and needs none)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_try_advisory_lock(%s)", [_RUN_LOCK_KEY])
            if not cursor.fetchone()[0]:
                raise RunInProgress(_("Another linkage run is in progress; try again later."))
        try:
            yield
        finally:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s)", [_RUN_LOCK_KEY])
        return
    name = str(connection.settings_dict["NAME"])
    if not name or name == ":memory:" or name.startswith("file:"):
        yield
        return
    with Path(f"{name}.linkage-lock").open("a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise RunInProgress(_("Another linkage run is in progress; try again later.")) from None
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _fail_interrupted_runs(*, actor: Any) -> None:
    """Runs still marked running while the run lock is free belong to a process that died
    (killed, out of memory, machine restarted): they are marked failed, so nothing shows
    them as running forever. Their work was never stored (that is one transaction)."""
    for run in LinkageRun.objects.filter(status=LinkageRun.Status.RUNNING):
        with transaction.atomic():
            run.status = LinkageRun.Status.FAILED
            run.finished_at = clock.now()
            run.error_code = "interrupted"
            run.save(update_fields=["status", "finished_at", "error_code"])
            audit_record(
                actor=actor,
                office=None,
                event_type="linkage.run_failed",
                target=run,
                changed_fields=["status"],
                metadata={"mode": run.mode, "error": run.error_code},
                source=run.source,
            )


def _run(
    *,
    actor: Any,
    mode: str,
    engine_settings: LinkageSettings,
    model: LinkageModel | None,
    progress: ProgressCallback | None,
    source: str,
) -> LinkageRun:
    run = LinkageRun.objects.create(
        started_at=clock.now(),
        mode=mode,
        auto_link_threshold=engine_settings.auto_link_threshold,
        review_threshold=engine_settings.review_threshold,
        ran_by=actor if actor is not None and actor.is_authenticated else None,
        source=source,
    )
    try:
        records = load_records(progress)
        frozen = frozen_links()
        base = constraints_for()
        constraints = Constraints(
            must_link=[*base.must_link, *frozen.must_link], cannot_link=base.cannot_link
        )
        if mode == LinkageRun.Mode.FULL:
            if model is None:
                model = train_model(records, settings=engine_settings, progress=progress)
            result = link_records(
                records,
                model=model,
                settings=engine_settings,
                must_link=constraints.must_link,
                cannot_link=constraints.cannot_link,
                progress=progress,
                unscored_ids=frozen.record_ids,
            )
            new_count = len(records)
        else:
            assert model is not None  # noqa: S101 - set above for incremental runs
            result, new_count = _incremental(
                records,
                model,
                engine_settings,
                constraints,
                progress,
                unscored_ids=frozen.record_ids,
            )
        run.model_parameters = {} if model is None else _model_json(model)
        _store(run, result, constraints, new_count=new_count, actor=actor, progress=progress)
    except Exception as error:
        _fail(run, error, actor=actor)
        raise
    return run


def _model_json(model: LinkageModel) -> dict[str, Any]:
    parsed: dict[str, Any] = json.loads(model.to_json())
    return parsed


def _incremental(
    records: list[PersonRecord],
    model: LinkageModel,
    settings: LinkageSettings,
    constraints: Constraints,
    progress: ProgressCallback | None,
    *,
    unscored_ids: list[str],
) -> tuple[LinkageResult, int]:
    clustered = dict(PersonCluster.objects.values_list("person_id", "individual_id"))
    existing_clusters = {record_id(p): record_id(i) for p, i in clustered.items()}
    existing = [r for r in records if r.record_id in existing_clusters]
    new = [r for r in records if r.record_id not in existing_clusters]
    if not new:
        # Nothing to score; still apply certain links recorded since the last run.
        result = cluster_pairs(
            [*(r.record_id for r in existing), *unscored_ids],
            [],
            settings=settings,
            must_link=constraints.must_link,
            cannot_link=constraints.cannot_link,
            existing_clusters=existing_clusters,
        )
        return result, 0
    result = link_incremental(
        new,
        existing_records=existing,
        existing_clusters=existing_clusters,
        model=model,
        settings=settings,
        must_link=constraints.must_link,
        cannot_link=constraints.cannot_link,
        progress=progress,
        unscored_ids=unscored_ids,
    )
    return result, len(new)


def _ordered(pair: ScoredPair) -> tuple[int, int]:
    a, b = int(pair.record_id_a), int(pair.record_id_b)
    return (a, b) if a < b else (b, a)


def _store(
    run: LinkageRun,
    result: LinkageResult,
    constraints: Constraints,
    *,
    new_count: int,
    actor: Any,
    progress: ProgressCallback | None,
) -> None:
    if progress is not None:
        progress("store", 0.0)
    full = run.mode == LinkageRun.Mode.FULL
    with transaction.atomic():
        if CandidatePair.objects.filter(updated_at__gte=run.started_at).exists():
            raise RunInterrupted(
                _("Review decisions were taken while linkage was running; run it again.")
            )
        mapping = {int(r): int(c) for r, c in result.clusters.items()}
        _clusters_store(mapping, run=run)
        scored: dict[tuple[int, int], tuple[float, str]] = {}
        for pair in (*result.auto_links, *result.refused_links):
            scored[_ordered(pair)] = (pair.match_probability, PairBand.AUTO)
        for pair in result.review_pairs:
            scored.setdefault(_ordered(pair), (pair.match_probability, PairBand.REVIEW))
        _pairs_store(scored, run=run, full=full)
        if progress is not None:
            progress("store", 0.5)
        facts = case_facts_set_individuals(mapping)
        run.finished_at = clock.now()
        run.status = LinkageRun.Status.SUCCEEDED
        run.instances = result.counts.records
        run.new_instances = new_count
        run.individuals = result.counts.clusters
        run.scored_pairs = result.counts.scored_pairs
        run.auto_links = result.counts.auto_links
        run.review_pairs = result.counts.review_pairs
        run.refused_links = result.counts.refused_links
        run.must_links = len(constraints.must_link)
        run.cannot_links = len(constraints.cannot_link)
        run.full_clean()
        run.save()
        audit_record(
            actor=actor,
            office=None,
            event_type="linkage.run",
            target=run,
            changed_fields=["individual_id"],
            metadata={
                "mode": run.mode,
                "auto_link_threshold": run.auto_link_threshold,
                "review_threshold": run.review_threshold,
                "instances": run.instances,
                "new_instances": run.new_instances,
                "individuals": run.individuals,
                "auto_links": run.auto_links,
                "review_pairs": run.review_pairs,
                "refused_links": run.refused_links,
                "must_links": run.must_links,
                "cannot_links": run.cannot_links,
                "case_facts_updated": facts,
            },
            source=run.source,
        )
    if progress is not None:
        progress("store", 1.0)


def _fail(run: LinkageRun, error: Exception, *, actor: Any) -> None:
    code = error.code if isinstance(error, DomainError) else type(error).__name__
    with transaction.atomic():
        run.status = LinkageRun.Status.FAILED
        run.finished_at = clock.now()
        run.error_code = code[:40]
        run.save(update_fields=["status", "finished_at", "error_code"])
        audit_record(
            actor=actor,
            office=None,
            event_type="linkage.run_failed",
            target=run,
            changed_fields=["status"],
            metadata={"mode": run.mode, "error": run.error_code},
            source=run.source,
        )


def _clusters_store(mapping: Mapping[int, int], *, run: LinkageRun | None) -> int:
    """Write person -> individual where it changed; returns how many persons moved."""
    current = dict(
        PersonCluster.objects.filter(person_id__in=list(mapping)).values_list(
            "person_id", "individual_id"
        )
        if len(mapping) < 5000
        else PersonCluster.objects.values_list("person_id", "individual_id")
    )
    now = clock.now()
    create = [
        PersonCluster(person_id=p, individual_id=i, run=run)
        for p, i in mapping.items()
        if p not in current
    ]
    update = [
        PersonCluster(person_id=p, individual_id=i, run=run, updated_at=now)
        for p, i in mapping.items()
        if p in current and current[p] != i
    ]
    PersonCluster.objects.bulk_create(create, batch_size=WRITE_BATCH)
    fields = (
        ["individual_id", "updated_at"] if run is None else ["individual_id", "run", "updated_at"]
    )
    PersonCluster.objects.bulk_update(update, fields, batch_size=WRITE_BATCH)
    return len(create) + len(update)


def _pairs_store(
    scored: Mapping[tuple[int, int], tuple[float, str]], *, run: LinkageRun, full: bool
) -> None:
    """Upsert the scored pairs. Decisions are kept whatever the new score; a full run drops
    undecided pairs it no longer finds."""
    existing = {(p.person_a_id, p.person_b_id): p for p in CandidatePair.objects.all()}
    if full:
        stale = [
            p.pk
            for key, p in existing.items()
            if key not in scored and p.status == PairStatus.PENDING
        ]
        for start in range(0, len(stale), WRITE_BATCH):
            CandidatePair.objects.filter(pk__in=stale[start : start + WRITE_BATCH]).delete()
    now = clock.now()
    create: list[CandidatePair] = []
    update: list[CandidatePair] = []
    for (a, b), (probability, band) in scored.items():
        pair = existing.get((a, b))
        if pair is None:
            create.append(
                CandidatePair(
                    person_a_id=a, person_b_id=b, probability=probability, band=band, run=run
                )
            )
        else:
            pair.probability, pair.band, pair.run, pair.updated_at = probability, band, run, now
            update.append(pair)
    CandidatePair.objects.bulk_create(create, batch_size=WRITE_BATCH)
    CandidatePair.objects.bulk_update(
        update, ["probability", "band", "run", "updated_at"], batch_size=WRITE_BATCH
    )


def case_facts_set_individuals(mapping: Mapping[int, int]) -> int:
    """Point the reporting rows of these persons' cases at their individual (person id ->
    individual id): a bulk UPDATE of `CaseFact.individual_id` only, where it changes.
    Returns how many rows changed."""
    rows = (
        CaseFact.objects.filter(case__person_id__in=list(mapping))
        if len(mapping) < 5000
        else (CaseFact.objects.all())
    )
    changed = [
        CaseFact(case_id=case_id, individual_id=mapping[person_id])
        for case_id, person_id, current in rows.values_list(
            "case_id", "case__person_id", "individual_id"
        )
        if person_id in mapping and mapping[person_id] != current
    ]
    CaseFact.objects.bulk_update(changed, ["individual_id"], batch_size=WRITE_BATCH)
    return len(changed)


# --- review decisions ------------------------------------------------------------------------


def _require_review(actor: Any, pair: CandidatePair) -> None:
    require_permission(actor, Perm.LINKAGE_REVIEW, office=pair.person_a.office)
    require_permission(actor, Perm.LINKAGE_REVIEW, office=pair.person_b.office)


def _affected_persons(seeds: set[int]) -> set[int]:
    """The seeds with everyone in their individuals and everyone they must link with (accepted
    transfers and pairs, even to persons not clustered yet), to a fixed point: re-clustering
    this set alone cannot contradict a rule outside it."""
    must: dict[int, set[int]] = {}
    accepted = CandidatePair.objects.filter(status=PairStatus.ACCEPTED).values_list(
        "person_a_id", "person_b_id"
    )
    for a, b in [*certain_links(), *accepted]:
        must.setdefault(a, set()).add(b)
        must.setdefault(b, set()).add(a)
    members: set[int] = set()
    frontier = set(seeds)
    while frontier:
        members |= frontier
        individuals = PersonCluster.objects.filter(person_id__in=frontier).values_list(
            "individual_id", flat=True
        )
        grown = set(
            PersonCluster.objects.filter(individual_id__in=list(individuals)).values_list(
                "person_id", flat=True
            )
        )
        for person in frontier:
            grown |= must.get(person, set())
        frontier = grown - members
    return members


def recluster(person_ids: Iterable[int]) -> int:
    """Re-cluster the individuals these persons belong to from the stored pairs and decisions
    (automatic-band pairs join best first; accepted pairs and transfers must link; rejected
    pairs cannot). Deterministic, so undoing a decision restores the clusters before it.
    Returns how many persons changed individual."""
    members = _affected_persons(set(person_ids))
    stored = list(
        CandidatePair.objects.filter(person_a_id__in=members, person_b_id__in=members)
        .exclude(status=PairStatus.REJECTED)
        .filter(band=PairBand.AUTO)
        .values_list("person_a_id", "person_b_id", "probability")
    )
    pairs = [ScoredPair(record_id(a), record_id(b), p) for a, b, p in stored]
    # The stored band already says which pairs the run linked; join all of them (best first),
    # whatever threshold later runs use.
    lowest = min((p for _, _, p in stored), default=1.0)
    settings = LinkageSettings(auto_link_threshold=lowest, review_threshold=lowest)
    constraints = constraints_for(members)
    wanted = {record_id(p) for p in members}
    held = [(a, b) for a, b in frozen_links().must_link if a in wanted and b in wanted]
    result = cluster_pairs(
        [record_id(p) for p in sorted(members)],
        pairs,
        settings=settings,
        must_link=[*constraints.must_link, *held],
        cannot_link=constraints.cannot_link,
    )
    mapping = {int(r): int(c) for r, c in result.clusters.items()}
    moved = _clusters_store(mapping, run=None)
    case_facts_set_individuals(mapping)
    return moved


def _pair_transition(*, actor: Any, pair: CandidatePair, to: str, event_type: str) -> CandidatePair:
    with transaction.atomic():
        locked = (
            CandidatePair.objects.select_for_update(of=("self",))
            .select_related("person_a__office", "person_b__office")
            .get(pk=pair.pk)
        )
        _require_review(actor, locked)
        if locked.status not in CandidatePair.TRANSITIONS[to]:
            raise PairTransitionRefused(
                _("This pair is %(status)s; that cannot be changed this way.")
                % {"status": locked.get_status_display().lower()}
            )
        previous = locked.status
        locked.status = to
        undecided = to == PairStatus.PENDING
        locked.decided_by = None if undecided else actor
        locked.decided_at = None if undecided else clock.now()
        locked.full_clean()
        locked.save()
        moved = recluster({locked.person_a_id, locked.person_b_id})
        audit_record(
            actor=actor,
            office=locked.person_a.office,
            event_type=event_type,
            target=locked,
            changed_fields=["status", "decided_by", "decided_at"],
            metadata={
                "from": previous,
                "to": to,
                "offices": sorted({locked.person_a.office_id, locked.person_b.office_id}),
                "persons_moved": moved,
            },
        )
    return locked


def pair_decide(*, actor: Any, pair: CandidatePair, decision: str) -> CandidatePair:
    """accept (same person: must-link), reject (not the same: cannot-link) or skip; the
    affected individuals are re-clustered at once. A decision that would join a rejected pair
    through other must-links raises `LinkageConflict` and changes nothing."""
    status = DECISIONS.get(decision)
    if status is None:
        raise ValidationFailed(_("Unknown decision."), field="decision")
    return _pair_transition(actor=actor, pair=pair, to=status, event_type=f"linkage.pair_{status}")


def pair_undo(*, actor: Any, pair: CandidatePair) -> CandidatePair:
    """Put a decided or skipped pair back in the queue and re-cluster as before the decision."""
    return _pair_transition(
        actor=actor, pair=pair, to=PairStatus.PENDING, event_type="linkage.pair_undone"
    )
