"""Serializer fields shared by the API modules."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from safepassage.offices.models import Office


class OfficeCodeField(serializers.SlugRelatedField):  # type: ignore[type-arg]  # Office
    """An office given by its code (e.g. UA-KYIV). Existence only: services decide access."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(slug_field="code", queryset=Office.objects.all(), **kwargs)


def choice_field(choices: Any, **kwargs: Any) -> serializers.ChoiceField:
    return serializers.ChoiceField(choices=choices.choices, **kwargs)


def multi_choice(choices: Any, **kwargs: Any) -> serializers.ListField:
    return serializers.ListField(
        child=serializers.ChoiceField(choices=choices.choices), required=False, **kwargs
    )


def validated(serializer_class: type[serializers.Serializer[Any]], data: Any) -> dict[str, Any]:
    """Parse input with an explicit serializer; errors become a 400 with per-field messages."""
    serializer = serializer_class(data=data)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)
