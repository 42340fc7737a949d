from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from safepassage.accounts.models import User
from safepassage.api.services import api_token_create
from safepassage.core.errors import DomainError


class Command(BaseCommand):
    help = "Create an API token for a user. The token is printed once and stored only as a hash."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--user", required=True, help="username")
        parser.add_argument("--name", default="api", help="what the token is for")
        parser.add_argument("--days", type=int, default=90, help="validity in days (1-365)")

    def handle(self, *args: Any, **options: Any) -> None:
        user = User.objects.filter(username=options["user"]).first()
        if user is None:
            raise CommandError(f"no user {options['user']!r}")
        try:
            token, key = api_token_create(
                actor=None, user=user, name=options["name"], days=options["days"]
            )
        except DomainError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(
            f"token {token.prefix}… for {user.username}, expires {token.expires_at:%Y-%m-%d}"
        )
        self.stdout.write(key)
