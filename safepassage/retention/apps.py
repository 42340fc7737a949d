from __future__ import annotations

from django.apps import AppConfig


class RetentionConfig(AppConfig):
    name = "safepassage.retention"
    label = "retention"
    verbose_name = "Retention, erasure and right of access"
    default_auto_field = "django.db.models.BigAutoField"
