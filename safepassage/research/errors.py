"""Domain errors of research releases (stable codes, mapped to pages in safepassage.web.errors)."""

from __future__ import annotations

from safepassage.core.errors import Conflict, ValidationFailed


class ReleaseNotPossible(ValidationFailed):
    """The data cannot be released under the requested privacy model (k, l or verification)."""

    code = "release_refused"


class BudgetExceeded(Conflict):
    """A differentially private release would take the source past its privacy budget."""

    code = "dp_budget_exceeded"
