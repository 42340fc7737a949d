"""Logical backup and restore of the whole database, ciphertext as stored.

A backup holds every row of every table exactly as the database holds it: encrypted identifiers
stay Fernet tokens and blind indexes stay keyed hashes, so a backup without the keys reveals no
identifier. Keys are never written into it (back them up separately, docs/operations.md). The
format is portable between SQLite and PostgreSQL: a gzip'd JSON-lines file, one header line,
then one line per table followed by its rows, and a trailer with per-table row counts and
SHA-256 digests that restore verifies.
"""

from __future__ import annotations

import base64
import datetime as dt
import decimal
import gzip
import hashlib
import json
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from django.apps import apps
from django.core.management.color import no_style
from django.db import connection, models, transaction
from django.db.migrations.recorder import MigrationRecorder

FORMAT = "safepassage-backup"
VERSION = 1
BATCH = 2000


class BackupError(Exception):
    """The backup cannot be restored (wrong format, damaged, or target not empty)."""


@dataclass
class TableDigest:
    rows: int = 0
    sha256: Any = field(default_factory=hashlib.sha256)


def _encode(value: Any) -> Any:
    if isinstance(value, (dt.datetime, dt.date, dt.time)):
        return {"$t": type(value).__name__, "v": value.isoformat()}
    if isinstance(value, decimal.Decimal):
        return {"$t": "decimal", "v": str(value)}
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, (bytes, memoryview)):
        return {"$t": "bytes", "v": base64.b64encode(bytes(value)).decode("ascii")}
    return value


def _decode(value: Any) -> Any:
    if isinstance(value, dict) and "$t" in value:
        kind, raw = value["$t"], value["v"]
        if kind == "datetime":
            return dt.datetime.fromisoformat(raw)
        if kind == "date":
            return dt.date.fromisoformat(raw)
        if kind == "time":
            return dt.time.fromisoformat(raw)
        if kind == "decimal":
            return decimal.Decimal(raw)
        if kind == "bytes":
            return base64.b64decode(raw)
    return value


def backup_models() -> list[type[models.Model]]:
    """Every concrete, managed model whose table exists, parents before children (foreign
    keys)."""
    existing = set(connection.introspection.table_names())
    ordered: list[type[models.Model]] = []
    seen: set[type[models.Model]] = set()

    def visit(model: type[models.Model], stack: tuple[type[models.Model], ...] = ()) -> None:
        if model in seen or model in stack:
            return
        for relation in model._meta.concrete_fields:
            target = getattr(relation, "related_model", None)
            if target is not None and target is not model and target._meta.managed:
                visit(target, (*stack, model))
        seen.add(model)
        ordered.append(model)

    for model in apps.get_models(include_auto_created=True):
        if model._meta.managed and not model._meta.proxy and not model._meta.swapped:
            visit(model)
    return [model for model in ordered if model._meta.db_table in existing]


def _columns(model: type[models.Model]) -> list[str]:
    return [f.column for f in model._meta.concrete_fields]


def _raw_rows(model: type[models.Model]) -> Iterator[list[Any]]:
    """Rows as stored (no field conversion: encrypted columns stay ciphertext), by primary key."""
    quote = connection.ops.quote_name
    columns = _columns(model)
    pk = model._meta.pk.column
    sql = f"SELECT {', '.join(quote(c) for c in columns)} FROM {quote(model._meta.db_table)} ORDER BY {quote(pk)}"  # noqa: S608  # nosec B608: identifiers from model metadata
    with connection.cursor() as cursor:
        cursor.execute(sql)
        while True:
            rows = cursor.fetchmany(BATCH)
            if not rows:
                return
            for row in rows:
                yield [_encode(v) for v in row]


def _digest_line(digest: TableDigest, line: str) -> None:
    digest.rows += 1
    digest.sha256.update(line.encode("utf-8"))
    digest.sha256.update(b"\n")


def write_backup(
    out: IO[bytes], *, progress: Callable[[str], object] | None = None
) -> dict[str, int]:
    """Write the backup inside one repeatable-read snapshot so tables agree with each other."""
    counts: dict[str, int] = {}
    digests: dict[str, str] = {}
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
        migrations = sorted(
            f"{app}.{name}" for app, name in MigrationRecorder(connection).applied_migrations()
        )
        with gzip.GzipFile(fileobj=out, mode="wb") as stream:
            header = {
                "format": FORMAT,
                "version": VERSION,
                "vendor": connection.vendor,
                "created": dt.datetime.now(dt.UTC).isoformat(),
                "migrations": migrations,
            }
            stream.write((json.dumps(header) + "\n").encode("utf-8"))
            for model in backup_models():
                table = model._meta.db_table
                stream.write(
                    (json.dumps({"table": table, "columns": _columns(model)}) + "\n").encode(
                        "utf-8"
                    )
                )
                digest = TableDigest()
                for row in _raw_rows(model):
                    line = json.dumps(row, ensure_ascii=False, separators=(",", ":"))
                    _digest_line(digest, line)
                    stream.write((line + "\n").encode("utf-8"))
                counts[table], digests[table] = digest.rows, digest.sha256.hexdigest()
                if progress is not None:
                    progress(f"{table}: {digest.rows} rows")
            stream.write(
                (json.dumps({"end": True, "counts": counts, "sha256": digests}) + "\n").encode(
                    "utf-8"
                )
            )
    return counts


def table_digests() -> dict[str, tuple[int, str]]:
    """Row count and digest of every table as stored now (for verifying a restore)."""
    result: dict[str, tuple[int, str]] = {}
    for model in backup_models():
        digest = TableDigest()
        for row in _raw_rows(model):
            _digest_line(digest, json.dumps(row, ensure_ascii=False, separators=(",", ":")))
        result[model._meta.db_table] = (digest.rows, digest.sha256.hexdigest())
    return result


# Tables a freshly migrated database fills by itself (reference data, Django's content types and
# permissions, the audit of that reference load). A restore replaces them with the backup's.
INSTALL_TABLES = (
    "auth_permission",
    "django_content_type",
    "reference_country",
    "audit_chainhead",
    "audit_auditevent",
)


def _check_target_is_fresh() -> None:
    from safepassage.audit.models import AuditEvent

    for model in backup_models():
        if model._meta.db_table in INSTALL_TABLES:
            continue
        if model._default_manager.exists():
            raise BackupError(
                f"the target database already holds data ({model._meta.db_table}): restore only into a freshly migrated, empty database"
            )
    if AuditEvent.objects.exclude(event_type="reference.loaded").exists():
        raise BackupError(
            "the target database already holds audit events: restore only into a freshly migrated, empty database"
        )


def _clear_install_tables() -> None:
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        for table in INSTALL_TABLES:
            if connection.vendor == "postgresql":
                # TRUNCATE, not DELETE: the audit table refuses row deletes by trigger; these rows
                # only record the target's own reference load, which the backup supersedes.
                cursor.execute(f"TRUNCATE {quote(table)} CASCADE")
            else:
                cursor.execute(f"DELETE FROM {quote(table)}")  # noqa: S608  # nosec B608: fixed table names


def _insert(table: str, columns: list[str], rows: list[list[Any]]) -> None:
    quote = connection.ops.quote_name
    placeholders = ", ".join(["%s"] * len(columns))
    sql = f"INSERT INTO {quote(table)} ({', '.join(quote(c) for c in columns)}) VALUES ({placeholders})"  # noqa: S608  # nosec B608: identifiers from the backup header, checked against the models
    with connection.cursor() as cursor:
        cursor.executemany(sql, [[_decode(v) for v in row] for row in rows])


def _check_header(header: dict[str, Any], path: Path) -> None:
    if header.get("format") != FORMAT or header.get("version") != VERSION:
        raise BackupError(f"{path} is not a SafePassage backup of version {VERSION}")
    applied = sorted(
        f"{app}.{name}" for app, name in MigrationRecorder(connection).applied_migrations()
    )
    if header.get("migrations") != applied:
        raise BackupError(
            "the database schema differs from the backup's: migrate to the same version first"
        )


def _load_tables(
    stream: IO[str], progress: Callable[[str], object] | None
) -> tuple[dict[str, int], dict[str, Any]]:
    """Insert every table's rows; returns the counts read and the trailer."""
    known = {m._meta.db_table: m for m in backup_models()}
    counts: dict[str, int] = {}
    table, digest = "", TableDigest()
    columns: list[str] = []
    pending: list[list[Any]] = []
    for line in stream:
        item = json.loads(line)
        if not isinstance(item, dict):
            _digest_line(digest, line.rstrip("\n"))
            pending.append(item)
            if len(pending) >= BATCH:
                _insert(table, columns, pending)
                pending = []
                if progress is not None:
                    progress(f"{table}: {digest.rows} rows")
            continue
        if pending:
            _insert(table, columns, pending)
            pending = []
        if table:
            counts[table] = digest.rows
        if item.get("end"):
            return counts, item
        table, columns, digest = item["table"], item["columns"], TableDigest()
        model = known.get(table)
        if model is None or _columns(model) != columns:
            raise BackupError(f"table {table} in the backup does not match this version's schema")
    raise BackupError("the backup is truncated (no end marker): nothing was restored")


def read_backup(path: Path, *, progress: Callable[[str], object] | None = None) -> dict[str, int]:
    """Restore into a migrated, empty database, all or nothing, verifying every table's rows
    against the digests the backup recorded."""
    try:
        with gzip.open(path, "rt", encoding="utf-8") as stream:
            header = json.loads(stream.readline())
            _check_header(header, path)
            _check_target_is_fresh()
            with transaction.atomic():
                _clear_install_tables()
                counts, trailer = _load_tables(stream, progress)
                if counts != trailer["counts"]:
                    raise BackupError(
                        "row counts differ from the backup's record: nothing was restored"
                    )
                empty = hashlib.sha256().hexdigest()
                damaged = sorted(
                    table
                    for table, (rows, sha) in table_digests().items()
                    if (rows, sha)
                    != (trailer["counts"].get(table, 0), trailer["sha256"].get(table, empty))
                )
                if damaged:
                    raise BackupError(
                        f"restored rows differ from the backup in {', '.join(damaged)}: nothing was restored"
                    )
                _reset_sequences()
    except (OSError, EOFError, json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise BackupError(
            f"{path} cannot be read as a SafePassage backup ({exc}): nothing was restored"
        ) from None
    return counts


def _reset_sequences() -> None:
    statements = connection.ops.sequence_reset_sql(no_style(), backup_models())
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)
