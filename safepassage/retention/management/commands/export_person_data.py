from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from safepassage.core.errors import DomainError
from safepassage.retention.export import person_data, person_data_json


class Command(BaseCommand):
    help = (
        "Right of access: write everything held about one person (decrypted, labelled) as "
        "JSON to --out. Recorded in the access log as an export."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--person", type=int, required=True, help="the person's id")
        parser.add_argument("--out", required=True, help="the JSON file to write")

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["out"])
        try:
            data = person_data(viewer=None, person_id=options["person"], source="cli")
        except DomainError as error:
            raise CommandError(error.message) from None
        try:
            path.write_bytes(person_data_json(data))
        except OSError as error:
            raise CommandError(f"cannot write {path}: {error.strerror}") from None
        self.stdout.write(
            f"data of person {options['person']} ({len(data['cases'])} cases) written to {path}"
        )
