from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from safepassage.audit.verify import verify_all


class Command(BaseCommand):
    help = (
        "Verify the hash chains of the audit and access logs. Exits 0 when both are intact; "
        "otherwise names the first broken row and exits 1."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        broken = []
        for report in verify_all():
            if report.problem is None:
                self.stdout.write(
                    f"{report.chain}: {report.rows} rows intact, head {report.head_hash}"
                )
            else:
                broken.append(str(report.problem))
                self.stderr.write(str(report.problem))
        if broken:
            raise CommandError("audit chain verification failed: " + "; ".join(broken))
