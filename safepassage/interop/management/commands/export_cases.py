"""safepassage export_cases --format F --out FILE [--year Y] [--office CODE]
[--with-identifiers]: a thin wrapper over `interop.exporter.cases_export`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from safepassage.core.errors import DomainError
from safepassage.interop.exporter import cases_export
from safepassage.interop.formats import EXPORT_FORMATS
from safepassage.offices.models import Office


class Command(BaseCommand):
    help = "Export cases to a CTDC or HTCDS file (CTDC never carries identifiers)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--format", required=True, choices=EXPORT_FORMATS)
        parser.add_argument("--out", required=True, type=Path)
        parser.add_argument("--year", type=int)
        parser.add_argument("--office", help="office code")
        parser.add_argument(
            "--with-identifiers",
            action="store_true",
            help="HTCDS only: include names and date of birth (recorded as an access event)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        office = None
        if options["office"]:
            office = Office.objects.filter(code=options["office"]).first()
            if office is None:
                raise CommandError(f"no office with code {options['office']}")
        try:
            count = cases_export(
                actor=None,
                format_key=options["format"],
                out=options["out"],
                year=options["year"],
                office=office,
                identifiers=options["with_identifiers"],
                source="cli",
            )
        except DomainError as error:
            raise CommandError(error.message) from error
        self.stdout.write(self.style.SUCCESS(f"{count} cases written to {options['out']}"))
