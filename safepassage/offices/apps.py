from __future__ import annotations

from django.apps import AppConfig


class OfficesConfig(AppConfig):
    name = "safepassage.offices"
    label = "offices"
