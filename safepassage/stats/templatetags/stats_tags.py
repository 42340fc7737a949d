from __future__ import annotations

from typing import Any

from django import template

from safepassage.stats.selectors import can_view_stats

register = template.Library()


@register.filter
def may_see_stats(user: Any) -> bool:
    return can_view_stats(user)
