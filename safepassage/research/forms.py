from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from safepassage.research import ctdc
from safepassage.research.models import ResearchRelease
from safepassage.research.services import ReleaseRequest

QI_LABELS = {
    "year_of_registration": _("Year of registration"),
    "sex": _("Sex"),
    "age": _("Age (CTDC band or majority status)"),
    "citizenship": _("Citizenship"),
    "country_of_exploitation": _("Country of exploitation"),
}


class ReleaseForm(forms.Form):
    method = forms.ChoiceField(label=_("Method"), choices=ResearchRelease.Method.choices)
    year_from = forms.IntegerField(label=_("From year"), required=False, min_value=1990)
    year_to = forms.IntegerField(label=_("To year"), required=False, min_value=1990)
    k = forms.IntegerField(label=_("k"), initial=11, min_value=2, required=False)
    l_value = forms.IntegerField(
        label=_("l (distinct exploitation types per class)"), min_value=1, required=False
    )
    quasi_identifiers = forms.MultipleChoiceField(
        label=_("Quasi-identifiers"),
        choices=[(name, QI_LABELS[name]) for name in ctdc.QI_NAMES],
        initial=list(ctdc.QI_NAMES),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("A quasi-identifier left out is withheld from the file."),
    )
    max_suppression = forms.FloatField(
        label=_("Suppression limit (share of rows)"),
        initial=0.10,
        min_value=0,
        max_value=0.99,
        required=False,
    )
    epsilon = forms.FloatField(label=_("Epsilon"), min_value=0.001, required=False)

    def release_request(self) -> ReleaseRequest:
        data: dict[str, Any] = self.cleaned_data
        return ReleaseRequest(
            method=data["method"],
            k=data.get("k") or 11,
            l_value=data.get("l_value"),
            quasi_identifiers=tuple(data.get("quasi_identifiers") or ctdc.QI_NAMES),
            max_suppression=(
                data["max_suppression"] if data.get("max_suppression") is not None else 0.10
            ),
            epsilon=data.get("epsilon"),
            year_from=data.get("year_from"),
            year_to=data.get("year_to"),
        )
