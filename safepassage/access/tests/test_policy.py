from __future__ import annotations

import pytest

from safepassage.access.permissions import Perm, Role
from safepassage.access.policy import access_user, has_perm, scope_for
from safepassage.core.errors import NotFound
from safepassage.offices.models import Office
from safepassage.reference.models import Country

pytestmark = pytest.mark.django_db


def test_country_office_role_covers_only_that_office(world) -> None:
    scope = scope_for(world.user("A", "caseworker"), Perm.CASE_VIEW)
    assert scope.office_ids == {world.office_a.pk}
    assert not scope.everything


def test_headquarters_role_covers_every_office(world) -> None:
    assert scope_for(world.user("HQ", "data_manager"), Perm.CASE_VIEW).everything


def test_regional_office_covers_its_region(world) -> None:
    from safepassage.conftest import make_user

    regional = Office.objects.create(
        code="RO-VIENNA",
        name="RO Vienna",
        country=Country.objects.get(iso3="AUT"),
        kind=Office.Kind.REGIONAL,
        covered_region="vienna",
    )
    user = make_user("ro_sup", regional, Role.SUPERVISOR)
    scope = scope_for(user, Perm.CASE_VIEW)
    assert world.office_a.pk in scope.office_ids  # Ukraine is in the Vienna region (Annex 2)
    assert world.office_b.pk not in scope.office_ids  # Thailand is not
    assert has_perm(user, Perm.CASE_APPROVE, office=world.office_a)
    assert not has_perm(user, Perm.CASE_APPROVE, office=world.office_b)


def test_roles_grant_only_their_permissions(world) -> None:
    office = world.office_a
    assert has_perm(world.user("A", "caseworker"), Perm.CASE_WORK, office=office)
    assert not has_perm(world.user("A", "caseworker"), Perm.CASE_APPROVE, office=office)
    assert not has_perm(world.user("A", "researcher"), Perm.CASE_VIEW, office=office)
    assert not has_perm(world.user("A", "auditor"), Perm.CASE_VIEW, office=office)
    assert not has_perm(world.user("A", "admin"), Perm.CASE_VIEW, office=office)
    assert not has_perm(world.user("B", "caseworker"), Perm.CASE_WORK, office=office)


def test_inactive_user_has_no_permission(world) -> None:
    user = world.user("A", "supervisor")
    user.is_active = False
    assert scope_for(user, Perm.CASE_VIEW).empty


@pytest.mark.parametrize("role", Role.values)
def test_other_office_users_are_not_found_like_missing_ones(world, role) -> None:
    viewer = world.user("B", role)
    target = world.user("A", "caseworker")
    with pytest.raises(NotFound) as foreign:
        access_user(viewer, target.pk)
    with pytest.raises(NotFound) as missing:
        access_user(viewer, 999_999)
    assert str(foreign.value) == str(missing.value)


def test_hq_admin_sees_every_office_user(world) -> None:
    assert access_user(world.user("HQ", "admin"), world.user("A", "caseworker").pk)
    assert access_user(world.user("A", "admin"), world.user("A", "caseworker").pk)
