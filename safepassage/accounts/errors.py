from __future__ import annotations

from django.utils.translation import gettext as _

from safepassage.core.errors import Conflict


class UsernameTaken(Conflict):
    code = "username_taken"

    def __init__(self, username: str) -> None:
        super().__init__(
            _("The username %(name)s is taken.") % {"name": username}, field="username"
        )


class MembershipExists(Conflict):
    code = "membership_exists"

    def __init__(self) -> None:
        super().__init__(_("The user already holds this role at this office."), field="role")
