from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from safepassage.transfers.services import transfers_expire


class Command(BaseCommand):
    help = "Expire transfer requests that nobody accepted or rejected in time (run daily)."

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(f"{transfers_expire()} transfer requests expired")
