from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from safepassage.core.keyrotation import rotate_all


class Command(BaseCommand):
    help = (
        "Re-encrypt every encrypted identifier with the first key of SAFEPASSAGE_FIELD_KEYS. "
        "Put a new key first, run this, then remove the old key."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--batch-size", type=int, default=1000)

    def handle(self, *args: Any, **options: Any) -> None:
        counts = rotate_all(batch_size=options["batch_size"], progress=self.stdout.write)
        total = sum(counts.values())
        self.stdout.write(f"re-encrypted {total} rows in {len(counts)} tables")
