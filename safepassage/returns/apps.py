from __future__ import annotations

from django.apps import AppConfig


class ReturnsConfig(AppConfig):
    name = "safepassage.returns"
    label = "returns"
