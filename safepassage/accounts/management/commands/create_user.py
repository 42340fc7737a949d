from __future__ import annotations

import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from safepassage.access.permissions import Role
from safepassage.accounts.services import user_create
from safepassage.core.errors import DomainError
from safepassage.offices.selectors import office_by_code


class Command(BaseCommand):
    help = "Create a user with a role at an office (audited like the web form)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--username", required=True)
        parser.add_argument("--office", required=True, help="office code")
        parser.add_argument("--role", required=True, choices=Role.values)
        parser.add_argument("--email", default="")
        parser.add_argument(
            "--password-stdin", action="store_true", help="read the password from standard input"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if not options["password_stdin"]:
            raise CommandError("pass the password on standard input with --password-stdin")
        password = sys.stdin.readline().rstrip("\r\n")
        if not password:
            raise CommandError("no password on standard input")
        try:
            office = office_by_code(options["office"])
            user = user_create(
                actor=None,
                username=options["username"],
                password=password,
                office=office,
                role=options["role"],
                email=options["email"],
                source="cli",
            )
        except DomainError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(f"created user {user.username} as {options['role']} at {office.code}")
