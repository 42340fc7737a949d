"""Creating research releases: build the person-level input of the actor's scope, apply the
privacy model, write and verify the files, store them owner-only and register the release in one
audited transaction. Downloads are access-logged.

Scope: a release covers the offices where the data manager holds `research.release` (a country
office: that office; a regional office: its region; headquarters: every office). The command
line runs as the operator with every office.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import math
import os
import shutil
import tempfile
import uuid
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Q

from safepassage.access.permissions import Perm
from safepassage.access.policy import OfficeScope, scope_for
from safepassage.audit.models import AccessEvent
from safepassage.audit.services import access_record, audit_record
from safepassage.core.errors import NotFound, PermissionDenied, ValidationFailed
from safepassage.offices.models import Office
from safepassage.research import ctdc
from safepassage.research.errors import BudgetExceeded, ReleaseNotPossible
from safepassage.research.individuals import Source, case_records, research_individuals
from safepassage.research.kanon import (
    DEFAULT_MAX_SUPPRESSION,
    KAnonymousRelease,
    ReleaseRefused,
    release_k_anonymous,
)
from safepassage.research.models import ResearchRelease

DEFAULT_DP_BUDGET = 10.0
DATA_FILE = "ctdc-kanon.csv"
REPORT_JSON = "release-report.json"
REPORT_TEXT = "release-report.txt"
STATEMENT = "privacy-statement.txt"
LEDGER = "ledger.json"
INTERNAL_UTILITY = "INTERNAL-utility-report-not-for-release.json"
# Zip entries carry a fixed timestamp: the bundle states no creation date.
ZIP_TIME = (1980, 1, 1, 0, 0, 0)
MIN_YEAR = 1990
MAX_YEAR = 2100


def dp_budget() -> float:
    """The total epsilon any source may spend (`SAFEPASSAGE_DP_BUDGET`, default 10)."""
    configured = getattr(settings, "SAFEPASSAGE_DP_BUDGET", None)
    raw = configured if configured is not None else os.environ.get("SAFEPASSAGE_DP_BUDGET", "")
    if raw in ("", None):
        return DEFAULT_DP_BUDGET
    budget = float(raw)
    if not math.isfinite(budget) or budget <= 0:
        msg = f"SAFEPASSAGE_DP_BUDGET must be a positive number, got {raw!r}"
        raise ValueError(msg)
    return budget


def research_dir() -> Path:
    root = Path(settings.VAR_DIR) / "research"
    for directory in (root, root / "releases", root / "internal", root / "staging"):
        directory.mkdir(parents=True, exist_ok=True)
        directory.chmod(0o700)
    return root


def stored_file(path: str) -> Path:
    return Path(settings.VAR_DIR) / path


@dataclass(frozen=True)
class ReleaseRequest:
    method: str
    k: int = 11
    l_value: int | None = None
    quasi_identifiers: tuple[str, ...] = ctdc.QI_NAMES
    max_suppression: float = DEFAULT_MAX_SUPPRESSION
    epsilon: float | None = None
    year_from: int | None = None
    year_to: int | None = None

    def parameters(self) -> dict[str, Any]:
        if self.method == ResearchRelease.Method.KANON:
            return {
                "k": self.k,
                "l": self.l_value,
                "quasi_identifiers": list(self.quasi_identifiers),
                "max_suppression": self.max_suppression,
                "year_from": self.year_from,
                "year_to": self.year_to,
            }
        return {"epsilon": self.epsilon, "year_from": self.year_from, "year_to": self.year_to}


@dataclass
class _Outcome:
    """What a computed release hands to the registry."""

    files: dict[str, bytes]
    report: dict[str, Any]
    statement: str
    k_achieved: int | None = None
    l_achieved: int | None = None
    epsilon: float | None = None
    rows_input: int = 0
    rows_released: int = 0
    rows_suppressed: int = 0
    information_loss: float | None = None
    internal: dict[str, Any] | None = None
    extra: dict[str, Any] = field(default_factory=dict)


def _validate(request: ReleaseRequest) -> None:
    if request.method not in ResearchRelease.Method.values:
        raise ValidationFailed(f"unknown method {request.method!r}", field="method")
    for name, year in (("year_from", request.year_from), ("year_to", request.year_to)):
        if year is not None and not MIN_YEAR <= year <= MAX_YEAR:
            raise ValidationFailed(f"{name}: year outside {MIN_YEAR}-{MAX_YEAR}", field=name)
    if (
        request.year_from is not None
        and request.year_to is not None
        and request.year_from > request.year_to
    ):
        raise ValidationFailed("the first year is after the last year", field="year_from")
    if request.method == ResearchRelease.Method.KANON:
        if request.k < 2:  # k=1 is no anonymity at all
            raise ValidationFailed("k must be at least 2", field="k")
        if request.l_value is not None and request.l_value < 1:
            raise ValidationFailed("l must be at least 1", field="l_value")
        if not request.quasi_identifiers or any(
            name not in ctdc.QI_NAMES for name in request.quasi_identifiers
        ):
            raise ValidationFailed(
                f"quasi-identifiers must be among {', '.join(ctdc.QI_NAMES)}",
                field="quasi_identifiers",
            )
        if not 0 <= request.max_suppression < 1:
            raise ValidationFailed(
                "the suppression limit must be in [0, 1)", field="max_suppression"
            )
        return
    if request.epsilon is None or not math.isfinite(request.epsilon) or request.epsilon <= 0:
        raise ValidationFailed("epsilon must be a positive number", field="epsilon")
    if request.year_from is None or request.year_to is None:
        # The reporting years are the public category domain of the year table.
        raise ValidationFailed(
            "a differentially private release states its years (from and to)", field="year_from"
        )


def _scope_of(actor: Any) -> OfficeScope:
    if actor is None:
        return OfficeScope(everything=True)
    scope = scope_for(actor, Perm.RESEARCH_RELEASE)
    if scope.empty:
        raise PermissionDenied("You may not create research releases.")
    return scope


def _source_label(scope: OfficeScope, request: ReleaseRequest) -> tuple[str, list[Office]]:
    years = f"{request.year_from or 'first'}-{request.year_to or 'last'}"
    if scope.everything:
        return f"all offices, years {years}", []
    offices = list(Office.objects.filter(pk__in=sorted(scope.office_ids)).order_by("code"))
    codes = ",".join(office.code for office in offices)
    return f"offices {codes}, years {years}"[:200], offices


def overlapping_dp_releases(
    *, scope: OfficeScope, year_from: int | None, year_to: int | None
) -> Any:
    """Earlier DP releases that may hold an individual of this source: overlapping years and
    offices (or every office). Their epsilons add up (sequential composition); counting any
    overlap, not only the same source, is the conservative reading."""
    releases = ResearchRelease.objects.filter(method=ResearchRelease.Method.DP).exclude(
        epsilon__isnull=True
    )
    if year_from is not None:
        releases = releases.filter(Q(year_to__isnull=True) | Q(year_to__gte=year_from))
    if year_to is not None:
        releases = releases.filter(Q(year_from__isnull=True) | Q(year_from__lte=year_to))
    if not scope.everything:
        releases = releases.filter(
            Q(all_offices=True) | Q(offices__in=sorted(scope.office_ids))
        ).distinct()
    return releases


def epsilon_spent(*, scope: OfficeScope, year_from: int | None, year_to: int | None) -> float:
    return float(
        sum(
            release.epsilon or 0.0
            for release in overlapping_dp_releases(
                scope=scope, year_from=year_from, year_to=year_to
            )
        )
    )


def _check_budget(scope: OfficeScope, request: ReleaseRequest) -> float:
    spent = epsilon_spent(scope=scope, year_from=request.year_from, year_to=request.year_to)
    budget = dp_budget()
    wanted = request.epsilon or 0.0
    if spent + wanted > budget + 1e-9:
        raise BudgetExceeded(
            f"This release would spend epsilon {wanted:g} on a source that has already spent "
            f"{spent:g} of its budget {budget:g} (SAFEPASSAGE_DP_BUDGET); refused.",
            field="epsilon",
        )
    return spent


def _csv_bytes(header: Sequence[str], rows: Sequence[Sequence[object]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue().encode()


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _kanon(source: Source, request: ReleaseRequest, staging: Path) -> _Outcome:
    individuals = research_individuals(source)
    records = case_records(source, set(individuals["case_id"].tolist()))
    cells = {case_id: ctdc.attribute_cells(record) for case_id, record in records.items()}
    individuals[ctdc.SENSITIVE] = [
        ctdc.exploitation_flags(cells[int(case_id)]) for case_id in individuals["case_id"]
    ]
    try:
        release: KAnonymousRelease = release_k_anonymous(
            individuals,
            k=request.k,
            l_diversity=request.l_value,
            sensitive=ctdc.SENSITIVE,
            quasi_identifiers=ctdc.quasi_identifiers(request.quasi_identifiers),
            max_suppression=request.max_suppression,
        )
    except ReleaseRefused as refusal:
        raise ReleaseNotPossible(f"Release refused: {refusal}.") from None
    data = _csv_bytes(
        ctdc.COLUMNS, ctdc.render_rows(release.data, cells, request.quasi_identifiers)
    )
    written = staging / DATA_FILE
    written.write_bytes(data)
    try:
        k_file, l_file = ctdc.verify_file(
            written, qi_names=request.quasi_identifiers, k=request.k, l_value=request.l_value
        )
    except ReleaseRefused as failure:
        written.unlink()
        raise ReleaseNotPossible(f"Release refused: {failure}.") from None
    statement = "\n".join(
        [
            release.privacy_statement(),
            (
                f"Verified again on the written file ({DATA_FILE}, CTDC k-anonymised layout): "
                f"k = {k_file}"
                + (f", l = {l_file} (exploitation type flags)" if l_file is not None else "")
                + " over the columns "
                + ", ".join(c for n in request.quasi_identifiers for c in ctdc.QI_COLUMNS[n])
                + "."
            ),
            "Withheld (-99 on every row): "
            + ", ".join(
                [
                    *(
                        c
                        for n in ctdc.QI_NAMES
                        if n not in request.quasi_identifiers
                        for c in ctdc.QI_COLUMNS[n]
                    ),
                    *ctdc.NEVER_WRITTEN,
                ]
            )
            + ".",
            (
                "Privacy unit: one individual (record-linkage cluster), one row each: the values "
                "of the earliest registration in the source."
            ),
        ]
    )
    report = {
        "method": "k-anonymity",
        "layout": "CTDC k-anonymised global dataset",
        "data_file": DATA_FILE,
        "data_sha256": _sha256(data),
        "k_requested": request.k,
        "k_verified_on_file": k_file,
        "l_requested": request.l_value,
        "l_verified_on_file": l_file,
        "sensitive_attribute": "exploitation type (" + ", ".join(ctdc.SENSITIVE_COLUMNS) + ")",
        "quasi_identifiers": list(request.quasi_identifiers),
        "generalisation": dict(release.level_names),
        "individuals_in_source": release.rows_input,
        "rows_released": release.rows_released,
        "rows_suppressed": release.rows_suppressed,
        "rows_suppressed_share": round(release.suppressed_share, 6),
        "rows_removed": release.rows_removed,
        "suppression_limit": request.max_suppression,
        "information_loss_ncp": round(release.information_loss, 6),
        "discernibility": release.discernibility,
        "lattice_nodes_evaluated": release.nodes_evaluated,
        "lattice_nodes": release.nodes_in_lattice,
        "statement": statement,
    }
    return _Outcome(
        files={DATA_FILE: data},
        report=report,
        statement=statement,
        k_achieved=k_file,
        l_achieved=l_file,
        rows_input=release.rows_input,
        rows_released=release.rows_released,
        rows_suppressed=release.rows_suppressed,
        information_loss=release.information_loss,
    )


def _dp(source: Source, request: ReleaseRequest) -> _Outcome:
    individuals = research_individuals(source)
    assert request.year_from is not None  # noqa: S101  # _validate requires both years
    assert request.year_to is not None  # noqa: S101
    assert request.epsilon is not None  # noqa: S101
    years = range(request.year_from, request.year_to + 1)
    # OpenDP (and the scientific stack it pulls in) loads only when a DP release is made, not
    # with every process that imports this module.
    from safepassage.research.dp import release_dp_marginals, utility_report

    release = release_dp_marginals(individuals, epsilon=request.epsilon, years=years)
    files: dict[str, bytes] = {}
    for table in release.tables.values():
        file_name = "table-" + "-x-".join(table.variables) + ".csv"
        files[file_name] = _csv_bytes(
            list(table.counts.columns), list(table.counts.itertuples(index=False, name=None))
        )
    statement = release.privacy_statement()
    ledger = {
        "mechanism": release.ledger.mechanism,
        "privacy_unit": release.ledger.privacy_unit,
        "contribution_bound": release.ledger.contribution_bound,
        "composition": release.ledger.composition,
        "epsilon_planning": release.ledger.epsilon_planning,
        "planning_count": release.ledger.planning_count,
        "epsilon_per_measurement": release.ledger.epsilon_per_measurement,
        "derived_from": release.ledger.derived_from,
        "epsilon_total": release.ledger.epsilon_total,
        "delta": release.ledger.delta,
        "library": release.ledger.library,
        "years": list(release.years),
    }
    files[STATEMENT] = (statement + "\n").encode()
    files[LEDGER] = (json.dumps(ledger, indent=2, sort_keys=True) + "\n").encode()
    utility = utility_report(release, individuals, min_count=50)
    internal = {
        "INTERNAL": "Comparison with the true counts. For the data manager only; never publish "
        "or share: it leaks what the noise protects.",
        "min_count": utility.min_count,
        "mean_relative_error": utility.mean_relative_error,
        "max_abs_error": utility.max_abs_error,
        "cells_compared": utility.cells_compared,
        "tables": [
            {
                "table": row.name,
                "cells": row.cells,
                "cells_compared": row.cells_compared,
                "mean_relative_error": row.mean_relative_error,
                "max_abs_error": row.max_abs_error,
            }
            for row in utility.tables
        ],
    }
    report = {
        "method": "differential privacy",
        "epsilon": release.ledger.epsilon_total,
        "delta": 0.0,
        "tables": sorted(name for name in files if name.startswith("table-")),
        "statement": statement,
        "ledger": ledger,
    }
    return _Outcome(
        files=files,
        report=report,
        statement=statement,
        epsilon=release.ledger.epsilon_total,
        rows_input=len(individuals),
        rows_released=sum(len(table.counts) for table in release.tables.values()),
        internal=internal,
    )


def _report_text(report: dict[str, Any], source_label: str) -> str:
    lines = [f"SafePassage research release ({report['method']})", f"Source: {source_label}", ""]
    lines.append(str(report["statement"]))
    if report["method"] == "k-anonymity":
        lines += [
            "",
            (
                f"k requested {report['k_requested']}, verified on the file "
                f"{report['k_verified_on_file']}; l requested {report['l_requested']}, verified "
                f"{report['l_verified_on_file']}."
            ),
            (
                f"Rows: {report['rows_released']} released, {report['rows_suppressed']} "
                f"suppressed ({report['rows_suppressed_share']:.2%}), {report['rows_removed']} "
                f"removed, of {report['individuals_in_source']} individuals."
            ),
            "Generalisation: "
            + ", ".join(f"{k}={v}" for k, v in report["generalisation"].items())
            + ".",
            f"Information loss (NCP): {report['information_loss_ncp']:.4f}.",
            f"Data file SHA-256: {report['data_sha256']}.",
        ]
    return "\n".join(lines) + "\n"


def _bundle(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name in sorted(files):
            info = zipfile.ZipInfo(name, date_time=ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o600 << 16
            archive.writestr(info, files[name])
    return buffer.getvalue()


def _write_private(path: Path, data: bytes) -> None:
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(data)


def research_release_create(*, actor: Any, request: ReleaseRequest) -> ResearchRelease:
    """Compute, verify, store and register a release; nothing is left behind when it fails."""
    scope = _scope_of(actor)
    _validate(request)
    if request.method == ResearchRelease.Method.DP:
        _check_budget(scope, request)
    source = Source(scope=scope, year_from=request.year_from, year_to=request.year_to)
    label, offices = _source_label(scope, request)
    root = research_dir()
    staging = Path(tempfile.mkdtemp(dir=root / "staging"))
    stored: list[Path] = []
    try:
        if request.method == ResearchRelease.Method.KANON:
            outcome = _kanon(source, request, staging)
        else:
            outcome = _dp(source, request)
        outcome.report["source"] = label
        files = dict(outcome.files)
        files[REPORT_JSON] = (json.dumps(outcome.report, indent=2, sort_keys=True) + "\n").encode()
        files[REPORT_TEXT] = _report_text(outcome.report, label).encode()
        bundle = _bundle(files)
        token = uuid.uuid4().hex
        relative = Path("research") / "releases" / f"{token}.zip"
        _write_private(stored_file(str(relative)), bundle)
        stored.append(stored_file(str(relative)))
        internal_relative = ""
        if outcome.internal is not None:
            internal_path = Path("research") / "internal" / f"{token}-{INTERNAL_UTILITY}"
            _write_private(
                stored_file(str(internal_path)),
                (json.dumps(outcome.internal, indent=2) + "\n").encode(),
            )
            stored.append(stored_file(str(internal_path)))
            internal_relative = str(internal_path)
        with transaction.atomic():
            if request.method == ResearchRelease.Method.DP:
                # Again inside the transaction: a concurrent release may have spent the budget.
                list(ResearchRelease.objects.select_for_update().filter(method="dp"))
                _check_budget(scope, request)
            release = ResearchRelease(
                method=request.method,
                parameters=request.parameters(),
                k_achieved=outcome.k_achieved,
                l_achieved=outcome.l_achieved,
                epsilon=outcome.epsilon,
                rows_input=outcome.rows_input,
                rows_released=outcome.rows_released,
                rows_suppressed=outcome.rows_suppressed,
                information_loss=outcome.information_loss,
                statement=outcome.statement,
                report=outcome.report,
                source=label,
                year_from=request.year_from,
                year_to=request.year_to,
                all_offices=scope.everything,
                file_name=f"safepassage-research-{request.method}-{token[:8]}.zip",
                file_sha256=_sha256(bundle),
                file_size=len(bundle),
                stored_path=str(relative),
                internal_path=internal_relative,
                created_by=actor,
            )
            release.full_clean()
            release.save()
            release.offices.set(offices)
            audit_record(
                actor=actor,
                office=offices[0] if len(offices) == 1 else None,
                event_type="research.release_created",
                target=release,
                changed_fields=["method", "parameters", "status"],
                metadata={
                    "method": request.method,
                    "parameters": request.parameters(),
                    "k": outcome.k_achieved,
                    "l": outcome.l_achieved,
                    "epsilon": outcome.epsilon,
                    "rows_released": outcome.rows_released,
                    "rows_suppressed": outcome.rows_suppressed,
                    "source": label,
                    "sha256": release.file_sha256,
                },
                source="cli" if actor is None else "",
            )
    except BaseException:
        for path in stored:
            path.unlink(missing_ok=True)
        raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return release


def research_release_download(
    *, actor: Any, release: ResearchRelease, internal: bool = False
) -> Path:
    """The stored file of a release the actor may see (see selectors), access-logged."""
    path = stored_file(release.internal_path if internal else release.stored_path)
    if internal and not release.internal_path:
        raise NotFound("Page not found.")
    if not path.is_file():
        raise NotFound("The release file is missing.")
    if not internal and _sha256(path.read_bytes()) != release.file_sha256:
        raise ValidationFailed("The stored release file does not match its checksum.")
    with transaction.atomic():
        access_record(
            actor=actor,
            office=None,
            action=AccessEvent.Action.DOWNLOAD,
            target=release,
            metadata={
                "method": release.method,
                "file": "internal utility report" if internal else release.file_name,
            },
        )
    return path


def bundle_members(release: ResearchRelease) -> dict[str, bytes]:
    with zipfile.ZipFile(stored_file(release.stored_path)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}
