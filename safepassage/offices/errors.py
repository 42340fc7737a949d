from __future__ import annotations

from django.utils.translation import gettext as _

from safepassage.core.errors import Conflict


class OfficeCodeTaken(Conflict):
    code = "office_code_taken"

    def __init__(self, office_code: str) -> None:
        super().__init__(
            _("An office with code %(code)s already exists.") % {"code": office_code}, field="code"
        )
