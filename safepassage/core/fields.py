"""Model fields that keep personal identifiers encrypted at rest.

The database only ever holds Fernet tokens; decryption happens when a row is loaded. Encrypted
columns cannot be filtered, ordered or compared in SQL (every lookup but `isnull` is refused):
search goes through a blind index (safepassage.core.crypto.blind_index) kept beside the field.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django import forms
from django.core.exceptions import FieldError, ValidationError
from django.db import models
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models.expressions import Expression

from safepassage.core.crypto import decrypt_text, encrypt_text


class EncryptedTextField(models.TextField):  # type: ignore[type-arg]  # value type varies by subclass
    """Text encrypted at rest. Empty strings are stored encrypted too, so emptiness leaks
    nothing; NULL stays NULL (use null=True only where "not recorded" matters)."""

    encrypted = True

    def __init__(self, *args: Any, null_reads_empty: bool = False, **kwargs: Any) -> None:
        """`null_reads_empty`: the column may hold NULL for "never recorded" (bulk imports of
        anonymised sources write it: an encrypted empty string per field and row would cost a
        Fernet token each, and one token shared by many rows would show which rows are
        equal). NULL reads as the empty value, so readers see what they always saw, and a
        saved instance writes that empty value encrypted again."""
        self.null_reads_empty = null_reads_empty
        if null_reads_empty:
            kwargs["null"] = True
        super().__init__(*args, **kwargs)

    def deconstruct(self) -> Any:
        name, path, args, kwargs = super().deconstruct()
        if self.null_reads_empty:
            kwargs.pop("null", None)
            kwargs["null_reads_empty"] = True
        return name, path, args, kwargs

    def empty_value(self) -> Any:
        """What a NULL of a `null_reads_empty` column reads as."""
        return ""

    def get_prep_value(self, value: Any) -> Any:
        value = super().get_prep_value(value)
        if value is None:
            return None
        return encrypt_text(self.serialise(value))

    def from_db_value(
        self, value: Any, expression: Expression, connection: BaseDatabaseWrapper
    ) -> Any:
        if value is None:
            return self.empty_value() if self.null_reads_empty else None
        return self.deserialise(decrypt_text(value))

    def serialise(self, value: Any) -> str:
        return str(value)

    def deserialise(self, text: str) -> Any:
        return text

    def get_lookup(self, lookup_name: str) -> Any:
        if lookup_name != "isnull":
            raise FieldError(
                f"{self.name} is encrypted; '{lookup_name}' lookups are impossible. "
                "Use its blind index for exact matches."
            )
        return super().get_lookup(lookup_name)

    def get_transform(self, lookup_name: str) -> Any:
        raise FieldError(f"{self.name} is encrypted and cannot be transformed in SQL")


class EncryptedDateField(EncryptedTextField):
    """A date (ISO 8601) encrypted at rest; behaves as a DateField in Python and in forms."""

    # What django-stubs' plugin reports for attribute access and assignment on models.
    _pyi_private_set_type: dt.date | str | None  # type: ignore[assignment]  # dates, not only text
    _pyi_private_get_type: dt.date  # type: ignore[assignment]  # the TextField base reads as str

    def to_python(self, value: Any) -> Any:
        if value is None or isinstance(value, dt.date):
            return value
        try:
            return dt.date.fromisoformat(str(value))
        except ValueError as exc:
            raise ValidationError(f"'{value}' is not a valid date (YYYY-MM-DD)") from exc

    def get_prep_value(self, value: Any) -> Any:
        if value is None:
            return None
        return encrypt_text(self.to_python(value).isoformat())

    def deserialise(self, text: str) -> Any:
        return dt.date.fromisoformat(text)

    def formfield(
        self,
        form_class: type[forms.Field] | None = None,
        choices_form_class: type[forms.ChoiceField] | None = None,
        **kwargs: Any,
    ) -> forms.Field | None:
        return models.Field.formfield(self, form_class=form_class or forms.DateField, **kwargs)


class EncryptedJSONField(EncryptedTextField):
    """A JSON value (e.g. a list of aliases) encrypted at rest."""

    _pyi_private_set_type: Any
    _pyi_private_get_type: Any

    def get_prep_value(self, value: Any) -> Any:
        if value is None:
            return None
        return encrypt_text(json.dumps(value, ensure_ascii=False, sort_keys=True))

    def empty_value(self) -> Any:
        return []

    def to_python(self, value: Any) -> Any:
        return value

    def deserialise(self, text: str) -> Any:
        return json.loads(text)

    def formfield(
        self,
        form_class: type[forms.Field] | None = None,
        choices_form_class: type[forms.ChoiceField] | None = None,
        **kwargs: Any,
    ) -> forms.Field | None:
        return models.Field.formfield(self, form_class=form_class or forms.JSONField, **kwargs)
