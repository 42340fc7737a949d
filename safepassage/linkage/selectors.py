"""Reads for record linkage: the review queue, one pair for review (access-logged) and the
export of individual ids per case.

A pair is visible to a reviewer only when both persons' offices are in the reviewer's
`linkage.review` scope (headquarters: all); otherwise it answers like a missing pair.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from typing import Any, Final, TextIO

from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from safepassage.access.permissions import Perm
from safepassage.access.policy import has_perm, scope_for
from safepassage.audit.models import AccessEvent
from safepassage.audit.services import access_record
from safepassage.cases.models import Case, Person
from safepassage.core.errors import NotFound
from safepassage.linkage.models import (
    CandidatePair,
    LinkageRun,
    PairBand,
    PairStatus,
    PersonCluster,
)

EXPORT_COLUMNS: Final = ("case_reference", "office", "individual_id")
# Spreadsheet programs run cells starting with these as formulas (CSV injection).
_FORMULA_PREFIXES: Final = ("=", "+", "-", "@", "\t", "\r")


def _pairs_in_scope(viewer: Any) -> QuerySet[CandidatePair]:
    scope = scope_for(viewer, Perm.LINKAGE_REVIEW)
    queryset = CandidatePair.objects.select_related(
        "person_a__office", "person_b__office", "decided_by"
    )
    if scope.empty:
        return queryset.none()
    return queryset.filter(scope.q("person_a__office"), scope.q("person_b__office"))


def pair_queue(*, viewer: Any, status: str = PairStatus.PENDING) -> QuerySet[CandidatePair]:
    """Review-band pairs with `status`, best first. No personal values are read."""
    return _pairs_in_scope(viewer).filter(band=PairBand.REVIEW, status=status)


def pairs_decided(*, viewer: Any, limit: int = 20) -> list[CandidatePair]:
    """The latest decisions in the viewer's scope (for undo)."""
    return list(
        _pairs_in_scope(viewer)
        .exclude(status=PairStatus.PENDING)
        .exclude(decided_at__isnull=True)
        .order_by("-decided_at", "-pk")[:limit]
    )


def next_pending_pair(*, viewer: Any, after: CandidatePair | None = None) -> CandidatePair | None:
    queryset = pair_queue(viewer=viewer)
    if after is not None:
        queryset = queryset.exclude(pk=after.pk)
    return queryset.first()


def access_pair(viewer: Any, pair_id: int) -> CandidatePair:
    """A pair both of whose persons the viewer may review; missing and foreign pairs raise the
    same NotFound."""
    try:
        return _pairs_in_scope(viewer).get(pk=pair_id)
    except (CandidatePair.DoesNotExist, ValueError, TypeError):
        raise NotFound(_("Pair not found.")) from None


@dataclass(frozen=True)
class PairSide:
    person: Person
    cases: list[Case]
    individual_id: int
    show_personal: bool


@dataclass(frozen=True)
class PairView:
    pair: CandidatePair
    a: PairSide
    b: PairSide


def _side(viewer: Any, person: Person) -> PairSide:
    cluster = PersonCluster.objects.filter(person=person).values_list("individual_id", flat=True)
    return PairSide(
        person=person,
        cases=list(Case.objects.filter(person=person).select_related("office").order_by("pk")),
        individual_id=cluster.first() or person.pk,
        show_personal=has_perm(viewer, Perm.CASE_VIEW, office=person.office),
    )


def pair_for_view(*, viewer: Any, pair_id: int) -> PairView:
    """The pair with both persons for side-by-side review; the viewing is access-logged (one
    event per pair shown, targeting the pair)."""
    pair = access_pair(viewer, pair_id)
    a, b = _side(viewer, pair.person_a), _side(viewer, pair.person_b)
    access_record(
        actor=viewer,
        office=pair.person_a.office,
        action=AccessEvent.Action.VIEW,
        target=pair,
        metadata={
            "persons": [pair.person_a_id, pair.person_b_id],
            "offices": sorted({pair.person_a.office_id, pair.person_b.office_id}),
            "personal_data": a.show_personal or b.show_personal,
        },
    )
    return PairView(pair=pair, a=a, b=b)


def latest_run() -> LinkageRun | None:
    return LinkageRun.objects.order_by("-started_at", "-pk").first()


# --- export ----------------------------------------------------------------------------------


def neutralise_cell(value: str) -> str:
    """Prefix a cell a spreadsheet would run as a formula with an apostrophe."""
    return "'" + value if value.startswith(_FORMULA_PREFIXES) else value


def links_export(*, viewer: Any | None, out: TextIO, source: str = "") -> int:
    """Write `case_reference,office,individual_id` for every case in scope (all cases from the
    command line, `viewer=None`) and record the export in the access log. Returns the rows."""
    cases = Case.objects.order_by("office__code", "reference", "pk")
    if viewer is not None:
        cases = scope_for(viewer, Perm.DATA_EXPORT_PERSONAL).filter(cases)
    individuals = dict(PersonCluster.objects.values_list("person_id", "individual_id"))
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(EXPORT_COLUMNS)
    rows = 0
    with transaction.atomic():
        for reference, office_code, person_id in cases.values_list(
            "reference", "office__code", "person_id"
        ).iterator(chunk_size=2000):
            writer.writerow(
                (
                    neutralise_cell(reference),
                    neutralise_cell(office_code),
                    individuals.get(person_id, person_id),
                )
            )
            rows += 1
        access_record(
            actor=viewer,
            office=None,
            action=AccessEvent.Action.EXPORT,
            target=("linkage.individual", "links"),
            metadata={"rows": rows, "columns": list(EXPORT_COLUMNS)},
            source=source,
        )
    return rows
