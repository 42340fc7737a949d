from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from safepassage.core.errors import DomainError
from safepassage.projects.importing import COLUMNS, projects_import


class Command(BaseCommand):
    help = (
        "Import projects, donors and funding from a CSV or XLSX file, all or nothing. Columns: "
        + ", ".join(COLUMNS)
        + "."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="a .csv (UTF-8, comma-separated) or .xlsx file")
        parser.add_argument(
            "--dry-run", action="store_true", help="validate the whole file and write nothing"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        try:
            content = path.read_bytes()
        except OSError as error:
            raise CommandError(f"cannot read {path}: {error.strerror}") from None
        try:
            report = projects_import(
                actor=None,
                name=path.name,
                content=content,
                dry_run=options["dry_run"],
                source="cli",
            )
        except DomainError as error:
            raise CommandError(str(error)) from None
        for problem in report.errors:
            self.stdout.write(
                f"row {problem.row}, column {problem.column or '-'}, value {problem.value!r}: "
                f"{problem.message}"
            )
        if report.errors:
            raise CommandError(
                f"{len(report.errors)} errors in {report.rows} rows; nothing was imported"
            )
        verb = "imported" if report.written else "would import (dry run)"
        self.stdout.write(
            f"{verb}: {len(report.projects)} projects, {report.fundings} funding lines, "
            f"{len(report.new_donors)} new donors from {report.rows} rows"
        )
