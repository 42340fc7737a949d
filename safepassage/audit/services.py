"""Recording audit and access events. Call these inside the transaction of the change they
describe, so the event exists exactly when the change does."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from django.db import models, transaction

from safepassage.audit.models import AccessEvent, AuditEvent, ChainedEvent, ChainHead
from safepassage.core import clock

if TYPE_CHECKING:
    from safepassage.offices.models import Office

E = TypeVar("E", bound=ChainedEvent)

SOURCE_SYSTEM = "system"


def _describe_target(target: models.Model | tuple[str, Any] | None) -> tuple[str, str]:
    if target is None:
        return "", ""
    if isinstance(target, tuple):
        return target[0], str(target[1])
    return target._meta.label_lower, str(target.pk)


def _actor_fields(actor: Any) -> dict[str, Any]:
    if actor is None or not getattr(actor, "is_authenticated", False):
        return {"actor": None, "actor_label": ""}
    return {"actor": actor, "actor_label": actor.get_username()}


def _append(model: type[E], **fields: Any) -> E:
    with transaction.atomic():
        head, _ = ChainHead.objects.select_for_update().get_or_create(chain=model.CHAIN)
        event = model(seq=head.seq + 1, prev_hash=head.hash, occurred_at=clock.now(), **fields)
        event.hash = event.compute_hash()
        event.save(force_insert=True)
        head.seq, head.hash = event.seq, event.hash
        head.save(update_fields=["seq", "hash"])
    return event


def audit_record(
    *,
    actor: Any,
    office: Office | None,
    event_type: str,
    target: models.Model | tuple[str, Any] | None,
    changed_fields: Iterable[str] = (),
    metadata: Mapping[str, Any] | None = None,
    source: str = "",
) -> AuditEvent:
    """Record a write. `metadata` must hold no personal values: codes, counts, ids only."""
    target_type, target_id = _describe_target(target)
    return _append(
        AuditEvent,
        event_type=event_type,
        office=office,
        target_type=target_type,
        target_id=target_id,
        changed_fields=sorted(set(changed_fields)),
        metadata=dict(metadata or {}),
        source=source or (SOURCE_SYSTEM if actor is None else ""),
        **_actor_fields(actor),
    )


def access_record(
    *,
    actor: Any,
    office: Office | None,
    action: str,
    target: models.Model | tuple[str, Any] | None,
    metadata: Mapping[str, Any] | None = None,
    source: str = "",
) -> AccessEvent:
    """Record that personal data was viewed, searched, printed or exported."""
    target_type, target_id = _describe_target(target)
    return _append(
        AccessEvent,
        action=action,
        office=office,
        target_type=target_type,
        target_id=target_id,
        metadata=dict(metadata or {}),
        source=source,
        **_actor_fields(actor),
    )
