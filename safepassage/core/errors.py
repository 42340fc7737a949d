"""Domain errors. Each carries a stable code; interfaces map them to HTTP statuses and form
errors in one place (safepassage.web.errors, safepassage.api.errors)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence


class DomainError(Exception):
    code = "domain_error"
    http_status = 400

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        field: str | None = None,
        errors: Mapping[str, Sequence[str]] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code
        self.field = field
        self.errors: dict[str, list[str]] = {k: list(v) for k, v in (errors or {}).items()}

    def __str__(self) -> str:
        return self.message


class NotFound(DomainError):
    """Raised for a missing record and for one the viewer may not see, alike."""

    code = "not_found"
    http_status = 404


class PermissionDenied(DomainError):
    """The viewer may see the record but not perform this action on it."""

    code = "permission_denied"
    http_status = 403


class ValidationFailed(DomainError):
    code = "invalid"
    http_status = 400


class Conflict(DomainError):
    """The record changed since the actor loaded it (stale version) or a uniqueness clash."""

    code = "conflict"
    http_status = 409


class IllegalTransition(DomainError):
    code = "illegal_transition"
    http_status = 409


class GateNotMet(DomainError):
    """A precondition (consent, approval, safeguard) required by a rule is missing."""

    code = "gate_not_met"
    http_status = 409
