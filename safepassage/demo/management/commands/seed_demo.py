from __future__ import annotations

import sys
import time
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from safepassage.accounts.models import User
from safepassage.cases.models import Case
from safepassage.demo.funding import seed_funding
from safepassage.demo.generate import seed_cases
from safepassage.demo.offices import logins_file, read_logins, seed_offices_and_staff


class Command(BaseCommand):
    help = (
        "Create demo offices, one account per role (generated data only) and generated case "
        "work whose report reproduces the seed's 2011 figures; print the logins."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="do nothing but print the logins when the database already has users",
        )
        parser.add_argument(
            "--instances",
            type=int,
            default=5498,
            help="instances of assistance in the main year (default 5498, the seed's 2011)",
        )
        parser.add_argument("--year", type=int, default=2011, help="main year (default 2011)")
        parser.add_argument("--seed", type=int, default=2011, help="random seed (default 2011)")
        parser.add_argument(
            "--no-cases", action="store_true", help="offices and accounts only, no case work"
        )
        parser.add_argument(
            "--no-linkage",
            action="store_true",
            help="do not run record linkage after seeding (instances then count as individuals)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["instances"] < 0:
            raise CommandError("--instances must not be negative")
        if not (options["if_empty"] and User.objects.exists()):
            if not options["no_cases"] and Case.objects.exists():
                raise CommandError(
                    "the database already has cases: seed_demo only fills an empty one"
                )
            started = time.monotonic()
            created = seed_offices_and_staff()
            self.stdout.write(f"demo: {len(created)} accounts created")
            if not options["no_cases"] and options["instances"]:
                self.seed(options, started)
        self.print_logins()

    def seed(self, options: dict[str, Any], started: float) -> None:
        def progress(message: str) -> None:
            # One line, rewritten in place on a terminal.
            if sys.stdout.isatty():
                self.stdout.write(f"\r{message}   ", ending="")
                self.stdout.flush()
            else:
                self.stdout.write(message)

        with transaction.atomic():
            results = seed_cases(
                year=options["year"],
                instances=options["instances"],
                seed=options["seed"],
                progress=progress,
            )
            funding = seed_funding(year=options["year"], seed=options["seed"])
        if sys.stdout.isatty():
            self.stdout.write("")
        for result in results:
            self.stdout.write(
                f"demo: {result.year}: {result.instances} instances of assistance, "
                f"{result.persons} individuals generated"
            )
        self.stdout.write(
            f"demo: {funding.projects} projects in {funding.countries} countries, "
            f"USD {funding.total_usd:,} ({options['year']})"
        )
        self.stdout.write(f"demo: seeded in {time.monotonic() - started:.1f} s")
        if options["no_linkage"]:
            self.stdout.write(
                "demo: run `safepassage link_individuals --full` to find the individuals "
                "(until then each instance counts as one)"
            )
            return
        # The report counts individuals from record linkage: link the generated instances now.
        call_command("link_individuals", "--full", stdout=self.stdout)

    def print_logins(self) -> None:
        logins = read_logins()
        if not logins:
            self.stdout.write(
                "demo: no demo logins on record (database was set up without seed_demo)"
            )
            return
        self.stdout.write("")
        self.stdout.write(f"Demo logins (generated; also in {logins_file()}):")
        self.stdout.write(f"  {'username':<22} {'password':<20} {'office':<10} role")
        for login in logins:
            self.stdout.write(
                f"  {login.username:<22} {login.password:<20} {login.office:<10} {login.role}"
            )
        self.stdout.write("")
        self.stdout.write(
            "Two-factor: at first login each account sets up an authenticator app. Scan the QR code "
            "with any TOTP app (FreeOTP, Aegis, Google Authenticator...) or type the key shown; "
            "without a phone, `oathtool --totp -b KEY` prints the current code."
        )
