from __future__ import annotations

from django.apps import AppConfig


class ResearchConfig(AppConfig):
    name = "safepassage.research"
    label = "research"
    verbose_name = "Research releases"
    default_auto_field = "django.db.models.BigAutoField"
