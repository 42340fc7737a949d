from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import transaction

from safepassage.audit.services import audit_record
from safepassage.cases.models import Person
from safepassage.cases.services import refresh_name_keys


class Command(BaseCommand):
    help = (
        "Recompute the blind-indexed name keys of every person (after a change of the blind-index "
        "key or of the name folding rules). Batches commit separately; it can be re-run."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--batch-size", type=int, default=500)

    def handle(self, *args: Any, **options: Any) -> None:
        done, last = 0, 0
        while True:
            batch = list(Person.objects.filter(pk__gt=last).order_by("pk")[: options["batch_size"]])
            if not batch:
                break
            with transaction.atomic():
                for person in batch:
                    refresh_name_keys(person)
                audit_record(
                    actor=None,
                    office=None,
                    event_type="person.name_keys_rebuilt",
                    target=("cases.person", f"{batch[0].pk}..{batch[-1].pk}"),
                    metadata={"persons": len(batch)},
                    source="cli",
                )
            done += len(batch)
            last = batch[-1].pk
            self.stdout.write(f"{done} persons re-indexed")
        self.stdout.write(f"name keys rebuilt for {done} persons")
