from __future__ import annotations

from typing import Any

from django import template

from safepassage.access.permissions import Perm
from safepassage.access.policy import has_perm, has_perm_somewhere
from safepassage.retention.models import Anonymisation

register = template.Library()


@register.filter
def may_see_erasure_requests(user: Any) -> bool:
    return has_perm_somewhere(user, Perm.CASE_VIEW)


@register.filter
def may_request_erasure(user: Any, case: Any) -> bool:
    return has_perm(user, Perm.CASE_WORK, office=case.office)


@register.filter
def is_anonymised(person: Any) -> bool:
    return Anonymisation.objects.filter(person_id=person.pk).exists()
