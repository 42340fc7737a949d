"""safepassage report --year Y [--region KEY] [--office CODE] [--category CAT]
--format json|html|pdf|xlsx --out PATH"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from safepassage.core.errors import NotFound
from safepassage.offices.models import Office
from safepassage.stats.render import FORMATS, render
from safepassage.stats.selectors import StatsFilters, indicator_report


class Command(BaseCommand):
    help = "Write the annual report (aggregate figures only) for a scope."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--year", type=int, required=True)
        parser.add_argument("--region", default="")
        parser.add_argument("--office", default="", help="office code")
        parser.add_argument("--category", default="")
        parser.add_argument("--format", choices=FORMATS, default="json")
        parser.add_argument("--out", required=True)

    def handle(self, *args: Any, **options: Any) -> None:
        office_id = None
        if options["office"]:
            office = Office.objects.filter(code=options["office"]).first()
            if office is None:
                raise CommandError(f"unknown office {options['office']}")
            office_id = office.pk
        filters = StatsFilters(
            year=options["year"],
            region=options["region"],
            office=office_id,
            category=options["category"],
        )
        try:
            # The command line runs as the operator (viewer None): every office.
            data = indicator_report(viewer=None, filters=filters)
        except NotFound as error:
            raise CommandError(str(error)) from None
        out = Path(options["out"])
        out.write_bytes(render(data, options["format"]))
        self.stdout.write(f"{out}: {data['instances']} instances ({options['format']})")
