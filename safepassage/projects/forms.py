from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from safepassage.offices.models import Office
from safepassage.projects.models import Donor, Fund, Project, ProjectStatus, ThematicArea
from safepassage.reference.countries import country_choices

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class ProjectForm(forms.Form):
    code = forms.CharField(label=_("Code"), max_length=40)
    title = forms.CharField(label=_("Title"), max_length=300)
    thematic_areas = forms.MultipleChoiceField(
        label=_("Thematic areas"),
        choices=ThematicArea.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    status = forms.ChoiceField(label=_("Status"), choices=ProjectStatus.choices)
    start_date = forms.DateField(label=_("Start"), widget=DATE)
    end_date = forms.DateField(label=_("End"), widget=DATE, required=False)
    offices = forms.ModelMultipleChoiceField(
        label=_("Implementing offices"), queryset=Office.objects.none()
    )
    countries = forms.MultipleChoiceField(
        label=_("Countries"),
        choices=country_choices,
        help_text=_("Funding is split equally between the countries in regional figures."),
        widget=forms.SelectMultiple(attrs={"size": 8}),
    )

    def __init__(self, *args: Any, offices: QuerySet[Any], editing: bool = False, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["offices"].queryset = offices  # type: ignore[attr-defined]  # ModelMultipleChoiceField
        if editing:
            self.fields["code"].disabled = True


class FundingForm(forms.Form):
    donor = forms.ModelChoiceField(label=_("Donor"), queryset=Donor.objects.all())
    year = forms.IntegerField(label=_("Year"), min_value=1990, max_value=2100)
    amount = forms.DecimalField(label=_("Amount"), max_digits=16, decimal_places=2)
    currency = forms.CharField(label=_("Currency (ISO 4217)"), max_length=3, initial="USD")
    usd_rate = forms.DecimalField(
        label=_("USD per unit"),
        max_digits=18,
        decimal_places=8,
        required=False,
        help_text=_("The rate used for this contribution; leave empty for USD."),
    )


class DonorForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    kind = forms.ChoiceField(label=_("Kind"), choices=Donor.Kind.choices)
    country = forms.ChoiceField(
        label=_("Country (governments)"), choices=[("", "-"), *country_choices()], required=False
    )


class FundForm(forms.Form):
    code = forms.CharField(label=_("Code"), max_length=20, help_text=_("e.g. GAF, RCM"))
    name = forms.CharField(label=_("Name"), max_length=200)
    kind = forms.ChoiceField(label=_("Kind"), choices=Fund.Kind.choices)
    budget_usd = forms.DecimalField(
        label=_("Budget (USD)"), max_digits=16, decimal_places=2, min_value=0, initial=0
    )
    offices = forms.ModelMultipleChoiceField(
        label=_("Offices that may charge it"),
        queryset=Office.objects.none(),
        required=False,
        help_text=_("Leave empty for a global fund (headquarters only)."),
    )
    member_countries = forms.MultipleChoiceField(
        label=_("Member states (regional funds)"),
        choices=country_choices,
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 8}),
    )
    project = forms.ModelChoiceField(
        label=_("Project"), queryset=Project.objects.none(), required=False
    )

    def __init__(
        self, *args: Any, offices: QuerySet[Any], projects: QuerySet[Any], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["offices"].queryset = offices  # type: ignore[attr-defined]  # model field
        self.fields["project"].queryset = projects  # type: ignore[attr-defined]  # model field


class CaseLookupForm(forms.Form):
    reference = forms.CharField(label=_("Case reference"), max_length=40)


class ChargeCaseForm(forms.Form):
    amount_usd = forms.DecimalField(
        label=_("Amount reserved (USD)"),
        max_digits=16,
        decimal_places=2,
        min_value=0,
        required=False,
    )
    charged_on = forms.DateField(label=_("Date"), widget=DATE, required=False)


class ChargeAssistanceForm(forms.Form):
    assistance = forms.TypedChoiceField(label=_("Assistance record"), coerce=int, choices=())
    usd_rate = forms.DecimalField(
        label=_("USD per unit"),
        max_digits=18,
        decimal_places=8,
        required=False,
        help_text=_("The rate used; leave empty for amounts in USD."),
    )
    charged_on = forms.DateField(label=_("Date"), widget=DATE, required=False)

    def __init__(self, *args: Any, choices: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["assistance"].choices = choices  # type: ignore[attr-defined]  # choice field


class GafAttestationForm(forms.Form):
    statement = forms.CharField(
        label=_("Regional and national projects checked, and why none can assist"),
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    confirm = forms.BooleanField(
        label=_("I attest that no comparable regional or national project can assist the person.")
    )


class ImportForm(forms.Form):
    file = forms.FileField(label=_("CSV or XLSX file"))
