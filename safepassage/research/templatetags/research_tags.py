from __future__ import annotations

from typing import Any

from django import template

from safepassage.research.selectors import can_see_research

register = template.Library()


@register.filter
def may_see_research(user: Any) -> bool:
    return can_see_research(user)
