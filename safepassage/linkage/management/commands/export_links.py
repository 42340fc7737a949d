from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from safepassage.linkage.selectors import EXPORT_COLUMNS, links_export


class Command(BaseCommand):
    help = (
        "Write " + ",".join(EXPORT_COLUMNS) + " for every case (CSV, UTF-8) to --out. "
        "Recorded in the access log as an export."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--out", required=True, help="the CSV file to write")

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["out"])
        try:
            with path.open("w", encoding="utf-8", newline="") as out:
                rows = links_export(viewer=None, out=out, source="cli")
        except OSError as error:
            raise CommandError(f"cannot write {path}: {error.strerror}") from None
        self.stdout.write(f"{rows} cases written to {path}")
