from __future__ import annotations

from typing import Any

from django import template

from safepassage.access.permissions import Perm
from safepassage.access.policy import has_perm_somewhere

register = template.Library()


@register.filter
def may_see_projects(user: Any) -> bool:
    """For the navigation link only; the pages check again."""
    return has_perm_somewhere(user, Perm.PROJECT_VIEW)
