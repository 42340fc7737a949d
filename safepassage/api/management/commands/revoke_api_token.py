from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from safepassage.api.models import ApiToken
from safepassage.api.services import api_token_revoke
from safepassage.core.errors import DomainError


class Command(BaseCommand):
    help = "Revoke API tokens of a user (all, or those whose prefix is given)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--user", required=True, help="username")
        parser.add_argument("--prefix", default="", help="first characters of the token to revoke")

    def handle(self, *args: Any, **options: Any) -> None:
        tokens = ApiToken.objects.filter(user__username=options["user"], revoked_at__isnull=True)
        if options["prefix"]:
            tokens = tokens.filter(prefix__startswith=options["prefix"])
        count = 0
        for token in tokens:
            try:
                api_token_revoke(actor=None, token=token)
            except DomainError as error:
                raise CommandError(str(error)) from None
            count += 1
        self.stdout.write(f"{count} token(s) revoked")
