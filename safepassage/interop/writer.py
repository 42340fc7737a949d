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

import datetime as dt
import itertools
import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import DatabaseError, IntegrityError, connection, models, transaction

from safepassage.core.fields import EncryptedTextField


@dataclass
class Encoded:
    """A TableWriter's rows ready to send: `data` is COPY text (bytes) on PostgreSQL, rows of
    parameters elsewhere; `keys` the foreign key values given per row, one set per key; `ids`
    the primary keys given per row."""

    rows: int
    data: Any
    keys: list[set[Any]]
    ids: frozenset[Any] = frozenset()


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


# COPY's text format: tab between columns, newline between rows, \N for NULL; a backslash,
# tab, newline or carriage return inside a value is written as its backslash escape.
_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})
_COPY_SPECIAL = re.compile(r"[\\\t\n\r]")
_COPY_NULL = "\\N"
_COPY_BOOL = {True: "t", False: "f"}


def _json_lists() -> Any:
    """json.dumps for the lists of codes imports repeat (a few dozen distinct lists), memoised
    on the list's items; anything else is dumped as it comes."""
    memo: dict[tuple[Any, ...], str] = {}

    def dump(value: Any) -> str:
        if type(value) is not list:
            return json.dumps(value)
        key = tuple(value)
        text = memo.get(key)
        if text is None:
            text = json.dumps(value)
            if len(memo) < 10000:
                memo[key] = text
        return text

    return dump


def _copy_text(value: Any) -> str:
    """A prepared value (a constant) in COPY's text format."""
    if value is None:
        return _COPY_NULL
    if isinstance(value, bool):
        return _COPY_BOOL[value]
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return str(value).translate(_COPY_ESCAPES)


class TableWriter:
    """Writes rows of one model. `varying` names the attributes supplied per row; every other
    concrete field takes `constants[attname]` or its default, prepared once. An automatic
    primary key left out of `varying` is assigned by the database.

    `verify_keys`: the database's per-row foreign key triggers are off for this import (see
    `per_row_key_checks_off`), so the writer checks every foreign key value it wrote, once
    per distinct value and flush, and locks the referenced rows as the triggers would.
    `created` are the models whose rows this import writes: rows of theirs that are
    referenced are new in this transaction, invisible to everyone else, and need no lock."""

    def __init__(
        self,
        model: type[models.Model],
        varying: Sequence[str],
        constants: dict[str, Any],
        *,
        verify_keys: bool = False,
        created: Iterable[type[models.Model]] = (),
    ) -> None:
        self.model = model
        self.table = model._meta.db_table
        fields = _written_fields(model, varying)
        self.columns = [f.column for f in fields]
        self.varying = list(varying)
        names = {f.attname: f for f in fields}
        unknown = set(varying) - set(names)
        if unknown:
            raise ValueError(f"unknown fields for {model.__name__}: {sorted(unknown)}")
        self.copy = connection.vendor == "postgresql"
        template: list[Any] = []
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
            else:
                value = constants[f.attname] if f.attname in constants else f.get_default()
                template.append(self._plain(f.get_db_prep_save(value, connection)))
        self.positions = [fields.index(names[name]) for name in self.varying]
        pk = model._meta.pk
        self.pk_position = (
            self.varying.index(pk.attname)
            if pk is not None and pk.attname in self.varying
            else None
        )
        self.adapters = [self._adapter(names[name]) for name in self.varying]
        self.blank_is_null = [
            getattr(names[name], "null_reads_empty", False) for name in self.varying
        ]
        self.template = [_copy_text(v) for v in template] if self.copy else template
        self.pending: list[Any] = []
        self.created = {m._meta.db_table for m in created}
        # Foreign keys checked here: those given per row (their position in `varying`),
        # checked after each write, and those given as constants, checked once.
        self.varying_keys: list[int] = []
        self.varying_key_fields: list[models.ForeignKey[Any, Any]] = []
        self.constant_keys: list[tuple[models.ForeignKey[Any, Any], Any]] = []
        if verify_keys:
            for f in fields:
                if not (isinstance(f, models.ForeignKey) and getattr(f, "db_constraint", True)):
                    continue
                if f.attname in self.varying:
                    self.varying_keys.append(self.varying.index(f.attname))
                    self.varying_key_fields.append(f)
                elif template[fields.index(f)] is not None:
                    self.constant_keys.append((f, template[fields.index(f)]))

    @staticmethod
    def _plain(value: Any) -> Any:
        """Constants prepared by Django may be adapter objects (Jsonb); COPY and executemany
        take their text."""
        obj = getattr(value, "obj", None)
        if obj is not None and type(value).__name__ == "Jsonb":
            return json.dumps(obj)
        return value

    def _adapter(self, f: models.Field[Any, Any]) -> tuple[Any, bool]:  # noqa: PLR0911  # one return per kind of field
        """How a non-NULL value of `f` given per row becomes what is sent (None: as it is),
        and whether the result is text COPY must escape."""
        copy = self.copy
        if isinstance(f, EncryptedTextField):
            # Never recorded (empty) values are made NULL before this where the field reads
            # NULL as empty (`_column`): no cipher work for them; any other is a fresh token.
            return f.get_prep_value, copy
        if isinstance(f, models.JSONField):
            return _json_lists(), copy
        if isinstance(f, models.DateTimeField):
            adapt = connection.ops.adapt_datetimefield_value
            return ((lambda value: _copy_text(adapt(value))) if copy else adapt), False
        if isinstance(f, models.DateField):
            return dt.date.isoformat, False
        if isinstance(f, models.BooleanField):
            return (_COPY_BOOL.__getitem__ if copy else None), False
        if f.get_internal_type() in _INTEGER_TYPES or (
            isinstance(f, models.ForeignKey)
            and f.target_field.get_internal_type() in _INTEGER_TYPES
        ):
            return (str if copy else None), False
        return (str if copy else None), copy

    def add(self, values: Sequence[Any]) -> None:
        self.pending.append(values)

    def flush(self) -> int:
        """Writes the rows added since the last flush (`encode` then `send`)."""
        return self.send(self.encode())

    def encode(self) -> Encoded:
        """The rows added since the last call, in the form the database takes (COPY's text
        format on PostgreSQL), with the foreign key values to check. Pure Python, no database:
        an import encodes a batch on a thread of its own while the database ingests the one
        before (`send`, on the connection's own thread)."""
        rows, self.pending = self.pending, []
        keys: list[set[Any]] = [set() for _ in self.varying_keys]
        if not rows:
            return Encoded(0, b"" if self.copy else [], keys)
        # Column by column: a column's values go through one conversion (in C where it can),
        # are checked for characters COPY must escape in one search, and rows are joined at
        # the end; a loop per value and row costs twice as much.
        columns = list(zip(*rows, strict=True))
        for index, seen in zip(self.varying_keys, keys, strict=True):
            seen.update(columns[index])
        ids = frozenset(columns[self.pk_position]) if self.pk_position is not None else frozenset()
        cells: list[Any] = [itertools.repeat(value) for value in self.template]
        for position, (adapt, escape), given, blank_is_null in zip(
            self.positions, self.adapters, columns, self.blank_is_null, strict=True
        ):
            values = tuple(None if v in ("", []) else v for v in given) if blank_is_null else given
            cells[position] = self._column(values, adapt, escape)
        # Constant columns repeat without end; the varying ones end it.
        if self.copy:
            text = "\n".join(map("\t".join, zip(*cells, strict=False))) + "\n"
            return Encoded(len(rows), text.encode(), keys, ids)
        return Encoded(len(rows), list(zip(*cells, strict=False)), keys, ids)

    def send(self, encoded: Encoded, written: dict[str, frozenset[Any]] | None = None) -> int:
        """Writes what `encode` returned, then checks its foreign keys (on the thread that owns
        the import's connection). `written`: the primary keys just written by this import's
        writers, by table; a foreign key value among them needs no query."""
        if encoded.rows:
            if self.copy:
                copy_data(self.table, self.columns, encoded.data)
            else:
                insert_rows(self.table, self.columns, encoded.data)
        self._check_keys(encoded.keys, written or {})
        return encoded.rows

    def _column(self, values: tuple[Any, ...], adapt: Any, escape: bool) -> list[Any]:
        present = [v for v in values if v is not None] if None in values else values
        converted = list(present if adapt is None else map(adapt, present))
        if escape and _COPY_SPECIAL.search("".join(converted)):
            converted = [text.translate(_COPY_ESCAPES) for text in converted]
        if present is values:
            return converted
        null = _COPY_NULL if self.copy else None
        given = iter(converted)
        return [null if v is None else next(given) for v in values]

    def _check_keys(self, values_written: list[set[Any]], ids: dict[str, frozenset[Any]]) -> None:
        """Every foreign key value written (`values_written`, one set per key given per row)
        exists (and, unless this import created it, is locked against deletion until commit,
        as the per-row trigger would lock it). A value that is the primary key of a row this
        import has just written (`ids`, by table; the COPY that wrote it succeeded) exists by
        that fact; the others are looked up. A constant is checked once: its lock lasts the
        transaction."""
        checks = [(f, {value}) for f, value in self.constant_keys]
        self.constant_keys = []
        checks += zip(self.varying_key_fields, values_written, strict=True)
        for f, seen in checks:
            seen.discard(None)
            parent = f.related_model._meta.db_table  # type: ignore[union-attr]  # a foreign key's model
            column = f.target_field.column
            if f.target_field.primary_key:
                seen.difference_update(ids.get(parent, ()))
            if not seen:
                continue
            values = sorted(seen)
            lock = "" if parent in self.created else " FOR KEY SHARE"
            with connection.cursor() as cursor:
                cursor.execute(
                    f'SELECT "{column}" FROM "{parent}" WHERE "{column}" = ANY(%s){lock}',  # noqa: S608  # names from model meta
                    [values],
                )
                found = {row[0] for row in cursor.fetchall()}
            if len(found) != len(values):
                missing = next(v for v in values if v not in found)
                raise IntegrityError(
                    f'insert into "{self.table}" violates foreign key "{f.column}": '
                    f'{missing!r} is not present in "{parent}"'
                )


def _written_fields(model: type[models.Model], varying: Sequence[str]) -> list[Any]:
    """The concrete fields a TableWriter writes: all of them, but an automatic primary key
    not given per row (ids nothing else in the import refers to come from the table's own
    sequence)."""
    fields = list(model._meta.concrete_fields)
    pk = model._meta.pk
    if pk is not None and pk.attname not in varying:
        if not isinstance(pk, models.AutoField | models.BigAutoField | models.SmallAutoField):
            raise ValueError(f"{model.__name__}: give the primary key per row")
        fields.remove(pk)
    return fields


_INTEGER_TYPES = frozenset(
    {
        "AutoField",
        "BigAutoField",
        "SmallAutoField",
        "IntegerField",
        "BigIntegerField",
        "SmallIntegerField",
        "PositiveIntegerField",
        "PositiveBigIntegerField",
        "PositiveSmallIntegerField",
    }
)


def copy_data(table: str, columns: Sequence[str], data: bytes) -> None:
    """COPY `data`, rows already in COPY's text format and encoded, into `table`. psycopg
    sends it in chunks the server parses as they arrive; the wait releases the GIL."""
    quoted = ", ".join(f'"{c}"' for c in columns)
    with connection.cursor() as wrapper:
        raw = wrapper.cursor  # the psycopg cursor: COPY is not in the DB-API
        with raw.copy(f'COPY "{table}" ({quoted}) FROM STDIN') as copy:
            copy.write(data)


def insert_rows(table: str, columns: Sequence[str], rows: list[tuple[Any, ...]]) -> None:
    quoted = ", ".join(f'"{c}"' for c in columns)
    marks = ", ".join(["%s"] * len(columns))
    with connection.cursor() as cursor:
        cursor.executemany(f'INSERT INTO "{table}" ({quoted}) VALUES ({marks})', rows)  # noqa: S608  # names from model meta


def per_row_key_checks_off(import_models: Sequence[type[models.Model]]) -> bool:
    """On PostgreSQL, turn off the per-row foreign key triggers for the rest of this
    transaction (`session_replication_role = replica`), for the TableWriters of an import to
    check the same keys in bulk (`verify_keys`). Returns whether they are off.

    Why: each foreign key of each imported row otherwise runs a query of its own (about ten
    per CTDC row, half the server's time of an import). The bulk check keeps what the
    triggers guarantee: every value exists, and what this import did not create is locked
    until commit. It stays on only while these tables carry no triggers but the foreign
    keys' (replica mode would silence any other), and needs the right to set the parameter
    (superuser, or PostgreSQL 15's GRANT SET ON PARAMETER session_replication_role);
    without it the import runs with the triggers, correct and slower. SET LOCAL: a rollback
    (to the import's savepoint or of the transaction) restores the triggers."""
    if connection.vendor != "postgresql":
        return False
    tables = [m._meta.db_table for m in import_models]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_trigger WHERE NOT tgisinternal"
            " AND tgrelid = ANY(%s::regclass[])",
            [tables],
        )
        if cursor.fetchone()[0]:
            return False
        try:
            with transaction.atomic():
                cursor.execute("SET LOCAL session_replication_role = replica")
        except DatabaseError:
            return False
    return True


def per_row_key_checks_on() -> None:
    """Back to the database's own foreign key checks for whatever the transaction does next."""
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL session_replication_role = origin")
