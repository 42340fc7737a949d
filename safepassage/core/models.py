from __future__ import annotations

from typing import Any

from django.db import models
from django.utils.encoding import force_str
from django.utils.translation import gettext_lazy as _

# Per choice field: stored value -> (lazy) label.
_CHOICE_LABELS: dict[models.Field[Any, Any], dict[Any, Any]] = {}


def _choice_labels(field: models.Field[Any, Any]) -> dict[Any, Any]:
    labels = _CHOICE_LABELS.get(field)
    if labels is None:
        labels = _CHOICE_LABELS[field] = dict(field.flatchoices)
    return labels


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(_("created"), auto_now_add=True, editable=False)
    updated_at = models.DateTimeField(_("updated"), auto_now=True, editable=False)

    class Meta:
        abstract = True

    def _get_FIELD_display(self, field: models.Field[Any, Any]) -> Any:  # noqa: N802  # Django's name
        """`get_<field>_display()`, with the same result as Django's. Django builds a dict of the
        field's choices on every call, hashing each (value, label) pair, and hashing a lazy
        label translates it: a list of 50 cases spent 15 ms translating every status and
        category label twice per row. The value -> label mapping is built once per field
        instead; its labels stay lazy, so each call translates one label into the language of
        the request."""
        value = getattr(self, field.attname)
        try:
            label = _choice_labels(field).get(value, value)
        except TypeError:  # an unhashable value: Django's way handles it
            return super()._get_FIELD_display(field)  # type: ignore[misc]  # untyped in the stubs
        return force_str(label, strings_only=True)
