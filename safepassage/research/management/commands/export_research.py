"""safepassage export_research --method kanon --k K [--l L] [--qi NAMES] [--max-suppression S]
[--year-from Y] [--year-to Y] --out FILE
safepassage export_research --method dp --epsilon E --year-from Y --year-to Y --out DIR

Runs as the operator over every office, registers the release (stored owner-only under var/)
and writes a copy to --out: for kanon the CSV plus FILE.report.json / FILE.report.txt beside it;
for dp one CSV per table, the privacy statement, the ledger and the report in DIR, and the
utility report (internal: true counts compared) beside DIR, never inside it."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from safepassage.core.errors import DomainError
from safepassage.research import ctdc
from safepassage.research.kanon import ReleaseRefused
from safepassage.research.models import ResearchRelease
from safepassage.research.services import (
    DATA_FILE,
    INTERNAL_UTILITY,
    REPORT_JSON,
    REPORT_TEXT,
    ReleaseRequest,
    bundle_members,
    research_release_create,
    stored_file,
)


class Command(BaseCommand):
    help = "Create a verified research release (k-anonymised CTDC records or DP marginals)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--method", choices=ResearchRelease.Method.values, required=True)
        parser.add_argument("--k", type=int, default=11)
        parser.add_argument("--l", type=int, default=None, dest="l_value")
        parser.add_argument(
            "--qi",
            default=",".join(ctdc.QI_NAMES),
            help=f"comma-separated quasi-identifiers among {', '.join(ctdc.QI_NAMES)}",
        )
        parser.add_argument("--max-suppression", type=float, default=0.10)
        parser.add_argument("--epsilon", type=float, default=None)
        parser.add_argument("--year-from", type=int, default=None)
        parser.add_argument("--year-to", type=int, default=None)
        parser.add_argument("--out", required=True)

    def handle(self, *args: Any, **options: Any) -> None:
        out = Path(options["out"])
        method = options["method"]
        if method == ResearchRelease.Method.KANON and out.exists():
            raise CommandError(f"{out} exists; choose a new file")
        if method == ResearchRelease.Method.DP and out.exists() and any(out.iterdir()):
            raise CommandError(f"{out} is not an empty directory")
        request = ReleaseRequest(
            method=method,
            k=options["k"],
            l_value=options["l_value"],
            quasi_identifiers=tuple(q.strip() for q in options["qi"].split(",") if q.strip()),
            max_suppression=options["max_suppression"],
            epsilon=options["epsilon"],
            year_from=options["year_from"],
            year_to=options["year_to"],
        )
        try:
            release = research_release_create(actor=None, request=request)
        except DomainError as error:
            raise CommandError(f"{error.message} Nothing was written.") from None
        members = bundle_members(release)
        written: list[Path] = []
        try:
            if method == ResearchRelease.Method.KANON:
                written += self._write_kanon(out, members, release)
            else:
                written += self._write_dp(out, members, release)
        except BaseException:
            for path in written:
                path.unlink(missing_ok=True)
            raise
        self.stdout.write(
            f"release {release.pk}: {release.get_method_display()}, source {release.source}\n"
            + release.statement
            + "\nwritten: "
            + ", ".join(str(path) for path in written)
        )

    def _write_kanon(
        self, out: Path, members: dict[str, bytes], release: ResearchRelease
    ) -> list[Path]:
        data = members[DATA_FILE]
        out.write_bytes(data)
        written = [out]
        report_json = out.with_name(out.name + ".report.json")
        report_text = out.with_name(out.name + ".report.txt")
        try:
            # The copy is checked again, on its own bytes, before success is declared.
            if hashlib.sha256(out.read_bytes()).hexdigest() != release.report["data_sha256"]:
                raise ReleaseRefused("the written file differs from the verified release")
            parameters = release.parameters
            ctdc.verify_file(
                out,
                qi_names=tuple(parameters["quasi_identifiers"]),
                k=int(parameters["k"]),
                l_value=parameters["l"],
            )
        except ReleaseRefused as failure:
            out.unlink(missing_ok=True)
            raise CommandError(f"verification of {out} failed: {failure}; deleted") from None
        report_json.write_bytes(members[REPORT_JSON])
        report_text.write_bytes(members[REPORT_TEXT])
        return [*written, report_json, report_text]

    def _write_dp(
        self, out: Path, members: dict[str, bytes], release: ResearchRelease
    ) -> list[Path]:
        out.mkdir(parents=True, exist_ok=True)
        written: list[Path] = []
        for name, data in sorted(members.items()):
            path = out / name
            path.write_bytes(data)
            written.append(path)
        internal = out.parent / f"{out.name}-{INTERNAL_UTILITY}"
        internal.write_bytes(stored_file(release.internal_path).read_bytes())
        internal.chmod(0o600)
        written.append(internal)
        return written
