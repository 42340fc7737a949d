from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[
            ("accept", _("Same person")),
            ("reject", _("Not the same person")),
            ("skip", _("Skip for now")),
        ],
    )
