from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from safepassage.offices.models import MAX_RETENTION_YEARS, Office
from safepassage.reference.countries import country_choices
from safepassage.reference.regions import Region


class OfficeCreateForm(forms.Form):
    code = forms.CharField(label=_("Code"), max_length=32, help_text=_("e.g. UA-KYIV"))
    name = forms.CharField(label=_("Name"), max_length=120)
    country = forms.ChoiceField(label=_("Country"), choices=country_choices)
    kind = forms.ChoiceField(
        label=_("Kind"), choices=Office.Kind.choices, initial=Office.Kind.COUNTRY
    )
    covered_region = forms.ChoiceField(
        label=_("Region covered (regional offices)"),
        choices=[("", "-"), *Region.choices],
        required=False,
    )

    def clean(self) -> dict[str, object]:
        cleaned = super().clean() or {}
        if cleaned.get("kind") == Office.Kind.REGIONAL and not cleaned.get("covered_region"):
            self.add_error("covered_region", _("A regional office needs the region it covers."))
        return cleaned


class RetentionForm(forms.Form):
    retention_years = forms.IntegerField(
        label=_("Retention period (years after closure)"),
        min_value=1,
        max_value=MAX_RETENTION_YEARS,
        required=False,
        help_text=_("Leave blank to follow the organisation default."),
    )
