from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from safepassage.core.errors import DomainError
from safepassage.offices.models import Office
from safepassage.offices.services import office_create
from safepassage.reference.regions import Region


class Command(BaseCommand):
    help = "Create an office (audited like the web form)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--code", required=True, help="office code, e.g. UA-KYIV")
        parser.add_argument("--country", required=True, help="ISO 3166 alpha-3, e.g. UKR")
        parser.add_argument("--name", required=True)
        parser.add_argument("--kind", choices=Office.Kind.values, default=Office.Kind.COUNTRY)
        parser.add_argument(
            "--region", choices=Region.values, default="", help="regional offices: region covered"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            office = office_create(
                actor=None,
                code=options["code"],
                name=options["name"],
                country=options["country"],
                kind=options["kind"],
                covered_region=options["region"],
                source="cli",
            )
        except DomainError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(
            f"created office {office.code} ({office.name}, {office.country_id}, region {office.region})"
        )
