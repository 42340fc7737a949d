from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from safepassage.audit.services import audit_record
from safepassage.audit.verify import verify_all
from safepassage.core.backup import BackupError, read_backup


class Command(BaseCommand):
    help = (
        "Restore a backup into a freshly migrated, empty database (same schema version), all or "
        "nothing, verifying every table against the backup's digests and the audit chains."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            counts = read_backup(options["file"], progress=self.stdout.write)
        except BackupError as error:
            raise CommandError(str(error)) from None
        broken = [str(r.problem) for r in verify_all() if r.problem is not None]
        if broken:
            raise CommandError(
                "restored, but the audit chain does not verify: " + "; ".join(broken)
            )
        audit_record(
            actor=None,
            office=None,
            event_type="backup.restored",
            target=None,
            metadata={"tables": len(counts), "rows": sum(counts.values())},
            source="cli",
        )
        self.stdout.write(
            f"restored {sum(counts.values())} rows in {len(counts)} tables; audit chains intact"
        )
