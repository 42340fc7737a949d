from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, QuerySet

from safepassage.access.permissions import Perm
from safepassage.access.policy import memberships_of, scope_for
from safepassage.accounts.models import Membership, User
from safepassage.offices.models import Office


def user_list(*, viewer: Any) -> QuerySet[User]:
    """Users holding a role at an office in the viewer's user.view scope (all users for a
    headquarters-level viewer), each with the memberships the viewer may see."""
    scope = scope_for(viewer, Perm.USER_VIEW)
    visible = scope.filter(Membership.objects.select_related("office"))
    users = (
        User.objects.all()
        if scope.everything
        else User.objects.filter(memberships__in=visible).distinct()
    )
    if scope.empty:
        users = User.objects.none()
    return users.order_by("username").prefetch_related(
        Prefetch(
            "memberships",
            queryset=visible.order_by("office__code", "role"),
            to_attr="visible_memberships",
        )
    )


def memberships_visible(*, viewer: Any, user: User) -> QuerySet[Membership]:
    scope = scope_for(viewer, Perm.USER_VIEW)
    queryset = user.memberships.select_related("office", "office__country")
    if user.pk == getattr(viewer, "pk", None) and scope.empty:
        return queryset
    return scope.filter(queryset)


def offices_where(*, viewer: Any, perm: str) -> QuerySet[Office]:
    return scope_for(viewer, perm).filter_offices(Office.objects.select_related("country"))


def my_memberships(*, viewer: Any) -> list[Membership]:
    return memberships_of(viewer)
