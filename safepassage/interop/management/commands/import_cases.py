"""safepassage import_cases --format F FILE --office CODE [--dry-run] [--skip-invalid]
[--errors-out FILE] [--batch-size N]: a thin wrapper over `interop.importer.cases_import`."""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from safepassage.interop.formats import FORMATS
from safepassage.interop.importer import BATCH_SIZE, cases_import
from safepassage.offices.models import Office

SHOWN_ERRORS = 50


class Command(BaseCommand):
    help = "Import cases from a CTDC or HTCDS file into an office (all rows or none)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--format", required=True, choices=sorted(FORMATS))
        parser.add_argument("--office", required=True, help="office code, e.g. UA-KYIV")
        parser.add_argument("--dry-run", action="store_true", help="validate only")
        parser.add_argument(
            "--skip-invalid", action="store_true", help="import the valid rows, list the others"
        )
        parser.add_argument("--errors-out", type=Path, help="write every error to this CSV file")
        parser.add_argument(
            "--batch-size",
            type=int,
            default=BATCH_SIZE,
            help=f"rows validated and written at a time (default {BATCH_SIZE})",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"{path} is not a file")
        office = Office.objects.filter(code=options["office"]).first()
        if office is None:
            raise CommandError(f"no office with code {options['office']}")
        started = time.monotonic()
        tty = sys.stderr.isatty()

        def progress(rows: int) -> None:
            elapsed = max(time.monotonic() - started, 1e-6)
            text = f"\r{rows:>10,} rows  {rows / elapsed:>9,.0f} rows/s"
            sys.stderr.write(text if tty else text.strip() + "\n")
            sys.stderr.flush()

        result = cases_import(
            actor=None,
            path=path,
            format_key=options["format"],
            office=office,
            dry_run=options["dry_run"],
            skip_invalid=options["skip_invalid"],
            errors_out=options["errors_out"],
            progress=progress,
            batch_size=options["batch_size"],
            source="cli",
        )
        if tty:
            sys.stderr.write("\n")
        for note in result.notes:
            self.stdout.write(f"note: {note}")
        for error in result.errors[:SHOWN_ERRORS]:
            self.stdout.write(
                f"row {error.row}, column {error.column or '-'}: {error.message} (value {error.value!r})"
            )
        if result.error_count > SHOWN_ERRORS:
            self.stdout.write(
                f"... {result.error_count - SHOWN_ERRORS} more errors"
                + (" (see --errors-out)" if options["errors_out"] else "")
            )
        seconds = time.monotonic() - started
        summary = (
            f"{result.rows_read} rows read, {result.rows_valid} valid, {result.invalid_rows} invalid, "
            f"{result.rows_imported} imported, {result.rows_already_present} already present "
            f"in {seconds:.1f}s"
        )
        if result.dry_run:
            self.stdout.write(f"dry run: {summary}; nothing written")
        elif result.committed:
            self.stdout.write(self.style.SUCCESS(f"imported (batch {result.batch_id}): {summary}"))
        else:
            raise CommandError(f"nothing imported: {summary}; fix the errors or use --skip-invalid")
        if result.error_count and not result.committed and result.dry_run:
            raise CommandError("the file has errors")
