"""Person features for linkage, computed in memory from plain records.

Names are folded to Latin and reduced to transliteration-tolerant keys by `core.names` (the
same functions the case search uses), so that spellings of one name produced by different
offices, scripts and romanisation systems compare as close: Oleksandr, Aleksandr, Olexandr,
Александр and Олександр share a key, and so do Mohammed, Muhammad, Mohamed and محمد.

Person data repeats values heavily (names, dates, places), so every column is computed once per
distinct value and spread back to the records with an index (`pandas.factorize` + Arrow
`take`); Python runs per distinct value, not per record, which keeps a million records to a
few seconds.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Hashable, Mapping, Sequence
from typing import Any, Final, Protocol

import numpy as np
import pandas as pd
import pyarrow as pa

from safepassage.core.names import fold, fold_identifier, name_key, skeleton, skeletons

PRECISIONS: Final = ("exact", "month", "year", "estimated")
SEXES: Final = ("female", "male", "other")

# Kept under their historical names for callers of the linkage module.
fold_name = fold
token_key = skeleton


class PersonLike(Protocol):
    """The attributes feature preparation reads; `pipeline.PersonRecord` provides them."""

    @property
    def record_id(self) -> str: ...
    @property
    def given_names(self) -> str: ...
    @property
    def family_names(self) -> str: ...
    @property
    def aliases(self) -> Sequence[str]: ...
    @property
    def birth_date(self) -> datetime.date | None: ...
    @property
    def birth_date_precision(self) -> str: ...
    @property
    def sex(self) -> str: ...
    @property
    def citizenship(self) -> str: ...
    @property
    def birth_place(self) -> str: ...
    @property
    def extra(self) -> Mapping[str, str]: ...


def name_tokens(texts: Sequence[str]) -> list[str]:
    """Distinct token keys of several names, sorted, for order-free comparisons."""
    return skeletons(texts)


def birth_date_features(
    birth_date: datetime.date | None, precision: str
) -> tuple[str | None, str | None, str | None, int | None]:
    """(full date, day/month-swapped date, year-month, year) as far as the precision allows.

    The swapped form exists only when a swap gives a different valid date, so an exact
    date can meet a record where the other office read it the other way round.
    """
    if birth_date is None:
        return None, None, None, None
    if precision not in PRECISIONS:
        msg = f"unknown birth date precision {precision!r}"
        raise ValueError(msg)
    year = birth_date.year
    if precision in ("year", "estimated"):
        return None, None, None, year
    year_month = f"{year:04d}{birth_date.month:02d}"
    if precision == "month":
        return None, None, year_month, year
    full = f"{year_month}{birth_date.day:02d}"
    swapped = None
    if birth_date.day <= 12 and birth_date.day != birth_date.month:
        swapped = f"{year:04d}{birth_date.day:02d}{birth_date.month:02d}"
    return full, swapped, year_month, year


class _Distinct:
    """A column's distinct values and, per record, the index of its value among them."""

    def __init__(self, values: Sequence[Hashable]) -> None:
        codes, uniques = pd.factorize(pd.Series(values, dtype=object), use_na_sentinel=False)
        self.codes = pa.array(codes.astype(np.int32, copy=False))
        self.uniques: list[Any] = list(uniques)

    def spread(self, compute: Callable[[Any], object], arrow_type: pa.DataType) -> pa.Array:
        """`compute` of every record's value, computed once per distinct value."""
        distinct = pa.array([compute(value) for value in self.uniques], type=arrow_type)
        return distinct.take(self.codes)


def _per_distinct(
    values: Sequence[Hashable], compute: Callable[[Any], object], arrow_type: pa.DataType
) -> pa.Array:
    return _Distinct(values).spread(compute, arrow_type)


def _none_if_empty(value: str) -> str | None:
    return value or None


def key_variants(key: str) -> list[str]:
    """The key and every key one deletion away from it, sorted.

    Two keys within one deletion, insertion, substitution or transposition of each other
    share a variant, so a blocking rule on a shared variant catches a typo anywhere in a
    name. Single letters are kept only as variants of two-letter keys (the typo that makes
    "dn" of "n"): from longer keys they would put every short name in one block.
    """
    if not key:
        return []
    shortest = min(2, len(key) - 1)
    variants = {key[:i] + key[i + 1 :] for i in range(len(key))}
    return sorted({key, *(variant for variant in variants if len(variant) >= max(shortest, 1))})


def _initials(given_key: str, family_key: str) -> str | None:
    letters = sorted(part[0] for part in (given_key, family_key) if part)
    return "".join(letters) or None


def _date_part(index: int) -> Callable[[tuple[datetime.date | None, str]], object]:
    def part(value: tuple[datetime.date | None, str]) -> object:
        return birth_date_features(*value)[index]

    return part


def prepare_features(
    records: Sequence[PersonLike],
    *,
    extra_fields: Sequence[str] = (),
    progress: Callable[[int], None] | None = None,
) -> pa.Table:
    """One row per record, in input order, with `unique_id` = the record's position.

    Extra fields are folded keeping digits (postcodes, street numbers, document numbers).
    """
    n = len(records)
    string, tokens_type = pa.string(), pa.list_(pa.string())
    given = _Distinct([record.given_names for record in records])
    family = _Distinct([record.family_names for record in records])
    given_key = given.spread(lambda v: name_key(v) or None, string)
    family_key = family.spread(lambda v: name_key(v) or None, string)
    given_tokens = given.spread(lambda v: name_tokens([v]), tokens_type)
    family_tokens = family.spread(lambda v: name_tokens([v]), tokens_type)
    given_variants = given.spread(lambda v: key_variants(name_key(v)) or None, tokens_type)
    family_variants = family.spread(lambda v: key_variants(name_key(v)) or None, tokens_type)
    pairs = list(zip(given_key.to_pylist(), family_key.to_pylist(), strict=True))
    initials = _per_distinct(pairs, lambda v: _initials(v[0] or "", v[1] or ""), string)
    del pairs
    if progress is not None:
        progress(n // 2)
    # All name tokens including aliases; aliases are rare, so only those records go through
    # Python and the rest are the union of the given and family token lists.
    all_tokens: list[list[str] | None] = [
        name_tokens([record.given_names, record.family_names, *record.aliases])
        if record.aliases
        else None
        for record in records
    ]
    dates = _Distinct([(record.birth_date, record.birth_date_precision) for record in records])
    columns: dict[str, pa.Array] = {
        "unique_id": pa.array(np.arange(n, dtype=np.int64)),
        "given_fold": given.spread(lambda v: fold(v) or None, string),
        "family_fold": family.spread(lambda v: fold(v) or None, string),
        "given_key": given_key,
        "family_key": family_key,
        "given_variants": given_variants,
        "family_variants": family_variants,
        "given_tokens": given_tokens,
        "family_tokens": family_tokens,
        "alias_tokens": pa.array(all_tokens, type=tokens_type),
        "initials": initials,
        "dob_full": dates.spread(_date_part(0), string),
        "dob_swap": dates.spread(_date_part(1), string),
        "dob_ym": dates.spread(_date_part(2), string),
        "birth_year": dates.spread(_date_part(3), pa.int32()),
        # An estimated year is a guess that may be off by a year or two; a year-only date is
        # a known year. Only the former excuses a different year.
        "birth_year_estimated": dates.spread(
            lambda v: v[0] is not None and v[1] == "estimated", pa.bool_()
        ),
        "sex": _per_distinct(
            [record.sex for record in records], lambda v: v if v in SEXES else None, string
        ),
        "citizenship": _per_distinct(
            [record.citizenship for record in records],
            lambda v: _none_if_empty(v.strip().upper()),
            string,
        ),
        "birth_place": _per_distinct(
            [record.birth_place for record in records], lambda v: fold(v) or None, string
        ),
    }
    del all_tokens, dates
    for name in extra_fields:
        columns[f"x_{name}"] = _per_distinct(
            [record.extra.get(name, "") for record in records],
            lambda v: fold_identifier(v) or None,
            string,
        )
    table = pa.table(columns)
    # name_tokens = the record's alias tokens, or else its given and family tokens together.
    merged = _merge_tokens(table)
    table = table.drop_columns(["alias_tokens"]).append_column("name_tokens", merged)
    if progress is not None:
        progress(n)
    return table


def _merge_tokens(table: pa.Table) -> pa.ChunkedArray:
    import duckdb

    connection = duckdb.connect()
    try:
        connection.register(
            "features", table.select(["given_tokens", "family_tokens", "alias_tokens"])
        )
        merged = connection.sql(
            "SELECT coalesce(alias_tokens,"
            " list_sort(list_distinct(list_concat(given_tokens, family_tokens)))) AS t"
            " FROM features"
        ).to_arrow_table()
    finally:
        connection.close()
    return merged.column("t")
