"""Navigation flag for the duplicate review queue."""

from __future__ import annotations

from typing import Any

from django import template

from safepassage.access.permissions import Perm
from safepassage.access.policy import has_perm_somewhere

register = template.Library()


@register.filter
def may_review_links(user: Any) -> bool:
    return has_perm_somewhere(user, Perm.LINKAGE_REVIEW)
