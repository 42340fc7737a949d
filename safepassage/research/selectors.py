"""Reading the releases registry. A release is visible to a viewer whose scope for the
permission covers every office the release was made from (a release over every office: only
headquarters-level viewers); anything else answers like a missing release."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from safepassage.access.permissions import Perm
from safepassage.access.policy import has_perm_somewhere, scope_for
from safepassage.core.errors import NotFound
from safepassage.offices.models import Office
from safepassage.research.models import ResearchRelease


def research_release_list(
    *, viewer: Any, perm: str = Perm.RESEARCH_DOWNLOAD
) -> QuerySet[ResearchRelease]:
    scope = scope_for(viewer, perm)
    releases = ResearchRelease.objects.select_related("created_by")
    if scope.everything:
        return releases
    if scope.empty:
        return releases.none()
    outside = Office.objects.exclude(pk__in=sorted(scope.office_ids))
    return releases.filter(all_offices=False).exclude(offices__in=outside)


def access_research_release(
    viewer: Any, release_id: int, perm: str = Perm.RESEARCH_DOWNLOAD
) -> ResearchRelease:
    release = research_release_list(viewer=viewer, perm=perm).filter(pk=release_id).first()
    if release is None:
        raise NotFound("Page not found.")
    return release


def can_see_research(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and has_perm_somewhere(
        user, Perm.RESEARCH_DOWNLOAD
    )


def can_release_research(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and has_perm_somewhere(
        user, Perm.RESEARCH_RELEASE
    )
