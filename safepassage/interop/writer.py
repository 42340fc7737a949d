"""Fast inserts for imports: rows are given as plain values, ids are reserved up front (so a
batch of persons, cases, screenings and facts can point at each other without a round trip per
row), and a batch is written with COPY on PostgreSQL and executemany elsewhere.

Why not `bulk_create`: it builds every model instance and, on PostgreSQL, one huge INSERT per
model; at a million rows that alone costs more than the 50 microseconds a row the import may
spend. The values still go through each field's own preparation once per distinct constant and
through the same adapters Django uses, and the writes still happen inside the caller's
transaction, so an import stays all-or-nothing.

Encrypted fields are never constants: a ciphertext shared by many rows would show which rows
hold equal values. An identifier a source never recorded is written NULL when its field allows
it (`null_reads_empty`: it reads as empty); any other value is encrypted per row."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import Any

from django.db import connection, models

from safepassage.core.fields import EncryptedTextField


def reserve_ids(model: type[models.Model], count: int, state: dict[str, int]) -> list[int]:
    """`count` fresh primary keys for `model`. PostgreSQL: from the table's sequence, so other
    writers never collide. SQLite: after the highest id, inside the import's transaction, which
    holds the database's write lock (transaction mode IMMEDIATE)."""
    if count == 0:
        return []
    table = model._meta.db_table
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                [table, count],
            )
            return [row[0] for row in cursor.fetchall()]
    if table not in state:
        with connection.cursor() as cursor:
            cursor.execute(f'SELECT COALESCE(MAX("id"), 0) FROM "{table}"')  # noqa: S608  # table name from model meta
            state[table] = int(cursor.fetchone()[0])
    start = state[table] + 1
    state[table] += count
    return list(range(start, start + count))


def _cached_json() -> Any:
    """json.dumps with a memo for lists of codes: imports repeat a few dozen distinct lists."""
    memo: dict[Any, str] = {}

    def dump(value: Any) -> str:
        if isinstance(value, list):
            key: Any = tuple(value)
        elif isinstance(value, dict) and len(value) < 8:
            try:
                key = (
                    "dict",
                    *sorted((k, tuple(v) if isinstance(v, list) else v) for k, v in value.items()),
                )
                hash(key)
            except TypeError:
                return json.dumps(value)
        else:
            return json.dumps(value)
        text = memo.get(key)
        if text is None:
            text = json.dumps(value)
            if len(memo) < 10000:
                memo[key] = text
        return text

    return dump


class TableWriter:
    """Writes rows of one model. `varying` names the attributes supplied per row; every other
    concrete field takes `constants[attname]` or its default, prepared once."""

    def __init__(
        self, model: type[models.Model], varying: Sequence[str], constants: dict[str, Any]
    ) -> None:
        self.model = model
        self.table = model._meta.db_table
        fields = list(model._meta.concrete_fields)
        self.columns = [f.column for f in fields]
        self.varying = list(varying)
        ops = connection.ops
        template: list[Any] = []
        positions: list[int] = []
        adapters: list[Any] = []
        names = {f.attname: f for f in fields}
        unknown = set(varying) - set(names)
        if unknown:
            raise ValueError(f"unknown fields for {model.__name__}: {sorted(unknown)}")
        for f in fields:
            if f.attname in self.varying:
                template.append(None)
            elif isinstance(f, EncryptedTextField):
                value = constants.get(f.attname, f.get_default())
                if value not in (None, "", []) or (value is not None and not f.null_reads_empty):
                    raise ValueError(
                        f"{model.__name__}.{f.attname} is encrypted: give it per row, never as "
                        "one ciphertext shared by every row"
                    )
                template.append(None)
            elif f.attname in constants:
                template.append(f.get_db_prep_save(constants[f.attname], connection))
            else:
                template.append(f.get_db_prep_save(f.get_default(), connection))
        postgres = connection.vendor == "postgresql"
        for name in self.varying:
            f = names[name]
            positions.append(fields.index(f))
            adapters.append(self._adapter(f, ops, postgres))
        self.template = [self._plain(value) for value in template]
        self.positions = positions
        self.adapters = adapters
        self.pending: list[tuple[Any, ...]] = []

    @staticmethod
    def _plain(value: Any) -> Any:
        """Constants prepared by Django may be adapter objects (Jsonb); COPY and executemany
        take their text."""
        obj = getattr(value, "obj", None)
        if obj is not None and type(value).__name__ == "Jsonb":
            return json.dumps(obj)
        return value

    def _adapter(self, f: models.Field[Any, Any], ops: Any, postgres: bool) -> Any:
        if isinstance(f, EncryptedTextField):
            prep = f.get_prep_value
            # Never recorded (empty): NULL where the field reads NULL as empty, else a fresh
            # token like any other value.
            unrecorded = f.null_reads_empty

            def encrypted(value: Any) -> Any:
                if unrecorded and value in ("", []):
                    return None
                return prep(value)

            return encrypted
        if isinstance(f, models.JSONField):
            return _cached_json()
        if isinstance(f, models.DateTimeField):
            return ops.adapt_datetimefield_value
        if isinstance(f, models.DateField):
            return (
                (lambda value: value)
                if postgres
                else (lambda value: None if value is None else value.isoformat())
            )
        return None

    def add(self, values: Sequence[Any]) -> None:
        row = self.template.copy()
        for position, adapter, value in zip(self.positions, self.adapters, values, strict=True):
            row[position] = adapter(value) if adapter is not None and value is not None else value
        self.pending.append(tuple(row))

    def flush(self) -> int:
        rows, self.pending = self.pending, []
        if not rows:
            return 0
        write_rows(self.table, self.columns, rows)
        return len(rows)


def write_rows(table: str, columns: Sequence[str], rows: Iterable[tuple[Any, ...]]) -> None:
    quoted = ", ".join(f'"{c}"' for c in columns)
    if connection.vendor == "postgresql":
        with connection.cursor() as wrapper:
            raw = wrapper.cursor  # the psycopg cursor: COPY is not in the DB-API
            with raw.copy(f'COPY "{table}" ({quoted}) FROM STDIN') as copy:
                for row in rows:
                    copy.write_row(row)
        return
    marks = ", ".join(["%s"] * len(columns))
    with connection.cursor() as cursor:
        cursor.executemany(f'INSERT INTO "{table}" ({quoted}) VALUES ({marks})', list(rows))  # noqa: S608  # names from model meta
