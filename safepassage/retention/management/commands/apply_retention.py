from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from safepassage.core.errors import DomainError
from safepassage.retention.services import retention_apply


class Command(BaseCommand):
    help = (
        "Anonymise persons all of whose cases are closed and past their office's retention "
        "period (Office.retention_years, else SAFEPASSAGE_RETENTION_YEARS). Safe to rerun."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--dry-run", action="store_true", help="count what would be anonymised; change nothing"
        )
        parser.add_argument(
            "--today", help="evaluate periods as on this day (YYYY-MM-DD); default: today"
        )
        parser.add_argument("--batch", type=int, default=100, help="persons per transaction")

    def handle(self, *args: Any, **options: Any) -> None:
        today = None
        if options["today"]:
            try:
                today = dt.date.fromisoformat(options["today"])
            except ValueError:
                raise CommandError("--today must be a date, YYYY-MM-DD") from None
        if options["batch"] < 1:
            raise CommandError("--batch must be at least 1")

        def progress(done: int, total: int) -> None:
            self.stdout.write(f"  anonymised {done}/{total} persons")

        try:
            summary = retention_apply(
                today=today, dry_run=options["dry_run"], batch=options["batch"], progress=progress
            )
        except DomainError as error:
            raise CommandError(f"{error.code}: {error.message}") from None
        mode = "dry run: nothing changed" if summary.dry_run else "done"
        self.stdout.write(f"Retention as on {summary.today.isoformat()} ({mode})")
        self.stdout.write(f"  closed cases past their retention period: {summary.expired_cases}")
        self.stdout.write(f"  persons due for anonymisation: {summary.persons_due}")
        if not summary.dry_run:
            self.stdout.write(
                f"  persons anonymised: {summary.anonymised} ({summary.cases_anonymised} cases)"
            )
        self.stdout.write(
            "  persons keeping their identifiers because another of their cases is open or "
            f"still within its period: {summary.kept_for_other_cases}"
        )
        self.stdout.write(f"  persons already anonymised: {summary.already_anonymised}")
        for code, count in sorted(summary.by_office.items()):
            self.stdout.write(f"    {code}: {count}")
