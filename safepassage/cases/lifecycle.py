"""The case status machine: the only moves a case can make, and the service that makes them."""

from __future__ import annotations

from django.utils.translation import gettext as _

from safepassage.cases.models import CaseStatus
from safepassage.core.errors import IllegalTransition

S = CaseStatus

TRANSITIONS: dict[str, frozenset[str]] = {
    S.REGISTERED: frozenset({S.SCREENED, S.ASSISTED, S.CLOSED}),
    S.SCREENED: frozenset({S.ASSISTED, S.CLOSED}),
    S.ASSISTED: frozenset({S.RETURNING, S.INTEGRATING, S.MONITORING, S.CLOSED}),
    S.RETURNING: frozenset({S.ASSISTED, S.MONITORING, S.CLOSED}),
    S.INTEGRATING: frozenset({S.ASSISTED, S.MONITORING, S.CLOSED}),
    S.MONITORING: frozenset({S.ASSISTED, S.CLOSED}),
    # Reopening returns a case to the status it had when it was closed.
    S.CLOSED: frozenset(
        {S.REGISTERED, S.SCREENED, S.ASSISTED, S.RETURNING, S.INTEGRATING, S.MONITORING}
    ),
}

# Work that keeps a case where it is when it already went further (e.g. a screening revision on
# an assisted case) rather than moving it back.
PROGRESS_ORDER: list[str] = [S.REGISTERED, S.SCREENED, S.ASSISTED]


def check_transition(current: str, target: str) -> None:
    if target not in TRANSITIONS.get(current, frozenset()):
        raise IllegalTransition(
            _("A case cannot go from %(current)s to %(target)s.")
            % {"current": S(current).label, "target": S(target).label}
        )


def advanced_status(current: str, target: str) -> str:
    """`target` if it moves the case forward along registered -> screened -> assisted,
    otherwise `current` (work recorded on a case that is already further along)."""
    if current in PROGRESS_ORDER and target in PROGRESS_ORDER:
        return target if PROGRESS_ORDER.index(target) > PROGRESS_ORDER.index(current) else current
    return current
