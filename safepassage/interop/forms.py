from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from safepassage.interop.formats import FORMATS
from safepassage.offices.models import Office


class ImportForm(forms.Form):
    office = forms.ModelChoiceField(queryset=Office.objects.none(), label=_("Import into office"))
    format = forms.ChoiceField(
        choices=[(k, f.label) for k, f in FORMATS.items()], label=_("Format")
    )
    file = forms.FileField(label=_("File (CSV, or XLSX for HTCDS)"))

    def __init__(self, *args: Any, offices: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["office"].queryset = offices  # type: ignore[attr-defined]  # ModelChoiceField


class ConfirmForm(forms.Form):
    token = forms.CharField(widget=forms.HiddenInput)
    skip_invalid = forms.BooleanField(
        required=False, label=_("Import the valid rows and skip the invalid ones")
    )


class AggregateForm(forms.Form):
    office = forms.ModelChoiceField(queryset=Office.objects.none(), label=_("Office"))
    year = forms.IntegerField(min_value=1990, max_value=2100, label=_("Year"))
    file = forms.FileField(label=_("Filled-in template (CSV)"))

    def __init__(self, *args: Any, offices: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["office"].queryset = offices  # type: ignore[attr-defined]  # ModelChoiceField
