from __future__ import annotations

from django.utils.translation import gettext as _

from safepassage.core.errors import Conflict, GateNotMet, PermissionDenied


class CasesStillOpen(GateNotMet):
    code = "cases_still_open"

    def __init__(self) -> None:
        super().__init__(
            _("The person has open cases: close them before their data can be erased.")
        )


class AlreadyAnonymised(Conflict):
    code = "already_anonymised"

    def __init__(self) -> None:
        super().__init__(_("This person's data has already been anonymised."))


class RequestPending(Conflict):
    code = "erasure_request_pending"

    def __init__(self) -> None:
        super().__init__(_("An erasure request for this person is already waiting for approval."))


class OwnRequest(PermissionDenied):
    code = "own_request"

    def __init__(self) -> None:
        super().__init__(_("Another supervisor must decide on a request you recorded."))


class StatisticsWouldChange(Conflict):
    """A safeguard: anonymising must leave every reporting value of every case as it was."""

    code = "statistics_would_change"

    def __init__(self, case_id: int, fields: list[str]) -> None:
        super().__init__(
            _("Anonymising would change the figures of case %(case)s (%(fields)s); nothing done.")
            % {"case": case_id, "fields": ", ".join(fields)}
        )
