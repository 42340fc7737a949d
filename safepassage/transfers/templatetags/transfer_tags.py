"""Labels for the codes a transfer's shared summary carries (it stores codes, not labels)."""

from __future__ import annotations

from collections.abc import Iterable

from django import template

from safepassage.cases.models import BeneficiaryCategory, SharedData
from safepassage.reference.codes import Gender

register = template.Library()


@register.filter
def shared_labels(values: Iterable[str] | None) -> str:
    labels = dict(SharedData.choices)
    return ", ".join(str(labels.get(value, value)) for value in values or [])


@register.filter
def category_label(value: str | None) -> str:
    return str(dict(BeneficiaryCategory.choices).get(value or "", value or "-"))


@register.filter
def gender_label(value: str | None) -> str:
    return str(dict(Gender.choices).get(value or "", value or "-"))
