from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

MAX_SUBMISSIONS_FILE = 5 * 1024 * 1024


class SubmissionsUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Submissions export from ODK Central or KoboToolbox (JSON or CSV)"),
        help_text=_(
            "Each submission becomes the draft screening of the case it names, for you to review and submit."
        ),
    )

    def clean_file(self) -> bytes:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_SUBMISSIONS_FILE:
            raise forms.ValidationError(_("The file is larger than 5 MB; split the export."))
        name = (upload.name or "").lower()
        if not name.endswith((".json", ".csv")):
            raise forms.ValidationError(_("Upload a .json or .csv export."))
        return bytes(upload.read())
