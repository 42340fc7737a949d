"""Append-only, hash-chained audit trail.

Two chains: `AuditEvent` for every write and `AccessEvent` for every view or export of personal
data. Each row stores the hash of the previous row of its chain and its own hash over its
content and sequence number, so an edited, inserted or deleted row breaks the chain at that
point (`safepassage verify_audit`). Rows hold names of changed fields, never personal values.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any, ClassVar, TypeVar

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

GENESIS_HASH = "0" * 64


class AppendOnlyError(Exception):
    """An attempt to change or remove an audit row."""


_E = TypeVar("_E", bound=models.Model)


class AppendOnlyQuerySet(models.QuerySet[_E]):
    def update(self, **kwargs: Any) -> int:
        raise AppendOnlyError("audit rows are append-only")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError("audit rows are append-only")

    def bulk_update(self, *args: Any, **kwargs: Any) -> int:
        raise AppendOnlyError("audit rows are append-only")


class ChainHead(models.Model):
    """The last sequence number and hash of each chain. Appending locks this row, which
    serialises appends to one chain and makes the sequence gap-free."""

    chain = models.CharField(max_length=32, primary_key=True)
    seq = models.BigIntegerField(default=0)
    hash = models.CharField(max_length=64, default=GENESIS_HASH)

    def __str__(self) -> str:
        return f"{self.chain} #{self.seq}"


class ChainedEvent(models.Model):
    CHAIN: ClassVar[str] = ""
    HASHED_FIELDS: ClassVar[tuple[str, ...]] = ()

    seq = models.BigIntegerField(_("sequence"), unique=True, editable=False)
    occurred_at = models.DateTimeField(_("time"), db_index=True, editable=False)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    actor_label = models.CharField(_("actor name"), max_length=150, blank=True)
    office = models.ForeignKey(
        "offices.Office",
        verbose_name=_("office"),
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    target_type = models.CharField(_("target type"), max_length=64, blank=True)
    target_id = models.CharField(_("target id"), max_length=64, blank=True, db_index=True)
    metadata = models.JSONField(_("details"), default=dict, blank=True)
    source = models.CharField(_("source"), max_length=16, blank=True)
    prev_hash = models.CharField(max_length=64, editable=False)
    hash = models.CharField(max_length=64, editable=False)

    class Meta:
        abstract = True
        ordering = ["-seq"]

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise AppendOnlyError("audit rows are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError("audit rows are append-only")

    def canonical(self) -> str:
        values: dict[str, Any] = {
            "chain": self.CHAIN,
            "seq": self.seq,
            "occurred_at": self.occurred_at.isoformat(),
            "actor_id": self.actor_id,
            "actor_label": self.actor_label,
            "office_id": self.office_id,
            "target_type": self.target_type,
            "target_id": self.target_id,
            "metadata": self.metadata,
            "source": self.source,
            "prev_hash": self.prev_hash,
        }
        for name in self.HASHED_FIELDS:
            values[name] = getattr(self, name)
        return json.dumps(values, sort_keys=True, separators=(",", ":"), ensure_ascii=True)

    def compute_hash(self) -> str:
        return hashlib.sha256(self.canonical().encode("ascii")).hexdigest()


class AuditEvent(ChainedEvent):
    """A write: who changed what, where, and which fields (never their values)."""

    CHAIN = "audit"
    HASHED_FIELDS = ("event_type", "changed_fields")

    event_type = models.CharField(_("event"), max_length=64, db_index=True)
    changed_fields = models.JSONField(_("changed fields"), default=list, blank=True)

    objects = models.Manager.from_queryset(AppendOnlyQuerySet)()

    class Meta(ChainedEvent.Meta):
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        indexes = [models.Index(fields=["target_type", "target_id"], name="audit_target_idx")]

    def __str__(self) -> str:
        return f"#{self.seq} {self.event_type}"


class AccessEvent(ChainedEvent):
    """A read or export of personal data."""

    CHAIN = "access"
    HASHED_FIELDS = ("action",)

    class Action(models.TextChoices):
        VIEW = "view", _("viewed")
        SEARCH = "search", _("searched")
        PRINT = "print", _("printed")
        EXPORT = "export", _("exported")
        DOWNLOAD = "download", _("downloaded")

    action = models.CharField(_("action"), max_length=16, choices=Action.choices)

    objects = models.Manager.from_queryset(AppendOnlyQuerySet)()

    class Meta(ChainedEvent.Meta):
        verbose_name = _("access event")
        verbose_name_plural = _("access events")
        indexes = [models.Index(fields=["target_type", "target_id"], name="access_target_idx")]

    def __str__(self) -> str:
        return f"#{self.seq} {self.action} {self.target_type}"
