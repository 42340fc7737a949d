from __future__ import annotations

from django.utils.translation import gettext as _

from safepassage.core.errors import Conflict, GateNotMet


class StaleVersion(Conflict):
    code = "stale_version"

    def __init__(self) -> None:
        super().__init__(
            _(
                "Someone else changed this case after you opened it. Nothing was saved: "
                "reload the case to see their changes, then apply yours again (your input is kept "
                "on this page)."
            )
        )


class ConsentMissing(GateNotMet):
    code = "consent_missing"

    def __init__(self, scope_label: str, detail: str = "") -> None:
        message = _("Consent is missing: %(scope)s.") % {"scope": scope_label}
        if detail:
            message = f"{message} {detail}"
        super().__init__(message)


class CaseClosed(Conflict):
    code = "case_closed"

    def __init__(self) -> None:
        super().__init__(_("The case is closed. Reopen it to record more work."))
