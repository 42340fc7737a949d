"""Web forms for returns, reintegration and monitoring. The gates and transitions are the
services' business; these forms only shape input."""

from __future__ import annotations

from typing import Any

from django import forms
from django.forms.models import fields_for_model, model_to_dict
from django.utils.translation import gettext_lazy as _

from safepassage.cases.forms import DATE
from safepassage.offices.models import Office
from safepassage.reference.countries import country_choices
from safepassage.returns.models import MonitoringStatus, ReturnKind, ReturnPlan, RiskLevel
from safepassage.returns.services import PLAN_FIELDS

CHILD_FIELDS = (
    "child_wishes_to_return",
    "bid_authority",
    "bid_date",
    "bid_return_in_best_interest",
    "guardian_notified",
    "guardian_willing_and_able",
    "family_assessment_done",
    "family_assessment_date",
)
TEXT = forms.Textarea(attrs={"rows": 3})


class PrefixedIds(forms.Form):
    """Several forms share the return page: their element ids must not clash (labels)."""

    id_prefix = "f"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", f"{self.id_prefix}-%s")
        super().__init__(*args, **kwargs)


class ReturnPlanForm(forms.Form):
    """The return plan's fields as the model defines them; the service validates the plan."""

    def __init__(self, *args: Any, plan: ReturnPlan | None = None, **kwargs: Any) -> None:
        if plan is not None:
            kwargs.setdefault("initial", model_to_dict(plan, fields=PLAN_FIELDS))
        super().__init__(*args, **kwargs)
        self.fields.update(
            fields_for_model(
                ReturnPlan,
                fields=PLAN_FIELDS,
                widgets={
                    "destination_community": forms.TextInput(),
                    "escort_details": forms.TextInput(),
                    "planned_date": DATE,
                    "bid_date": DATE,
                    "family_assessment_date": DATE,
                },
            )
        )
        self.fields["destination_country"] = forms.ChoiceField(
            label=_("Destination country"), choices=[("", "-"), *country_choices()]
        )
        self.fields["kind"] = forms.ChoiceField(label=_("Kind"), choices=ReturnKind.choices)
        office = self.fields["receiving_office"]
        assert isinstance(office, forms.ModelChoiceField)  # noqa: S101  # narrows the type
        office.queryset = Office.objects.filter(is_active=True, kind=Office.Kind.COUNTRY).order_by(
            "code"
        )
        office.help_text = _("The office in the destination country that receives the person.")

    def plan_data(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in PLAN_FIELDS}

    def child_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in CHILD_FIELDS]

    def plan_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in PLAN_FIELDS if name not in CHILD_FIELDS]


class RiskAssessmentForm(PrefixedIds):
    id_prefix = "risk"
    level = forms.ChoiceField(label=_("Risk level"), choices=[("", "-"), *RiskLevel.choices])
    risks = forms.CharField(label=_("Risks identified"), widget=TEXT)
    mitigation_plan = forms.CharField(label=_("Mitigation plan"), widget=TEXT)


class ReviewForm(PrefixedIds):
    id_prefix = "review"
    note = forms.CharField(
        label=_("Supervisor's note"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Required to return an assessment for revision."),
    )


class ScheduleForm(PrefixedIds):
    id_prefix = "schedule"
    planned_date = forms.DateField(label=_("Planned departure"), widget=DATE)


class DepartForm(PrefixedIds):
    id_prefix = "depart"
    departure_date = forms.DateField(label=_("Departed on"), widget=DATE)


class ArrivalForm(PrefixedIds):
    id_prefix = "arrival"
    arrival_date = forms.DateField(label=_("Arrived on"), widget=DATE)


class CancelForm(PrefixedIds):
    id_prefix = "cancel"
    reason = forms.CharField(label=_("Why is the return cancelled?"), max_length=500)


class ReintegrationForm(PrefixedIds):
    id_prefix = "plan"
    needs = forms.CharField(label=_("Needs"), required=False, widget=TEXT)
    wishes = forms.CharField(label=_("Wishes"), required=False, widget=TEXT)
    skills = forms.CharField(label=_("Skills"), required=False, widget=TEXT)
    options = forms.CharField(label=_("Options discussed"), required=False, widget=TEXT)


class MonitoringVisitForm(PrefixedIds):
    id_prefix = "visit"
    date = forms.DateField(label=_("Date of the visit"), widget=DATE)
    status = forms.ChoiceField(label=_("Situation"), choices=[("", "-"), *MonitoringStatus.choices])
    notes = forms.CharField(label=_("Notes"), required=False, widget=TEXT)
    next_visit_due = forms.DateField(label=_("Next visit due"), required=False, widget=DATE)
