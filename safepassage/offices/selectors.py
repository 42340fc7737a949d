from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from safepassage.access.permissions import Perm
from safepassage.access.policy import scope_for
from safepassage.core.errors import NotFound
from safepassage.offices.models import Office


def office_list(*, viewer: Any) -> QuerySet[Office]:
    """Offices the viewer may see: those in the scope of any of their roles."""
    return scope_for(viewer, Perm.OFFICE_VIEW).filter_offices(
        Office.objects.select_related("country")
    )


def office_by_code(code: str) -> Office:
    """Operator lookup for command-line tools (no viewer: the shell is already trusted)."""
    try:
        return Office.objects.select_related("country").get(code=code.strip().upper())
    except Office.DoesNotExist:
        raise NotFound(f"No office with code {code!r}.") from None
