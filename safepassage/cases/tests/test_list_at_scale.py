"""The case list and search as they must behave with hundreds of thousands of cases per
office: bounded counting, searches that use the indexed paths, and query counts that do not
grow with the rows (bench/load.py measures the times at a million cases)."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from safepassage.cases import selectors
from safepassage.cases.models import Case
from safepassage.cases.selectors import CaseFilters, case_list
from safepassage.cases.tests.factories import make_case
from safepassage.conftest import World
from safepassage.core.pagination import CappedPaginator

pytestmark = pytest.mark.django_db

# session, user, device, memberships, count, page ids, page rows, caseworkers filter and the
# access event (savepoint, chain head, insert, chain update, release); the session is not saved
# within its refresh interval (accounts/tests/test_sessions.py)
LIST_QUERIES = 13
# a search counts from the page's ordered ids: one query for the count and the page's ids
SEARCH_QUERIES = LIST_QUERIES - 1


def test_the_count_stops_at_the_cap(world: World) -> None:
    # given seven cases
    actor = world.user("A", "caseworker")
    for n in range(7):
        make_case(world.office_a, actor, given=f"Person{n}")
    cases = case_list(viewer=actor)
    # when paged with a cap below and above that number
    capped = CappedPaginator(cases, 2, cap=5)
    exact = CappedPaginator(cases, 2, cap=10)
    # then the capped count says "more than 5" and pages stop there; the other is exact
    assert (capped.count, capped.capped, capped.num_pages) == (5, True, 3)
    assert (exact.count, exact.capped, exact.num_pages) == (7, False, 4)
    assert [c.pk for c in exact.page(4).object_list] == [cases.last().pk]  # type: ignore[union-attr]
    # and counting from the ordered ids gives the same counts and pages
    for cap in (5, 7, 10):
        counted = CappedPaginator(cases, 2, cap=cap)
        from_ids = CappedPaginator(cases, 2, cap=cap, count_from_ids=True)
        assert (from_ids.count, from_ids.capped, from_ids.num_pages) == (
            counted.count,
            counted.capped,
            counted.num_pages,
        )
        for number in counted.page_range:
            assert list(from_ids.page(number).object_list) == list(counted.page(number).object_list)


def test_a_reference_is_found_whole_or_by_its_end_and_digits_never_search_names(
    world: World,
) -> None:
    actor = world.user("A", "caseworker")
    case = make_case(world.office_a, actor)
    other = make_case(world.office_a, actor, given="Iryna", family="Shevchenko")
    year_and_number = case.reference.split("-", 2)[2]  # UA-KYIV-2025-00001 -> 2025-00001

    def found(text: str) -> set[int]:
        return set(
            case_list(viewer=actor, filters=CaseFilters(query=text)).values_list("pk", flat=True)
        )

    assert found(case.reference) == {case.pk}
    assert found(case.reference.lower()) == {case.pk}
    assert found(year_and_number) == {case.pk}
    assert found(year_and_number.split("-")[1]) == {case.pk}  # the number alone
    assert found(year_and_number[1:]) == set()  # not any ending: whole parts after a dash
    assert found("Shevchenko") == {other.pk}
    assert found("Shevchenko 1990") == set()  # a digit makes it a reference


def test_a_name_search_looks_up_keys_of_the_viewers_offices_only(world: World) -> None:
    # given the same name registered in both offices
    actor = world.user("A", "caseworker")
    mine = make_case(world.office_a, actor, family="Melnyk")
    make_case(world.office_b, world.user("B", "caseworker"), family="Melnyk")
    # when A searches for it
    with CaptureQueriesContext(connection) as captured:
        found = list(case_list(viewer=actor, filters=CaseFilters(query="Melnyk")))
    # then the key lookup itself is restricted to A's office (the key index leads with it)
    lookups = [q["sql"] for q in captured.captured_queries if "cases_personnamekey" in q["sql"]]
    assert lookups
    assert all("office_id" in sql for sql in lookups)
    assert found == [mine]


def test_a_very_common_name_is_joined_by_the_database_with_the_same_result(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given more persons named Melnyk than the search reads into a list
    actor = world.user("A", "caseworker")
    named = {
        make_case(world.office_a, actor, given=g, family="Melnyk").pk
        for g in ("Anna", "Borys", "Chrystia")
    }
    make_case(world.office_a, actor, given="Ivan", family="Melnyk-Bondar")
    make_case(world.office_b, world.user("B", "caseworker"), family="Melnyk")
    listed = {c.pk for c in case_list(viewer=actor, filters=CaseFilters(query="Ivan Melnyk"))}
    monkeypatch.setattr(selectors, "NAME_MATCH_LIMIT", 1)
    # when A searches by the family name, and by two tokens of which one is common
    common = {c.pk for c in case_list(viewer=actor, filters=CaseFilters(query="Melnyk"))}
    mixed = {c.pk for c in case_list(viewer=actor, filters=CaseFilters(query="Ivan Melnyk"))}
    # then the database's join finds what the list would have found
    assert named <= common
    assert mixed == listed


@pytest.mark.parametrize(
    ("params", "queries"),
    [
        ({}, LIST_QUERIES),
        ({"page": "2"}, LIST_QUERIES),
        ({"status": "registered"}, LIST_QUERIES),
        ({"q": "Kovalenko"}, SEARCH_QUERIES + 1),  # the persons with that key
        ({"q": "Oleksandr Kovalenko"}, SEARCH_QUERIES + 2),  # one lookup per name
        ({"q": "00001"}, SEARCH_QUERIES),
    ],
)
def test_list_and_search_query_counts_do_not_grow_with_rows(
    world: World, login: Any, params: dict[str, str], queries: int
) -> None:
    # given more cases than a page holds
    actor = world.user("A", "caseworker")
    for n in range(60):
        make_case(world.office_a, actor, given=f"Oleksandr{n}")
    Case.objects.update(assigned_to=actor)
    client = login(actor)
    client.get(reverse("cases:case_list"))  # the session's first request warms caches
    # when the list is shown, filtered or searched
    with CaptureQueriesContext(connection) as captured:
        response = client.get(reverse("cases:case_list"), params)
    # then a fixed number of queries suffices
    assert response.status_code == 200
    assert len(captured) == queries, [q["sql"][:120] for q in captured.captured_queries]
