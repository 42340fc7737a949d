from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from safepassage.cases.models import BeneficiaryCategory
from safepassage.offices.models import Office
from safepassage.reference.regions import Region
from safepassage.stats.selectors import StatsFilters


class StatsFilterForm(forms.Form):
    year = forms.IntegerField(label=_("Year"), min_value=1990, max_value=2100)
    region = forms.ChoiceField(
        label=_("Region"), required=False, choices=[("", _("All regions")), *Region.choices]
    )
    office = forms.ModelChoiceField(
        label=_("Office"),
        required=False,
        queryset=Office.objects.none(),
        empty_label=_("All offices in my scope"),
    )
    category = forms.ChoiceField(
        label=_("Beneficiary category"),
        required=False,
        choices=[("", _("All categories")), *BeneficiaryCategory.choices],
    )

    def __init__(self, *args: Any, offices: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["office"].queryset = offices  # type: ignore[attr-defined]  # ModelChoiceField

    def filters(self, default_year: int) -> StatsFilters:
        data = self.cleaned_data if self.is_bound and self.is_valid() else {}
        office = data.get("office")
        return StatsFilters(
            year=data.get("year") or default_year,
            region=data.get("region") or "",
            office=office.pk if office is not None else None,
            category=data.get("category") or "",
        )
