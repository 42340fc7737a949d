"""The access policy: every decision about who may see or do what goes through this module.

- `scope_for(user, perm)`: the offices where the user holds a role granting `perm`, expanded by
  office kind (country office: itself; regional office: every office in its region;
  headquarters: every office). Selectors filter querysets with it.
- `has_perm` / `can_*`: booleans for showing buttons.
- `require_permission`: raises PermissionDenied inside services.
- `access_*`: fetch a record for a viewer, raising the same NotFound for "missing" and
  "not yours", so nobody learns that a record exists in another office.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar

from django.db.models import Model, Q, QuerySet
from django.utils.translation import gettext as _

from safepassage.access.permissions import MATRIX
from safepassage.core.errors import NotFound, PermissionDenied

if TYPE_CHECKING:
    from safepassage.accounts.models import Membership
    from safepassage.cases.models import Case, Person
    from safepassage.offices.models import Office
    from safepassage.projects.models import Fund, Project
    from safepassage.retention.models import ErasureRequest

M = TypeVar("M", bound=Model)

_CACHE_ATTR = "_safepassage_memberships"


@dataclass(frozen=True)
class OfficeScope:
    """A set of offices: every office (`everything`) or the listed ids."""

    everything: bool = False
    office_ids: frozenset[int] = field(default_factory=frozenset)

    @property
    def empty(self) -> bool:
        return not self.everything and not self.office_ids

    def includes(self, office_id: int | None) -> bool:
        if office_id is None:
            return self.everything
        return self.everything or office_id in self.office_ids

    def q(self, office_field: str = "office") -> Q:
        if self.everything:
            return Q()
        if not self.office_ids:
            return Q(pk__in=[])
        return Q(**{f"{office_field}_id__in": sorted(self.office_ids)})

    def filter(self, queryset: QuerySet[M], office_field: str = "office") -> QuerySet[M]:
        if self.empty:
            return queryset.none()
        return queryset.filter(self.q(office_field))

    def filter_offices(self, queryset: QuerySet[M]) -> QuerySet[M]:
        if self.everything:
            return queryset
        if not self.office_ids:
            return queryset.none()
        return queryset.filter(pk__in=sorted(self.office_ids))


def memberships_of(user: Any) -> list[Membership]:
    """The user's active memberships, loaded once per user object (one request)."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return []
    cached: list[Membership] | None = getattr(user, _CACHE_ATTR, None)
    if cached is None:
        from safepassage.accounts.models import Membership

        cached = list(
            Membership.objects.filter(user=user, office__is_active=True).select_related(
                "office", "office__country"
            )
        )
        setattr(user, _CACHE_ATTR, cached)
    return cached


def forget_memberships(user: Any) -> None:
    if hasattr(user, _CACHE_ATTR):
        delattr(user, _CACHE_ATTR)


def _covered_office_ids(offices: Iterable[Office]) -> OfficeScope:
    from safepassage.offices.models import Office

    ids: set[int] = set()
    regions: set[str] = set()
    for office in offices:
        if office.kind == Office.Kind.HEADQUARTERS:
            return OfficeScope(everything=True)
        ids.add(office.pk)
        if office.kind == Office.Kind.REGIONAL:
            regions.add(office.covered_region)
    if regions:
        ids.update(
            Office.objects.filter(country__region__in=sorted(regions), is_active=True).values_list(
                "pk", flat=True
            )
        )
    return OfficeScope(office_ids=frozenset(ids))


def scope_for(user: Any, perm: str) -> OfficeScope:
    roles = MATRIX[perm]
    offices = [m.office for m in memberships_of(user) if m.role in roles]
    if not offices:
        return OfficeScope()
    return _covered_office_ids(offices)


def roles_at(user: Any, office: Office) -> set[str]:
    """Roles that apply to `office`, including those held at a covering regional office or HQ."""
    from safepassage.offices.models import Office

    roles: set[str] = set()
    for membership in memberships_of(user):
        held = membership.office
        if (
            held.pk == office.pk
            or held.kind == Office.Kind.HEADQUARTERS
            or (held.kind == Office.Kind.REGIONAL and held.covered_region == office.region)
        ):
            roles.add(membership.role)
    return roles


def has_perm(user: Any, perm: str, *, office: Office | None) -> bool:
    """May `user` do `perm` at `office`? With office None: anywhere (for global actions such as
    creating an office, which only a headquarters role covers)."""
    roles = MATRIX[perm]
    if office is None:
        return scope_for(user, perm).everything
    return bool(roles_at(user, office) & roles)


def has_perm_somewhere(user: Any, perm: str) -> bool:
    return not scope_for(user, perm).empty


def require_permission(user: Any, perm: str, *, office: Office | None) -> None:
    if not has_perm(user, perm, office=office):
        raise PermissionDenied(_("You do not have permission to do this here."))


# --- access_* : fetch and authorise -------------------------------------------------------------


def access_user(viewer: Any, user_id: int) -> Any:
    """A user account, if the viewer may see users at one of the offices where it holds a role
    (or is a headquarters-level viewer)."""
    from safepassage.accounts.models import User

    scope = scope_for(viewer, "user.view")
    not_found = NotFound(_("User not found."))
    if scope.empty:
        raise not_found
    try:
        user = User.objects.get(pk=user_id)
    except User.DoesNotExist:
        raise not_found from None
    if scope.everything or user.pk == viewer.pk:
        return user
    office_ids = set(user.memberships.values_list("office_id", flat=True))
    if not office_ids & scope.office_ids:
        raise not_found
    return user


def access_membership(viewer: Any, membership_id: int) -> Membership:
    from safepassage.accounts.models import Membership

    scope = scope_for(viewer, "user.view")
    try:
        membership = Membership.objects.select_related("office", "office__country", "user").get(
            pk=membership_id
        )
    except Membership.DoesNotExist:
        raise NotFound(_("Membership not found.")) from None
    if not scope.includes(membership.office_id):
        raise NotFound(_("Membership not found."))
    return membership


def access_office(viewer: Any, office_id: int, perm: str = "office.view") -> Office:
    from safepassage.offices.models import Office

    scope = scope_for(viewer, perm)
    if not scope.includes(office_id):
        raise NotFound(_("Office not found."))
    try:
        return Office.objects.select_related("country").get(pk=office_id)
    except Office.DoesNotExist:
        raise NotFound(_("Office not found.")) from None


def access_case(
    viewer: Any, case_id: int, perm: str = "case.view", *, for_update: bool = False
) -> Case:
    """A case the viewer may see (with `perm` at the case's office). Missing and foreign cases
    raise the same NotFound. With `for_update`, the row is locked for the transaction."""
    from safepassage.cases.models import Case

    scope = scope_for(viewer, perm)
    not_found = NotFound(_("Case not found."))
    if scope.empty:
        raise not_found
    queryset = Case.objects.select_related(
        "office", "office__country", "person", "assistance_country"
    )
    if for_update:
        queryset = queryset.select_for_update(of=("self",))
    try:
        case = scope.filter(queryset).get(pk=case_id)
    except (Case.DoesNotExist, ValueError, TypeError):
        raise not_found from None
    return case


def access_person(viewer: Any, person_id: int, perm: str = "case.work") -> Person:
    """A registered person at an office where the viewer holds `perm` (opening another case for
    them after search-before-create). Missing and foreign persons raise the same NotFound."""
    from safepassage.cases.models import Person

    scope = scope_for(viewer, perm)
    not_found = NotFound(_("Person not found."))
    if scope.empty:
        raise not_found
    queryset = Person.objects.select_related("office", "office__country", "citizenship")
    try:
        return scope.filter(queryset).get(pk=person_id)
    except (Person.DoesNotExist, ValueError, TypeError):
        raise not_found from None


def access_project(viewer: Any, project_id: int, perm: str = "project.view") -> Project:
    """A project implemented by an office in the viewer's scope for `perm` (headquarters: all).
    Missing and foreign projects raise the same NotFound."""
    from safepassage.projects.models import Project

    scope = scope_for(viewer, perm)
    not_found = NotFound(_("Project not found."))
    if scope.empty:
        raise not_found
    queryset = Project.objects.all()
    if not scope.everything:
        queryset = queryset.filter(offices__in=sorted(scope.office_ids)).distinct()
    try:
        return queryset.get(pk=project_id)
    except (Project.DoesNotExist, ValueError, TypeError):
        raise not_found from None


def access_fund(viewer: Any, fund_id: int, perm: str = "project.view") -> Fund:
    """A fund the viewer may see: a global fund (no offices) for anyone holding `perm`
    somewhere, otherwise one of its offices must be in scope."""
    from safepassage.projects.models import Fund

    scope = scope_for(viewer, perm)
    not_found = NotFound(_("Fund not found."))
    if scope.empty:
        raise not_found
    queryset = Fund.objects.select_related("project")
    if not scope.everything:
        queryset = queryset.filter(
            Q(offices__isnull=True) | Q(offices__in=sorted(scope.office_ids))
        ).distinct()
    try:
        return queryset.get(pk=fund_id)
    except (Fund.DoesNotExist, ValueError, TypeError):
        raise not_found from None


def access_erasure_request(viewer: Any, request_id: int, perm: str = "case.view") -> ErasureRequest:
    """An erasure request at an office where the viewer holds `perm`. Missing and foreign
    requests raise the same NotFound."""
    from safepassage.retention.models import ErasureRequest

    scope = scope_for(viewer, perm)
    not_found = NotFound(_("Erasure request not found."))
    if scope.empty:
        raise not_found
    queryset = ErasureRequest.objects.select_related("office", "office__country", "person")
    try:
        return scope.filter(queryset).get(pk=request_id)
    except (ErasureRequest.DoesNotExist, ValueError, TypeError):
        raise not_found from None


def can_decide_erasure(user: Any, request: ErasureRequest) -> bool:
    """Four eyes: a supervisor of the person's office who did not record the request."""
    return (
        request.status == "pending"
        and request.requested_by_id != user.pk
        and has_perm(user, "case.approve", office=request.office)
    )


def can_work_on_case(user: Any, case: Case) -> bool:
    return has_perm(user, "case.work", office=case.office) and not case.is_closed


def can_approve_for_case(user: Any, case: Case) -> bool:
    return has_perm(user, "case.approve", office=case.office)


def can_manage_users(user: Any, office: Office | None = None) -> bool:
    if office is None:
        return has_perm_somewhere(user, "user.manage")
    return has_perm(user, "user.manage", office=office)


def can_manage_offices(user: Any) -> bool:
    return has_perm(user, "office.manage", office=None)


def can_view_audit(user: Any) -> bool:
    return has_perm_somewhere(user, "audit.view")
