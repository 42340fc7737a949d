from __future__ import annotations

from collections.abc import Sequence

from django.utils.translation import gettext as _

from safepassage.core.errors import GateNotMet


class FundNotEligible(GateNotMet):
    """The case does not meet the fund's eligibility rules; `missing` names each unmet one."""

    code = "fund_not_eligible"

    def __init__(self, fund_code: str, missing: Sequence[str]) -> None:
        self.missing = list(missing)
        super().__init__(
            _("The case cannot be charged to %(fund)s: %(missing)s")
            % {"fund": fund_code, "missing": " ".join(self.missing)}
        )
