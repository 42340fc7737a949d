from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from safepassage.core.errors import DomainError
from safepassage.linkage.models import LinkageRun
from safepassage.linkage.services import linkage_run

STAGES = {
    "load": "reading persons",
    "features": "preparing",
    "train_prior": "training",
    "train_u": "training",
    "train_em": "training",
    "predict": "scoring pairs",
    "cluster": "clustering",
    "store": "storing",
}


class Command(BaseCommand):
    help = (
        "Link every instance of assistance (person) into individuals, store the clusters, "
        "queue uncertain pairs for review and update the individuals counted in reports."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--threshold",
            type=float,
            default=None,
            help="match probability at or above which pairs link automatically (default 0.95)",
        )
        parser.add_argument(
            "--review-threshold",
            type=float,
            default=None,
            help="match probability from which pairs are sent to review (default 0.5)",
        )
        modes = parser.add_mutually_exclusive_group()
        modes.add_argument(
            "--full",
            dest="mode",
            action="store_const",
            const=LinkageRun.Mode.FULL,
            help="score every person again and train the model on them (default)",
        )
        modes.add_argument(
            "--incremental",
            dest="mode",
            action="store_const",
            const=LinkageRun.Mode.INCREMENTAL,
            help="score only persons not linked yet, with the last run's model",
        )
        parser.add_argument(
            "--reuse-model",
            action="store_true",
            help="full run with the last run's model instead of training a new one",
        )

    def _progress(self, stage: str, fraction: float) -> None:
        label = STAGES.get(stage, stage)
        filled = int(max(0.0, min(fraction, 1.0)) * 30)
        bar = "#" * filled + "." * (30 - filled)
        elapsed = time.monotonic() - self._started
        self.stdout.write(f"\r{label:<14} [{bar}] {fraction:4.0%}  {elapsed:6.1f}s", ending="")
        self.stdout.flush()

    def handle(self, *args: Any, **options: Any) -> None:
        self._started = time.monotonic()
        try:
            run = linkage_run(
                actor=None,
                mode=options["mode"] or LinkageRun.Mode.FULL,
                threshold=options["threshold"],
                review_threshold=options["review_threshold"],
                reuse_model=options["reuse_model"],
                progress=self._progress,
                source="cli",
            )
        except DomainError as error:
            self.stdout.write("")
            raise CommandError(str(error)) from None
        self.stdout.write("")
        self.stdout.write(
            f"linkage run {run.pk} ({run.mode}, link >= {run.auto_link_threshold:g}, "
            f"review >= {run.review_threshold:g}): "
            f"{run.instances} instances, {run.individuals} individuals, "
            f"{run.auto_links} automatic links, {run.review_pairs} pairs sent to review"
            + (f", {run.refused_links} links refused by decisions" if run.refused_links else "")
            + (f", {run.new_instances} new instances scored" if run.mode == "incremental" else "")
        )
