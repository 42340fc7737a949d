"""Reads on cases and persons, office-scoped in the query."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass
from difflib import SequenceMatcher
from typing import Any, ClassVar

from django.db.models import Q, QuerySet
from django.db.models.functions import Reverse, Upper

from safepassage.access.permissions import Perm
from safepassage.access.policy import OfficeScope, access_case, scope_for
from safepassage.audit.models import AccessEvent, AuditEvent
from safepassage.audit.services import access_record
from safepassage.cases.models import (
    BeneficiaryCategory,
    Case,
    CaseStatus,
    Person,
    PersonNameKey,
    display_name,
)
from safepassage.core.crypto import blind_index
from safepassage.core.names import fold, skeleton, tokens
from safepassage.offices.models import Office


@dataclass(frozen=True)
class CaseRow:
    """What a row of the case list shows, read as plain values: building the case, person,
    user, office and country objects of 50 rows took a third of a list page's time."""

    pk: int
    reference: str
    name: str
    nationality: str
    category: str
    category_label: str
    status: str
    status_label: str
    closure_requested: bool
    caseworker: str
    office: str
    registration_date: dt.date

    # The columns `from_values` reads, in a `values()` of `case_list`.
    COLUMNS: ClassVar[tuple[str, ...]] = (
        "pk",
        "reference",
        "person__given_names",
        "person__family_names",
        "person__citizenship__name",
        "beneficiary_category",
        "status",
        "closure_requested_reason",
        "assigned_to__username",
        "office__code",
        "registration_date",
    )

    @classmethod
    def from_values(cls, values: dict[str, Any]) -> CaseRow:
        category, status = values["beneficiary_category"], values["status"]
        return cls(
            pk=values["pk"],
            reference=values["reference"],
            name=display_name(values["person__given_names"], values["person__family_names"]),
            nationality=values["person__citizenship__name"] or "",
            category=category,
            category_label=_CATEGORY_LABELS.get(category, category),
            status=status,
            status_label=_STATUS_LABELS.get(status, status),
            closure_requested=bool(values["closure_requested_reason"]),
            caseworker=values["assigned_to__username"] or "",
            office=values["office__code"],
            registration_date=values["registration_date"],
        )


# Lazy labels: a row's label is translated when the page renders it.
_CATEGORY_LABELS: dict[str, Any] = dict(BeneficiaryCategory.choices)
_STATUS_LABELS: dict[str, Any] = dict(CaseStatus.choices)


@dataclass(frozen=True)
class CaseFilters:
    status: str = ""
    category: str = ""
    assigned_to: int | None = None
    registered_from: dt.date | None = None
    registered_to: dt.date | None = None
    nationality: str = ""
    office: int | None = None
    query: str = ""

    @property
    def searching(self) -> bool:
        """A text search: no index orders its matches, so a page of them is counted from its
        ordered ids (`CappedPaginator(count_from_ids=True)`), and its rows are best read by id
        without the search's filters again."""
        return bool(self.query.strip())


# Identifiers a list row does not show: loaded (and decrypted) only when a case is opened.
PERSON_FIELDS_NOT_LISTED = (
    "given_names_original",
    "family_names_original",
    "aliases",
    "birth_date",
    "birth_place",
    "phone",
    "email",
    "address",
)


def case_list(*, viewer: Any, filters: CaseFilters | None = None) -> QuerySet[Case]:
    """Cases in the viewer's scope, newest first, with what a list row shows: of the person,
    the name (decrypting every identifier of 50 persons took a fifth of a page's time)."""
    filters = filters or CaseFilters()
    scope = scope_for(viewer, Perm.CASE_VIEW)
    queryset = scope.filter(
        Case.objects.select_related("office", "person", "person__citizenship", "assigned_to").defer(
            *(f"person__{name}" for name in PERSON_FIELDS_NOT_LISTED)
        )
    )
    if filters.status:
        queryset = queryset.filter(status=filters.status)
    if filters.category:
        queryset = queryset.filter(beneficiary_category=filters.category)
    if filters.assigned_to:
        queryset = queryset.filter(assigned_to_id=filters.assigned_to)
    if filters.registered_from:
        queryset = queryset.filter(registration_date__gte=filters.registered_from)
    if filters.registered_to:
        queryset = queryset.filter(registration_date__lte=filters.registered_to)
    if filters.nationality:
        queryset = queryset.filter(person__citizenship_id=filters.nationality.upper())
    if filters.office:
        queryset = queryset.filter(office_id=filters.office)
    if filters.searching:
        queryset = queryset.alias(reference_reversed=Reverse(Upper("reference"))).filter(
            _search_q(filters.query, scope)
        )
    return queryset.order_by("-registration_date", "-pk")


# A token matching more persons than this is left to the database to join (such a search is
# too broad to read anyway). Below it the list is faster: the consonant skeleton of a common
# family name matches up to 13,600 persons of the 400,000-case office, and for 8,000 of them the
# list served a page in 310 ms where the join took 520 ms, on three processes (a parallel scan
# of the office's cases).
NAME_MATCH_LIMIT = 20_000


def _search_q(text: str, scope: OfficeScope) -> Q:
    """A reference when the text holds a digit (names hold none): the whole reference or its
    end after a dash ('2025-00042' finds 'UA-KYIV-2025-00042'), compared reversed so that the
    index on the reversed reference serves both. Names otherwise: every name token must match a
    blind-indexed key of the person, looked up in the viewer's offices only (the key index
    leads with the office).

    The matching persons are read first and the cases filtered by that list: given the list,
    the planner reads the cases through the person index; given the key lookup as a subquery,
    it misjudges how many cases a common family name matches and walks the office's cases in
    date order probing each (measured on an office of 400,000 cases: 3.2 s instead of 10 ms)."""
    text = text.strip()
    wanted = text.upper()[::-1]
    reference_q = Q(reference_reversed=wanted) | Q(reference_reversed__startswith=f"{wanted}-")
    name_tokens = tokens(text)
    if any(character.isdigit() for character in text) or not name_tokens:
        return reference_q
    name_q = Q()
    persons: set[int] | None = None
    for token in name_tokens:
        keys = {
            blind_index(token, purpose="name-token"),
            blind_index(skeleton(token), purpose="name-skeleton"),
        }
        matching = PersonNameKey.objects.filter(scope.q("office"), key__in=sorted(keys))
        # A person matches through several keys (the token's and its skeleton's): count persons.
        person_ids = matching.values_list("person_id", flat=True).distinct()
        found = set(person_ids[: NAME_MATCH_LIMIT + 1])
        if len(found) > NAME_MATCH_LIMIT:
            name_q &= Q(person__in=person_ids)
        else:
            persons = found if persons is None else persons & found
    if persons is not None:
        # One array parameter, not thousands of placeholders (safepassage/core/lookups.py).
        name_q &= Q(person_id__any_of=sorted(persons))
    return name_q


def case_for_view(*, viewer: Any, case_id: int, action: str = AccessEvent.Action.VIEW) -> Case:
    """A case for display: authorised, and its viewing recorded in the access log."""
    case = access_case(viewer, case_id)
    access_record(actor=viewer, office=case.office, action=action, target=case)
    return case


def person_for_view(*, viewer: Any, person_id: int) -> Person:
    """A registered person for display (opening another case for them): authorised for case
    work at their office, and the viewing recorded in the access log."""
    from safepassage.access.policy import access_person

    person = access_person(viewer, person_id)
    access_record(actor=viewer, office=person.office, action=AccessEvent.Action.VIEW, target=person)
    return person


def case_timeline(case: Case) -> QuerySet[AuditEvent]:
    """What happened to the case, oldest first, from the audit trail (the caller has
    authorised access to the case)."""
    return AuditEvent.objects.filter(target_type="cases.case", target_id=str(case.pk)).order_by(
        "seq"
    )


@dataclass(frozen=True)
class PersonMatch:
    person: Person
    score: float
    reasons: list[str]


def _similarity(a: str, b: str) -> float:
    return SequenceMatcher(None, a, b).ratio() if a and b else 0.0


def person_search(
    *,
    viewer: Any,
    office: Office,
    given_names: str = "",
    family_names: str = "",
    birth_year: int | None = None,
    limit: int = 10,
) -> list[PersonMatch]:
    """Likely existing persons at `office` for search-before-create: candidates come from the
    blind-indexed name keys, then are scored in memory on folded names (either order) and birth
    year. Every search is access-logged."""
    if not scope_for(viewer, Perm.CASE_WORK).includes(office.pk):
        return []
    wanted = tokens(f"{given_names} {family_names}")
    if not wanted:
        return []
    keys = set()
    for token in wanted:
        keys.add(blind_index(token, purpose="name-token"))
        keys.add(blind_index(skeleton(token), purpose="name-skeleton"))
    hits = Counter(
        PersonNameKey.objects.filter(office=office, key__in=sorted(keys)).values_list(
            "person_id", flat=True
        )
    )
    candidate_ids = [pid for pid, _ in hits.most_common(200)]
    persons = Person.objects.filter(pk__in=candidate_ids, office=office).select_related(
        "citizenship"
    )
    query_given, query_family = fold(given_names), fold(family_names)
    matches = []
    for person in persons:
        given, family = (
            fold(person.given_names or person.given_names_original),
            fold(person.family_names or person.family_names_original),
        )
        straight = (_similarity(query_given, given) + _similarity(query_family, family)) / 2
        swapped = (_similarity(query_given, family) + _similarity(query_family, given)) / 2
        score = max(straight, swapped)
        reasons = ["names in swapped order"] if swapped > straight else []
        alias_scores = [
            _similarity(fold(f"{given_names} {family_names}"), fold(a))
            for a in person.aliases or []
        ]
        if alias_scores and max(alias_scores) > score:
            score = max(alias_scores)
            reasons.append("matches an alias")
        if birth_year and person.birth_date:
            if person.birth_date.year == birth_year:
                score = min(1.0, score + 0.15)
                reasons.append("same birth year")
            elif abs(person.birth_date.year - birth_year) > 2:
                score -= 0.25
        if score >= 0.6:
            matches.append(PersonMatch(person=person, score=round(score, 2), reasons=reasons))
    matches.sort(key=lambda m: -m.score)
    access_record(
        actor=viewer,
        office=office,
        action=AccessEvent.Action.SEARCH,
        target=("cases.person", "search"),
        metadata={"results": len(matches[:limit])},
    )
    return matches[:limit]


def approval_queue(*, viewer: Any) -> dict[str, Any]:
    """Determinations waiting for approval and closure requests, in the viewer's supervisor
    scope (not the viewer's own decisions)."""
    from safepassage.screening.models import Determination

    scope = scope_for(viewer, Perm.CASE_APPROVE)
    determinations = (
        scope.filter(Determination.objects.all(), "case__office")
        .filter(status=Determination.Status.PENDING)
        .exclude(decided_by=viewer)
        .select_related("case", "case__office", "decided_by")
        .order_by("created_at")
    )
    closures = (
        scope.filter(Case.objects.all())
        .filter(closure_requested_by__isnull=False)
        .select_related("office", "closure_requested_by")
        .order_by("updated_at")
    )
    return {"determinations": determinations, "closures": closures}


def caseworkers_at(*, office: Office) -> QuerySet[Any]:
    """Active users who may work on cases at `office` (held there, not through a covering
    regional office or headquarters), for the "assigned caseworker" choice."""
    from safepassage.access.permissions import MATRIX
    from safepassage.accounts.models import User

    return (
        User.objects.filter(
            is_active=True,
            memberships__office=office,
            memberships__role__in=sorted(MATRIX[Perm.CASE_WORK]),
        )
        .distinct()
        .order_by("username")
    )


def caseworkers_visible(*, viewer: Any) -> QuerySet[Any]:
    """Users holding a case-work role at an office the viewer sees cases of (list filter)."""
    from safepassage.access.permissions import MATRIX
    from safepassage.accounts.models import Membership, User

    memberships = scope_for(viewer, Perm.CASE_VIEW).filter(
        Membership.objects.filter(role__in=sorted(MATRIX[Perm.CASE_WORK]))
    )
    return (
        User.objects.filter(memberships__in=memberships.values("pk"))
        .distinct()
        .order_by("username")
    )
