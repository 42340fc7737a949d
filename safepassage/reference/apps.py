from __future__ import annotations

from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _load_after_migrate(sender: AppConfig, using: str = "default", **kwargs: Any) -> None:
    # Reference data is part of the schema's contract: every migrated database holds the
    # shipped country list (idempotent; audited only when something changes).
    from safepassage.reference.services import reference_load

    if using == "default":
        reference_load()


class ReferenceConfig(AppConfig):
    name = "safepassage.reference"
    label = "reference"

    def ready(self) -> None:
        post_migrate.connect(_load_after_migrate, sender=self, dispatch_uid="reference_load")
