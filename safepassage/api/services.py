from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from safepassage.api.models import ApiToken
from safepassage.audit.services import audit_record
from safepassage.core import clock
from safepassage.core.errors import Conflict, ValidationFailed

TOKEN_BYTES = 32
MAX_VALIDITY = dt.timedelta(days=365)


def token_hash(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def api_token_create(*, actor: Any, user: Any, name: str, days: int = 90) -> tuple[ApiToken, str]:
    """Create a token for `user`; returns the row and the key, which is shown only now."""
    if not 1 <= days <= MAX_VALIDITY.days:
        raise ValidationFailed(_("A token lasts between 1 and 365 days."), field="days")
    if not user.is_active:
        raise ValidationFailed(_("The user is deactivated."), field="user")
    key = secrets.token_urlsafe(TOKEN_BYTES)
    with transaction.atomic():
        token = ApiToken.objects.create(
            user=user,
            name=name.strip() or "api",
            prefix=key[:8],
            key_hash=token_hash(key),
            expires_at=clock.now() + dt.timedelta(days=days),
        )
        audit_record(
            actor=actor,
            office=None,
            event_type="api.token_created",
            target=user,
            changed_fields=["api_token"],
            metadata={"token_id": token.pk, "days": days},
        )
    return token, key


def api_token_revoke(*, actor: Any, token: ApiToken) -> ApiToken:
    with transaction.atomic():
        locked = ApiToken.objects.select_for_update().get(pk=token.pk)
        if locked.revoked_at is not None:
            raise Conflict(_("The token is already revoked."))
        locked.revoked_at = clock.now()
        locked.save(update_fields=["revoked_at", "updated_at"])
        audit_record(
            actor=actor,
            office=None,
            event_type="api.token_revoked",
            target=locked.user,
            changed_fields=["api_token"],
            metadata={"token_id": locked.pk},
        )
    return locked
