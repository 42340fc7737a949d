from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from safepassage.accounts.models import User
from safepassage.demo.offices import logins_file, read_logins, seed_offices_and_staff


class Command(BaseCommand):
    help = (
        "Create demo offices and one account per role (generated data only) and print the logins."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="do nothing but print the logins when the database already has users",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if not (options["if_empty"] and User.objects.exists()):
            created = seed_offices_and_staff()
            self.stdout.write(f"demo: {len(created)} accounts created")
        self.print_logins()

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
