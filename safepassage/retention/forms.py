from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from safepassage.retention.models import ErasureBasis, ErasureRejection

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class ErasureRequestForm(forms.Form):
    received_on = forms.DateField(label=_("Request received on"), widget=DATE)
    basis = forms.ChoiceField(label=_("Ground"), choices=ErasureBasis.choices)


class ErasureRejectForm(forms.Form):
    reason = forms.ChoiceField(label=_("Reason for rejection"), choices=ErasureRejection.choices)
