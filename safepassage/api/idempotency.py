"""Idempotency keys for POST: the first response to a key is stored in the same transaction as
the write it describes, and a retry with the same key and body gets that response back."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from rest_framework.request import Request
from rest_framework.response import Response

from safepassage.api.models import IdempotencyRecord
from safepassage.core.errors import Conflict, ValidationFailed

HEADER = "Idempotency-Key"
MAX_KEY_LENGTH = 128

H = TypeVar("H", bound=Callable[..., Response])


class IdempotencyKeyMissing(ValidationFailed):
    code = "idempotency_key_required"
    http_status = 428


def _request_hash(request: Request) -> str:
    digest = hashlib.sha256(f"{request.method} {request.path}\n".encode())
    fields = (
        {k: v for k, v in request.data.items() if k not in request.FILES} if request.data else {}
    )
    digest.update(json.dumps(fields, sort_keys=True, default=str).encode())
    # Uploaded files count by their content, not their name.
    for name in sorted(request.FILES):
        upload = request.FILES[name]
        digest.update(name.encode())
        for chunk in upload.chunks():
            digest.update(chunk)
        upload.seek(0)
    return digest.hexdigest()


def _replay(record: IdempotencyRecord, request_hash: str) -> Response:
    if record.request_hash != request_hash:
        raise Conflict(
            _("This idempotency key was already used for a different request."),
            code="idempotency_key_reused",
        )
    response = Response(record.response, status=record.status_code)
    response["Idempotent-Replayed"] = "true"
    return response


def idempotent(handler: H) -> H:
    @wraps(handler)
    def wrapper(view: Any, request: Request, *args: Any, **kwargs: Any) -> Response:
        key = request.headers.get(HEADER, "").strip()
        if not key or len(key) > MAX_KEY_LENGTH:
            raise IdempotencyKeyMissing(
                _(
                    "Send an %(header)s header (1-128 characters, unique per request) with every POST."
                )
                % {"header": HEADER}
            )
        request_hash = _request_hash(request)
        user: Any = request.user
        existing = IdempotencyRecord.objects.filter(
            user=user, key=key, status_code__isnull=False
        ).first()
        if existing is not None:
            return _replay(existing, request_hash)
        try:
            with transaction.atomic():
                record = IdempotencyRecord.objects.create(
                    user=user,
                    key=key,
                    method=request.method or "POST",
                    path=request.path[:300],
                    request_hash=request_hash,
                )
                response = handler(view, request, *args, **kwargs)
                if response.status_code >= 400:
                    # Nothing was done: forget the key so a corrected retry can use it.
                    transaction.set_rollback(True)
                    return response
                record.status_code = response.status_code
                record.response = json.loads(json.dumps(response.data, default=str))
                record.save(update_fields=["status_code", "response"])
                return response
        except IntegrityError:
            # A concurrent request with the same key committed first: answer as it did.
            stored = IdempotencyRecord.objects.filter(user=user, key=key).first()
            if stored is None or stored.status_code is None:
                raise Conflict(
                    _("A request with this idempotency key is in progress; retry shortly."),
                    code="idempotency_in_progress",
                ) from None
            return _replay(stored, request_hash)

    return wrapper  # type: ignore[return-value]  # same signature as the handler
