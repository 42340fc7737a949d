from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from safepassage.audit.services import audit_record
from safepassage.core.backup import write_backup


class Command(BaseCommand):
    help = (
        "Write a logical backup of the whole database (gzip'd JSON lines, identifiers as ciphertext). "
        "Keys are not included: back up SAFEPASSAGE_FIELD_KEYS and SAFEPASSAGE_BLIND_INDEX_KEY separately."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--out", required=True, type=Path)

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["out"]
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as handle:
            counts = write_backup(handle, progress=self.stdout.write)
        # Recorded after the snapshot, so the backup's own chain ends before this event.
        audit_record(
            actor=None,
            office=None,
            event_type="backup.written",
            target=None,
            metadata={"tables": len(counts), "rows": sum(counts.values())},
            source="cli",
        )
        self.stdout.write(
            f"backup written to {path}: {sum(counts.values())} rows in {len(counts)} tables"
        )
