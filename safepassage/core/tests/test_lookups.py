"""`any_of`: a long list of integer keys as one parameter, with `in`'s results."""

from __future__ import annotations

import pytest

from safepassage.cases.models import Case
from safepassage.cases.tests.factories import make_case
from safepassage.offices.models import Office
from safepassage.reference.models import Country

pytestmark = pytest.mark.django_db


@pytest.fixture
def offices() -> list[Office]:
    country = Country.objects.get(iso3="UKR")
    return [
        Office.objects.create(code=f"O-{n}", name=f"Office {n}", country=country) for n in range(5)
    ]


def test_any_of_finds_what_in_finds(offices: list[Office]) -> None:
    wanted = [offices[1].pk, offices[3].pk, 10**12]
    found = set(Office.objects.filter(pk__any_of=wanted).values_list("pk", flat=True))
    assert found == set(Office.objects.filter(pk__in=wanted).values_list("pk", flat=True))
    assert found == {offices[1].pk, offices[3].pk}


def test_any_of_takes_thousands_of_values_and_none(offices: list[Office]) -> None:
    many = [*range(10**9, 10**9 + 15_000), offices[2].pk]
    assert list(Office.objects.filter(pk__any_of=many).values_list("code", flat=True)) == ["O-2"]
    assert Office.objects.filter(pk__any_of=[]).count() == 0


def test_any_of_on_a_foreign_key(world) -> None:
    actor = world.user("A", "caseworker")
    cases = [make_case(world.office_a, actor, given=f"Name{n}") for n in range(3)]
    persons = [cases[0].person_id, cases[2].person_id]
    found = Case.objects.filter(person_id__any_of=persons).values_list("pk", flat=True)
    assert set(found) == {cases[0].pk, cases[2].pk}


def test_any_of_refuses_what_is_not_an_integer(offices: list[Office]) -> None:
    with pytest.raises(ValueError):
        list(Office.objects.filter(pk__any_of=["1 OR 1=1"]))
    with pytest.raises(TypeError):
        list(Office.objects.filter(pk__any_of="123"))
