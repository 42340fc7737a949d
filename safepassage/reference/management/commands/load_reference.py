from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from safepassage.reference.services import reference_load


class Command(BaseCommand):
    help = "Load or refresh reference data (countries and their Annex 2 regions). Idempotent."

    def handle(self, *args: Any, **options: Any) -> None:
        result = reference_load()
        self.stdout.write(
            f"countries: {result.created} created, {result.updated} updated, "
            f"{result.unchanged} unchanged"
        )
