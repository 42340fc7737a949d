from __future__ import annotations

from django.apps import AppConfig


class InteropConfig(AppConfig):
    name = "safepassage.interop"
    label = "interop"
    verbose_name = "Import and export"
