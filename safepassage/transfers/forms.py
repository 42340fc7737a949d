"""Web forms for transfers and referrals. They shape input; the consent rules live in the
services."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from safepassage.cases.forms import DATE
from safepassage.cases.models import SharedData
from safepassage.offices.models import Office
from safepassage.reference.codes import OrganisationType


class TransferRequestForm(forms.Form):
    to_office = forms.ModelChoiceField(
        label=_("Office asked to take the case on"), queryset=Office.objects.none()
    )
    shared_data = forms.MultipleChoiceField(
        label=_("What to share"),
        choices=SharedData.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "Only what the person's consent to share with that office covers; leave all "
            "unticked to share everything the consent covers."
        ),
    )
    message = forms.CharField(
        label=_("Message to the receiving office"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("No personal details beyond what is shared: say what the office should know."),
    )

    def __init__(self, *args: Any, from_office: Office, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["to_office"]
        assert isinstance(field, forms.ModelChoiceField)  # noqa: S101  # narrows the type
        field.queryset = (
            Office.objects.filter(is_active=True, kind=Office.Kind.COUNTRY)
            .exclude(pk=from_office.pk)
            .order_by("code")
        )


class RejectForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for rejection"), widget=forms.Textarea(attrs={"rows": 2})
    )


class ReferralForm(forms.Form):
    organisation_type = forms.ChoiceField(
        label=_("Kind of organisation"), choices=[("", "-"), *OrganisationType.choices]
    )
    organisation_name = forms.CharField(
        label=_("Organisation"),
        max_length=200,
        help_text=_("As named in the person's consent to share with a partner."),
    )
    purpose = forms.CharField(label=_("For"), max_length=200)
    date = forms.DateField(label=_("Date"), widget=DATE)
