from __future__ import annotations

from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "safepassage.core"
    label = "core"

    def ready(self) -> None:
        from safepassage.core import lookups

        lookups.register()
