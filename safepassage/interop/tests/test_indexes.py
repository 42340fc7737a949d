"""The tables a bulk import writes carry only indexes some query uses: every index entry is
paid for by every imported row (docs/interchange.md, Performance)."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection

from safepassage.interop.importer import IMPORT_MODELS

pytestmark = pytest.mark.django_db

# Foreign keys deliberately left without an index of their own. The fact row's office: reports
# filter on the year first (casefact_year_office); without a year only an office's deletion
# and a research release with no year bounds look it up, both scans of the table anyway. The
# case's import batch: no query looks cases up by it (a batch's cases are its id range) and
# batches are never deleted, so PROTECT never looks either.
UNINDEXED_KEYS = {("stats_casefact", "office_id"), ("cases_case", "import_batch_id")}


def _indexes(table: str) -> dict[str, dict[str, Any]]:
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, table)
    return {
        name: c for name, c in constraints.items() if c["index"] or c["unique"] or c["primary_key"]
    }


def test_every_foreign_key_of_an_imported_table_leads_some_index() -> None:
    # given the tables the import writes
    # when their indexes (unique constraints and partial indexes included) are listed
    # then each foreign key column is the first column of one of them, so the lookups of
    # cascades, PROTECT checks and joins by that key never scan the table
    missing = []
    for model in IMPORT_MODELS:
        table = model._meta.db_table
        leading = {c["columns"][0] for c in _indexes(table).values() if c["columns"]}
        for field in model._meta.concrete_fields:
            unindexed = (table, field.column) in UNINDEXED_KEYS
            if field.is_relation and not unindexed and field.column not in leading:
                missing.append(f"{table}.{field.column}")
    assert missing == []


def test_no_imported_table_carries_two_indexes_on_the_same_leading_column() -> None:
    # given the tables the import writes
    # when their single-column indexes are compared with the other indexes of the table
    # then none repeats the first column of another index (it would serve no lookup the
    # other does not, and cost an entry per imported row); partial indexes excepted
    duplicates = []
    for model in IMPORT_MODELS:
        table = model._meta.db_table
        indexes = _indexes(table)
        partial = _partial_indexes(table)
        for name, c in indexes.items():
            columns = c["columns"]
            if not isinstance(columns, list) or len(columns) != 1 or name in partial:
                continue
            if c["primary_key"]:
                continue
            covering = [
                other
                for other, o in indexes.items()
                if other != name
                and other not in partial
                and isinstance(o["columns"], list)
                and len(o["columns"]) > 1
                and o["columns"][0] == columns[0]
            ]
            if covering:
                duplicates.append(f"{name} (covered by {', '.join(sorted(covering))})")
    assert duplicates == []


# cases/0005: reverse(upper(reference)) text_pattern_ops, for "ends with" reference search.
PATTERN_INDEXES_USED = "case_reference_reversed"


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="pattern-ops indexes exist on PostgreSQL only"
)
def test_no_imported_table_carries_a_pattern_ops_index() -> None:
    # given the tables the import writes (codes and keys are compared by equality; the one
    # LIKE a query needs is the case search by reference suffix, which has its own index)
    tables = [model._meta.db_table for model in IMPORT_MODELS]
    # when their index definitions are read
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname FROM pg_indexes WHERE tablename = ANY(%s) "
            "AND indexdef LIKE %s ORDER BY indexname",
            [tables, "%pattern_ops%"],
        )
        pattern_indexes = [row[0] for row in cursor.fetchall()]
    # then there is none but the one the reference search reads
    assert pattern_indexes == [PATTERN_INDEXES_USED]


def _partial_indexes(table: str) -> set[str]:
    """Names of the partial indexes of `table` (introspection does not report conditions)."""
    if connection.vendor == "postgresql":
        sql = "SELECT indexname FROM pg_indexes WHERE tablename = %s AND indexdef LIKE %s"
    else:
        sql = (
            "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = %s AND sql LIKE %s"
        )
    with connection.cursor() as cursor:
        cursor.execute(sql, [table, "% WHERE %"])
        return {row[0] for row in cursor.fetchall()}
