"""Record linkage of instances of assistance into individuals, on Splink 5 with DuckDB.

Pure functions over plain records: the Django layer loads `PersonRecord`s, calls
`train_model` / `link_records` / `link_incremental`, and stores the returned clusters and
review pairs. Nothing here touches the ORM, the network or personal data in logs.

Clustering is done here rather than by Splink because data managers' decisions must hold:
must-link pairs (accepted case transfers) always join, and cannot-link pairs ("not the same
person") are never put in one cluster, even through a chain of other records.
"""

from __future__ import annotations

import datetime
import json
import tempfile
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final, NamedTuple

import duckdb
import numpy as np
import numpy.typing as npt
import pyarrow as pa

from safepassage.core.errors import Conflict
from safepassage.linkage.features import prepare_features

ProgressCallback = Callable[[str, float], None]

# A Splink blocking rule: SQL over `l` and `r`, or {"blocking_rule": SQL, "arrays_to_explode":
# [columns]} for a rule on any shared element of list columns.
BlockingRule = str | dict[str, Any]

MODEL_FORMAT: Final = 1


def _first(column: str, letters: int = 1) -> str:
    """Blocking condition: `column` starts with the same letter(s) on both sides."""
    return f"substr(l.{column}, 1, {letters}) = substr(r.{column}, 1, {letters})"


def _ends(column: str, other: str | None = None) -> str:
    """Blocking condition: l's `column` and r's `other` (default the same column) have the
    same first and last letters."""
    right = other or column
    return (
        f"substr(l.{column}, 1, 1) || right(l.{column}, 1)"
        f" = substr(r.{right}, 1, 1) || right(r.{right}, 1)"
    )


_NOT_TWO_FULL_DATES: Final = "(l.dob_full is null or r.dob_full is null)"

# Chosen by measuring, on generated data (bench/linkage_scale.py), how many pairs each rule
# generates at a million records and how many automatic links only that rule finds: name keys
# are lossy (a consonant skeleton: Yulia, Olya, Alla and Ilya all key to "l"), so a key is
# paired with a second, independent field (the other key's first letters, birth date or year,
# citizenship, birth place) so that blocks stay small at a million records while a typo in one
# field is still caught through another. Rules whose blocks grow with the square of the
# population (a given-name key with citizenship or birth place and at most one letter of the
# family key, a date of birth with one family initial) made most of the 24.6 million pairs and
# almost none of the links; they now need more of the other key, or a shared key variant.
DEFAULT_BLOCKING_RULES: Final[tuple[BlockingRule, ...]] = (
    "l.given_key = r.given_key and l.family_key = r.family_key",
    "l.given_key = r.family_key and l.family_key = r.given_key",
    "l.dob_full = r.dob_full and l.initials = r.initials",
    "l.dob_full = r.dob_full and l.citizenship = r.citizenship",
    "l.dob_full = r.dob_full and l.given_key = r.given_key",
    "l.dob_full = r.dob_full and l.family_key = r.family_key",
    "l.dob_full = r.dob_full and l.birth_place = r.birth_place",
    # dob_swap = dob_full in one direction implies it in the other, so one rule covers both.
    "l.dob_swap = r.dob_full and l.initials = r.initials",
    # One name key with the birth year and part of the other key: its first letter(s), or
    # its first and last letters, which a typo inside the name leaves alone.
    f"l.birth_year = r.birth_year and l.family_key = r.family_key and {_first('given_key')}",
    f"l.birth_year = r.birth_year and l.given_key = r.given_key and {_first('family_key', 2)}",
    f"l.birth_year = r.birth_year and l.given_key = r.given_key and {_ends('family_key')}",
    f"l.family_key = r.family_key and l.citizenship = r.citizenship and {_first('given_key', 2)}",
    f"l.family_key = r.family_key and l.citizenship = r.citizenship and {_ends('given_key')}",
    # Given and family names swapped with a typo in one of them: a rule's condition is read
    # one way round (l's given against r's family), so both directions are listed.
    (
        "l.birth_year = r.birth_year and l.given_key = r.family_key"
        f" and {_ends('family_key', 'given_key')}"
    ),
    (
        "l.birth_year = r.birth_year and l.family_key = r.given_key"
        f" and {_ends('given_key', 'family_key')}"
    ),
    (
        "l.given_key = r.family_key and l.citizenship = r.citizenship"
        f" and {_ends('family_key', 'given_key')}"
    ),
    (
        "l.family_key = r.given_key and l.citizenship = r.citizenship"
        f" and {_ends('given_key', 'family_key')}"
    ),
    # Birth place with one name key, for a typo in the other name and no usable birth date.
    "l.birth_place = r.birth_place and l.family_key = r.family_key",
    f"l.birth_place = r.birth_place and l.given_key = r.given_key and {_first('family_key')}",
    "l.birth_place = r.birth_place and l.given_key = r.family_key",
    "l.birth_place = r.birth_place and l.family_key = r.given_key",
    # A typo anywhere in one name (keys one edit apart share a variant), with the other name
    # and citizenship or birth place, for records without two full birth dates (two full
    # dates either agree, and the rules above found the pair, or make it unlikely anyway).
    *(
        {
            "blocking_rule": (
                f"l.{same} = r.{same} and l.{other} = r.{other}"
                f" and l.{variants} = r.{variants} and {_NOT_TWO_FULL_DATES}"
            ),
            "arrays_to_explode": [variants],
        }
        for same, variants, other in (
            ("given_key", "family_variants", "citizenship"),
            ("family_key", "given_variants", "citizenship"),
            ("given_key", "family_variants", "birth_place"),
        )
    ),
)

# Each EM session fixes the comparisons its blocking rule uses, so two rules over disjoint
# columns between them train every comparison.
DEFAULT_TRAINING_RULES: Final[tuple[str, ...]] = (
    "l.dob_full = r.dob_full",
    "l.given_key = r.given_key and l.family_key = r.family_key",
)

_PRIOR_RULE: Final = (
    "l.given_key = r.given_key and l.family_key = r.family_key and l.dob_full = r.dob_full"
)
# Share of true matches the deterministic prior rule is assumed to find (typos, swapped names
# and imprecise dates make up the rest); only used to seed EM.
_PRIOR_RULE_RECALL: Final = 0.6


class LinkageConflict(Conflict):
    """A must-link pair is also a cannot-link pair (directly or through other must-links)."""

    code = "linkage_conflict"


@dataclass(frozen=True, slots=True)
class PersonRecord:
    """One instance of assistance's person, as the linkage sees it.

    `extra` carries further comparable fields (address, document number...) named in
    `LinkageSettings.extra_fields`; values are compared as folded text, digits kept.
    """

    record_id: str
    given_names: str
    family_names: str
    aliases: list[str] = field(default_factory=list)
    birth_date: datetime.date | None = None
    birth_date_precision: str = "exact"
    sex: str = "unknown"
    citizenship: str = ""
    birth_place: str = ""
    extra: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class LinkageSettings:
    backend: str = "duckdb"
    auto_link_threshold: float = 0.95
    review_threshold: float = 0.5
    blocking_rules: tuple[BlockingRule, ...] = DEFAULT_BLOCKING_RULES
    training_rules: tuple[str, ...] = DEFAULT_TRAINING_RULES
    extra_fields: tuple[str, ...] = ()
    u_max_pairs: float = 1e6
    em_max_pairs: float | None = 1e6
    seed: int = 20261130
    duckdb_memory_limit: str = "2GB"
    duckdb_threads: int | None = None

    def __post_init__(self) -> None:
        if self.backend != "duckdb":
            msg = f"unsupported linkage backend {self.backend!r}; only 'duckdb' is implemented"
            raise ValueError(msg)
        if not 0 < self.review_threshold <= self.auto_link_threshold <= 1:
            msg = "thresholds must satisfy 0 < review_threshold <= auto_link_threshold <= 1"
            raise ValueError(msg)


@dataclass(frozen=True)
class LinkageModel:
    """Trained parameters (Splink settings with m/u probabilities), reusable across runs."""

    splink_settings: dict[str, Any]
    extra_fields: tuple[str, ...] = ()

    def to_json(self) -> str:
        return json.dumps(
            {
                "format": MODEL_FORMAT,
                "extra_fields": list(self.extra_fields),
                "splink": self.splink_settings,
            },
            sort_keys=True,
        )

    @classmethod
    def from_json(cls, text: str) -> LinkageModel:
        data = json.loads(text)
        if data.get("format") != MODEL_FORMAT:
            msg = f"unsupported linkage model format {data.get('format')!r}"
            raise ValueError(msg)
        return cls(splink_settings=data["splink"], extra_fields=tuple(data["extra_fields"]))


class ScoredPair(NamedTuple):
    record_id_a: str
    record_id_b: str
    match_probability: float


@dataclass(frozen=True)
class LinkageCounts:
    records: int
    scored_pairs: int
    auto_links: int
    review_pairs: int
    refused_links: int
    clusters: int


@dataclass(frozen=True)
class LinkageResult:
    """`clusters` maps every record_id to its cluster id: the smallest record_id in the
    cluster (or, incrementally, the smallest existing cluster id it joined), so ids are
    deterministic and survive reruns as long as that record stays in its cluster.

    `auto_links` are the pairs at or above the auto threshold that were joined;
    `refused_links` those a cannot-link kept apart; `review_pairs` are the pairs in
    [review, auto) whose records ended in different clusters, best first.
    """

    clusters: dict[str, str]
    auto_links: list[ScoredPair]
    review_pairs: list[ScoredPair]
    refused_links: list[ScoredPair]
    counts: LinkageCounts

    @property
    def individuals(self) -> int:
        return self.counts.clusters


# ---------------------------------------------------------------------------------------------
# Model definition


def _level(sql: str, label: str, *, null: bool = False) -> dict[str, Any]:
    level: dict[str, Any] = {"sql_condition": sql, "label_for_charts": label}
    if null:
        level["is_null_level"] = True
    return level


def _name_comparison(part: str, other: str) -> dict[str, Any]:
    fold_l, fold_r = f"{part}_fold_l", f"{part}_fold_r"
    key_l, key_r = f"{part}_key_l", f"{part}_key_r"
    return {
        "output_column_name": part,
        "comparison_levels": [
            _level(f"{fold_l} IS NULL OR {fold_r} IS NULL", "null", null=True),
            _level(f"{fold_l} = {fold_r}", "exact"),
            _level(f"{key_l} = {key_r}", "transliteration key"),
            _level(f"jaro_winkler_similarity({fold_l}, {fold_r}) >= 0.92", "jaro-winkler >= 0.92"),
            # Both names crosswise (one may carry a typo): a single crosswise coincidence of
            # short keys (Alina's key equals Il'in's) is no evidence of a swap, and would
            # count in both name comparisons at the weight of a real swap.
            _level(
                f"({key_l} = {other}_key_r AND ({other}_key_l = {key_r}"
                f" OR jaro_winkler_similarity({other}_fold_l, {fold_r}) >= 0.92))"
                f" OR ({other}_key_l = {key_r}"
                f" AND jaro_winkler_similarity({fold_l}, {other}_fold_r) >= 0.92)",
                "given and family swapped",
            ),
            _level(
                f"list_has_any({part}_tokens_l, name_tokens_r)"
                f" OR list_has_any({part}_tokens_r, name_tokens_l)",
                "shared name or alias token",
            ),
            _level(f"jaro_winkler_similarity({fold_l}, {fold_r}) >= 0.8", "jaro-winkler >= 0.8"),
            _level("ELSE", "else"),
        ],
    }


def _birth_date_comparison() -> dict[str, Any]:
    imprecise = "(dob_full_l IS NULL OR dob_full_r IS NULL)"
    estimated = "(birth_year_estimated_l OR birth_year_estimated_r)"
    return {
        "output_column_name": "birth_date",
        "comparison_levels": [
            _level("birth_year_l IS NULL OR birth_year_r IS NULL", "null", null=True),
            _level("dob_full_l = dob_full_r", "exact"),
            _level("dob_swap_l = dob_full_r OR dob_full_l = dob_swap_r", "day and month swapped"),
            _level("damerau_levenshtein(dob_full_l, dob_full_r) <= 1", "one digit off"),
            _level("dob_ym_l = dob_ym_r", "same month"),
            _level(f"birth_year_l = birth_year_r AND {imprecise}", "same year, imprecise"),
            # Only an estimated year excuses a different one: a year-only date is a known
            # year, and two persons born two years apart are not one person.
            _level(
                f"abs(birth_year_l - birth_year_r) <= 2 AND {estimated}",
                "within two years, estimated",
            ),
            _level("birth_year_l = birth_year_r", "same year"),
            _level("ELSE", "else"),
        ],
    }


def _exact_comparison(column: str) -> dict[str, Any]:
    return {
        "output_column_name": column,
        "comparison_levels": [
            _level(f"{column}_l IS NULL OR {column}_r IS NULL", "null", null=True),
            _level(f"{column}_l = {column}_r", "exact"),
            _level("ELSE", "else"),
        ],
    }


def _text_comparison(column: str) -> dict[str, Any]:
    col_l, col_r = f"{column}_l", f"{column}_r"
    return {
        "output_column_name": column,
        "comparison_levels": [
            _level(f"{col_l} IS NULL OR {col_r} IS NULL", "null", null=True),
            _level(f"{col_l} = {col_r}", "exact"),
            _level(f"damerau_levenshtein({col_l}, {col_r}) <= 1", "one edit"),
            _level(f"jaro_winkler_similarity({col_l}, {col_r}) >= 0.9", "jaro-winkler >= 0.9"),
            _level("ELSE", "else"),
        ],
    }


def _splink_settings(settings: LinkageSettings) -> dict[str, Any]:
    comparisons = [
        _name_comparison("given", "family"),
        _name_comparison("family", "given"),
        _birth_date_comparison(),
        _exact_comparison("sex"),
        _exact_comparison("citizenship"),
        _text_comparison("birth_place"),
        *(_text_comparison(f"x_{name}") for name in settings.extra_fields),
    ]
    return {
        "link_type": "dedupe_only",
        "unique_id_column_name": "unique_id",
        "comparisons": comparisons,
        "blocking_rules_to_generate_predictions": list(settings.blocking_rules),
        "retain_matching_columns": False,
        "retain_intermediate_calculation_columns": False,
    }


# ---------------------------------------------------------------------------------------------
# Splink plumbing


class _Session:
    """One DuckDB connection with the features of one or two record sets registered."""

    def __init__(self, settings: LinkageSettings) -> None:
        from splink import DuckDBAPI

        self.connection = duckdb.connect()
        self.connection.execute(f"SET memory_limit = '{settings.duckdb_memory_limit}'")
        # Spill files go to the system temp dir, never the working directory (DuckDB's
        # default is `.tmp/` under the current directory, i.e. the repository root).
        self.connection.execute(f"SET temp_directory = '{_duckdb_temp_directory()}'")
        if settings.duckdb_threads is not None:
            self.connection.execute(f"SET threads = {int(settings.duckdb_threads)}")
        self.db_api = DuckDBAPI(connection=self.connection)

    def register(self, table: pa.Table, name: str) -> Any:
        return self.db_api.register(table, dataset_display_name=name)

    def close(self) -> None:
        self.connection.close()


def _duckdb_temp_directory() -> str:
    path = Path(tempfile.gettempdir()) / "safepassage-duckdb"
    path.mkdir(mode=0o700, exist_ok=True)
    return str(path).replace("'", "''")


def _linker(frames: Any, splink_settings: dict[str, Any]) -> Any:
    from splink import Linker

    return Linker(frames, splink_settings, log_level=None)


def _report(progress: ProgressCallback | None, stage: str, fraction: float) -> None:
    if progress is not None:
        progress(stage, fraction)


def _with_blocking(model: LinkageModel, settings: LinkageSettings) -> dict[str, Any]:
    splink_settings: dict[str, Any] = json.loads(json.dumps(model.splink_settings))
    splink_settings["blocking_rules_to_generate_predictions"] = list(settings.blocking_rules)
    return splink_settings


def _features(
    records: Sequence[PersonRecord], extra_fields: Sequence[str], id_offset: int = 0
) -> pa.Table:
    table = prepare_features(records, extra_fields=extra_fields)
    if id_offset:
        ids = pa.array(range(id_offset, id_offset + len(records)), type=pa.int64())
        table = table.set_column(0, "unique_id", ids)
    return table


def _train_on_frame(
    linker: Any, settings: LinkageSettings, progress: ProgressCallback | None
) -> dict[str, Any]:
    training = linker.training
    _report(progress, "train_prior", 0.0)
    try:
        training.estimate_probability_two_random_records_match(
            [_PRIOR_RULE], recall=_PRIOR_RULE_RECALL
        )
    except ValueError:
        # More exact matches than the assumed recall allows: the data is duplicate-heavy, so
        # the observed rate itself is the better seed.
        training.estimate_probability_two_random_records_match([_PRIOR_RULE], recall=1.0)
    settings_obj = linker._settings_obj
    if settings_obj._probability_two_random_records_match <= 0:
        # No exact duplicates at all (tiny sets): a zero prior would make EM degenerate.
        settings_obj._probability_two_random_records_match = 1e-4
    _report(progress, "train_u", 0.0)
    training.estimate_u_using_random_sampling(
        max_pairs=settings.u_max_pairs, seed=settings.seed, num_chunks=1
    )
    for index, rule in enumerate(settings.training_rules):
        _report(progress, "train_em", index / len(settings.training_rules))
        try:
            training.estimate_parameters_using_expectation_maximisation(
                rule,
                estimate_without_term_frequencies=True,
                max_pairs=settings.em_max_pairs,
            )
        except ValueError as error:
            # On small record sets a level seen only among clear non-matches can get an m of
            # exactly 0, which Splink refuses mid-iteration; the other session still trains
            # that comparison, and `_floor_m_probabilities` keeps every level usable.
            if "below the minimum allowed value" not in str(error):
                raise
    _report(progress, "train_em", 1.0)
    return _floor_m_probabilities(dict(linker.misc.save_model_to_json()))


# Smallest m probability a level keeps after EM. Training data rarely shows every kind of
# disagreement between true matches (a birth place typo, a recorded sex corrected later); an
# m of ~0 would make one such disagreement veto an otherwise certain match.
_M_FLOOR: Final = 0.005


def _floor_m_probabilities(splink_settings: dict[str, Any]) -> dict[str, Any]:
    for comparison in splink_settings["comparisons"]:
        levels = [
            level for level in comparison["comparison_levels"] if not level.get("is_null_level")
        ]
        floored = [max(float(level.get("m_probability") or 0.0), _M_FLOOR) for level in levels]
        total = sum(floored)
        for level, m in zip(levels, floored, strict=True):
            level["m_probability"] = m / total
    return splink_settings


# ---------------------------------------------------------------------------------------------
# Public API


def train_model(
    records: Sequence[PersonRecord],
    *,
    settings: LinkageSettings | None = None,
    progress: ProgressCallback | None = None,
) -> LinkageModel:
    """Estimate the model's parameters on `records` (u by random sampling, m by EM)."""
    settings = settings or LinkageSettings()
    session = _Session(settings)
    try:
        frame = session.register(_features(records, settings.extra_fields), "records")
        linker = _linker(frame, _splink_settings(settings))
        trained = _train_on_frame(linker, settings, progress)
    finally:
        session.close()
    return LinkageModel(splink_settings=trained, extra_fields=settings.extra_fields)


_Edges = tuple[npt.NDArray[np.int64], npt.NDArray[np.int64], npt.NDArray[np.float64]]


def _fetch_edges(session: _Session, predictions: Any) -> _Edges:
    columns = session.connection.sql(
        f"SELECT unique_id_l, unique_id_r, match_probability FROM {predictions.physical_name}"  # noqa: S608 - Splink's own table name
    ).fetchnumpy()
    predictions.drop_table_from_database_and_remove_from_cache()
    return (
        np.asarray(columns["unique_id_l"], dtype=np.int64),
        np.asarray(columns["unique_id_r"], dtype=np.int64),
        np.asarray(columns["match_probability"], dtype=np.float64),
    )


def predict_pairs(
    records: Sequence[PersonRecord],
    *,
    model: LinkageModel,
    settings: LinkageSettings | None = None,
    progress: ProgressCallback | None = None,
) -> list[ScoredPair]:
    """Scored candidate pairs at or above the review threshold, best first."""
    settings = settings or LinkageSettings()
    (left, right, probability), _ = _predict_full(records, model, settings, progress)
    order = _edge_order(left, right, probability)
    return [
        ScoredPair(records[left[i]].record_id, records[right[i]].record_id, float(probability[i]))
        for i in order
    ]


def _predict_full(
    records: Sequence[PersonRecord],
    model: LinkageModel | None,
    settings: LinkageSettings,
    progress: ProgressCallback | None,
) -> tuple[_Edges, LinkageModel]:
    """Score all candidate pairs, training first on the same registered table if no model:
    preparing features once matters at a million records."""
    _report(progress, "features", 0.0)
    extra_fields = model.extra_fields if model is not None else settings.extra_fields
    return _predict_table(_features(records, extra_fields), model, settings, progress)


def _blocked_pairs(session: _Session, records: str, rules: Sequence[BlockingRule]) -> Any:
    """Every pair some blocking rule finds, once, in the table Splink scores from.

    Splink's own blocking keeps a pair from being generated twice by adding, to each rule's
    join, the negation of every earlier rule; with twenty rules that filtering cost more than
    the joins themselves. One statement joining per rule and grouping the pairs does the same
    for about three quarters of the CPU time (measured at 200,000 records).
    """
    # The rules are the product's own SQL (settings, never user input) and `records` is
    # Splink's table name.
    joins = []
    for number, rule in enumerate(rules):
        source, condition = records, rule
        if isinstance(rule, dict):
            condition = rule["blocking_rule"]
            exploded = ", ".join(
                f"unnest({column}) AS {column}" for column in rule["arrays_to_explode"]
            )
            source = f"(SELECT * REPLACE ({exploded}) FROM {records})"  # noqa: S608
        joins.append(
            f"SELECT {number} AS match_key, l.unique_id AS join_key_l, r.unique_id AS join_key_r"  # noqa: S608
            f" FROM {source} AS l JOIN {source} AS r ON ({condition})"
            " AND l.unique_id < r.unique_id"
        )
    statement = (
        f"CREATE OR REPLACE TABLE safepassage_blocked_pairs AS SELECT min(match_key)"  # noqa: S608
        f" AS match_key, join_key_l, join_key_r FROM ({' UNION ALL '.join(joins)})"
        " GROUP BY join_key_l, join_key_r"
    )
    session.connection.execute(statement).fetchall()
    return session.db_api.register("safepassage_blocked_pairs", table_name="blocked_pairs")


def _predict_table(
    table: pa.Table,
    model: LinkageModel | None,
    settings: LinkageSettings,
    progress: ProgressCallback | None,
) -> tuple[_Edges, LinkageModel]:
    extra_fields = model.extra_fields if model is not None else settings.extra_fields
    session = _Session(settings)
    try:
        frame = session.register(table, "records")
        del table
        if model is None:
            trainer = _linker(frame, _splink_settings(settings))
            trained = _train_on_frame(trainer, settings, progress)
            model = LinkageModel(splink_settings=trained, extra_fields=extra_fields)
        linker = _linker(frame, _with_blocking(model, settings))
        _report(progress, "predict", 0.0)
        linker.table_management.register_blocked_pairs_for_predict(
            _blocked_pairs(session, frame.physical_name, settings.blocking_rules)
        )
        predictions = linker.inference.predict(
            threshold_match_probability=settings.review_threshold, warning_mode="never"
        )
        edges = _fetch_edges(session, predictions)
    finally:
        session.close()
    _report(progress, "predict", 1.0)
    return edges, model


def link_records(
    records: Sequence[PersonRecord],
    *,
    model: LinkageModel | None = None,
    settings: LinkageSettings | None = None,
    must_link: Iterable[tuple[str, str]] = (),
    cannot_link: Iterable[tuple[str, str]] = (),
    progress: ProgressCallback | None = None,
    unscored_ids: Sequence[str] = (),
) -> LinkageResult:
    """Full run: score all candidate pairs among `records` and cluster them.

    Without a `model`, one is trained on the records first (see `train_model`).
    `unscored_ids` are clustered through the constraints alone, never scored (anonymised
    persons, held to their individual by must-links).
    """
    settings = settings or LinkageSettings()
    edges, _ = _predict_full(records, model, settings, progress)
    _report(progress, "cluster", 0.0)
    result = _cluster(
        [*(record.record_id for record in records), *unscored_ids],
        edges,
        settings=settings,
        must_link=must_link,
        cannot_link=cannot_link,
        existing_clusters={},
    )
    _report(progress, "cluster", 1.0)
    return result


def link_incremental(
    new_records: Sequence[PersonRecord],
    *,
    existing_records: Sequence[PersonRecord],
    existing_clusters: Mapping[str, str],
    model: LinkageModel,
    settings: LinkageSettings | None = None,
    must_link: Iterable[tuple[str, str]] = (),
    cannot_link: Iterable[tuple[str, str]] = (),
    progress: ProgressCallback | None = None,
    unscored_ids: Sequence[str] = (),
) -> LinkageResult:
    """Attach `new_records` to already clustered records without re-scoring old pairs.

    Only new-new and new-existing pairs are scored; existing clusters are kept whole (their
    members act as must-links) and keep their ids. A new record may join two existing
    clusters together; the merged cluster takes the smaller id.
    """
    settings = settings or LinkageSettings()
    _report(progress, "features", 0.0)
    existing_table = _features(existing_records, model.extra_fields)
    new_table = _features(new_records, model.extra_fields, id_offset=len(existing_records))
    session = _Session(settings)
    try:
        existing_frame = session.register(existing_table, "existing")
        new_frame = session.register(new_table, "new")
        splink_settings = _with_blocking(model, settings)
        linker = _linker(new_frame, splink_settings)
        _report(progress, "predict", 0.0)
        within = linker.inference.predict_within(
            new_frame,
            threshold_match_probability=settings.review_threshold,
            warning_mode="never",
        )
        within_edges = _fetch_edges(session, within)
        _report(progress, "predict", 0.5)
        between_edges: _Edges | None = None
        if existing_records:
            between = linker.inference.predict_between(
                existing_frame,
                new_frame,
                threshold_match_probability=settings.review_threshold,
                warning_mode="never",
            )
            between_edges = _fetch_edges(session, between)
    finally:
        session.close()
    if between_edges is not None:
        edges: _Edges = (
            np.concatenate([within_edges[0], between_edges[0]]),
            np.concatenate([within_edges[1], between_edges[1]]),
            np.concatenate([within_edges[2], between_edges[2]]),
        )
    else:
        edges = within_edges
    _report(progress, "cluster", 0.0)
    record_ids = [record.record_id for record in existing_records]
    record_ids.extend(record.record_id for record in new_records)
    record_ids.extend(unscored_ids)
    result = _cluster(
        record_ids,
        edges,
        settings=settings,
        must_link=must_link,
        cannot_link=cannot_link,
        existing_clusters=existing_clusters,
    )
    _report(progress, "cluster", 1.0)
    return result


def cluster_pairs(
    record_ids: Sequence[str],
    pairs: Iterable[ScoredPair],
    *,
    settings: LinkageSettings | None = None,
    must_link: Iterable[tuple[str, str]] = (),
    cannot_link: Iterable[tuple[str, str]] = (),
    existing_clusters: Mapping[str, str] | None = None,
) -> LinkageResult:
    """Cluster already scored pairs (e.g. re-cluster after a data manager's decisions)."""
    settings = settings or LinkageSettings()
    index = {record_id: i for i, record_id in enumerate(record_ids)}
    left: list[int] = []
    right: list[int] = []
    probability: list[float] = []
    for pair in pairs:
        left.append(index[pair.record_id_a])
        right.append(index[pair.record_id_b])
        probability.append(pair.match_probability)
    edges: _Edges = (
        np.asarray(left, dtype=np.int64),
        np.asarray(right, dtype=np.int64),
        np.asarray(probability, dtype=np.float64),
    )
    return _cluster(
        record_ids,
        edges,
        settings=settings,
        must_link=must_link,
        cannot_link=cannot_link,
        existing_clusters=existing_clusters or {},
    )


# ---------------------------------------------------------------------------------------------
# Constrained clustering


def _edge_order(
    left: npt.NDArray[np.int64],
    right: npt.NDArray[np.int64],
    probability: npt.NDArray[np.float64],
) -> npt.NDArray[np.intp]:
    # Best first; ties broken by record position so the outcome never depends on DuckDB's
    # row order (which varies with threads).
    low = np.minimum(left, right)
    high = np.maximum(left, right)
    order: npt.NDArray[np.intp] = np.lexsort((high, low, -probability))
    return order


class _UnionFind:
    def __init__(self, size: int) -> None:
        self.parent = list(range(size))
        self.forbidden: dict[int, set[int]] = {}

    def find(self, node: int) -> int:
        parent = self.parent
        root = node
        while parent[root] != root:
            root = parent[root]
        while parent[node] != root:
            parent[node], node = root, parent[node]
        return root

    def forbid(self, a: int, b: int) -> None:
        self.forbidden.setdefault(a, set()).add(b)
        self.forbidden.setdefault(b, set()).add(a)

    def _root_forbidden(self, root: int) -> set[int]:
        return self.forbidden.get(root, set())

    def can_union(self, root_a: int, root_b: int) -> bool:
        # Forbidden sets live on roots and hold member nodes, so checking one side suffices;
        # pick the smaller to keep merges cheap.
        fa, fb = self._root_forbidden(root_a), self._root_forbidden(root_b)
        if len(fa) > len(fb):
            fa, root_b = fb, root_a
        return all(self.find(node) != root_b for node in fa)

    def union(self, root_a: int, root_b: int) -> int:
        if root_b < root_a:
            root_a, root_b = root_b, root_a
        self.parent[root_b] = root_a
        moved = self.forbidden.pop(root_b, None)
        if moved:
            self.forbidden.setdefault(root_a, set()).update(moved)
        return root_a


def _cluster(
    record_ids: Sequence[str],
    edges: _Edges,
    *,
    settings: LinkageSettings,
    must_link: Iterable[tuple[str, str]],
    cannot_link: Iterable[tuple[str, str]],
    existing_clusters: Mapping[str, str],
) -> LinkageResult:
    index = {record_id: i for i, record_id in enumerate(record_ids)}
    if len(index) != len(record_ids):
        msg = "record ids must be unique"
        raise ValueError(msg)
    must_link, cannot_link = list(must_link), list(cannot_link)
    if not must_link and not cannot_link and not existing_clusters:
        return _cluster_unconstrained(record_ids, edges, settings=settings)
    sets = _UnionFind(len(record_ids))
    cannot: set[tuple[int, int]] = set()
    for id_a, id_b in cannot_link:
        if id_a in index and id_b in index:
            i, j = sorted((index[id_a], index[id_b]))
            cannot.add((i, j))
            sets.forbid(i, j)

    def join_certain(a: int, b: int) -> None:
        root_a, root_b = sets.find(a), sets.find(b)
        if root_a == root_b:
            return
        if not sets.can_union(root_a, root_b):
            msg = (
                f"records {record_ids[a]} and {record_ids[b]} must be linked but that would "
                "join a cannot-link pair"
            )
            raise LinkageConflict(msg)
        sets.union(root_a, root_b)

    by_cluster: dict[str, int] = {}
    for record_id, cluster_id in sorted(existing_clusters.items()):
        if record_id not in index:
            continue
        first = by_cluster.setdefault(cluster_id, index[record_id])
        join_certain(first, index[record_id])
    for id_a, id_b in sorted(must_link):
        join_certain(index[id_a], index[id_b])

    left, right, probability = edges
    order = _edge_order(left, right, probability)
    auto: list[ScoredPair] = []
    refused: list[ScoredPair] = []
    band: list[int] = []
    threshold = settings.auto_link_threshold
    for position in order.tolist():
        p = float(probability[position])
        if p < threshold:
            band.append(position)
            continue
        a, b = int(left[position]), int(right[position])
        root_a, root_b = sets.find(a), sets.find(b)
        pair = ScoredPair(record_ids[a], record_ids[b], p)
        if root_a == root_b:
            auto.append(pair)
        elif sets.can_union(root_a, root_b):
            sets.union(root_a, root_b)
            auto.append(pair)
        else:
            refused.append(pair)

    review = _review_pairs(record_ids, edges, band, sets, cannot)

    clusters = _cluster_ids(record_ids, sets, existing_clusters)
    counts = LinkageCounts(
        records=len(record_ids),
        scored_pairs=len(probability),
        auto_links=len(auto),
        review_pairs=len(review),
        refused_links=len(refused),
        clusters=len(set(clusters.values())),
    )
    return LinkageResult(
        clusters=clusters,
        auto_links=auto,
        review_pairs=review,
        refused_links=refused,
        counts=counts,
    )


def _components(
    size: int, left: npt.NDArray[np.int64], right: npt.NDArray[np.int64]
) -> npt.NDArray[np.int64]:
    """Connected components by min-label propagation with pointer jumping: each node ends
    labelled with the smallest node of its component. Person clusters are small, so this
    converges in a few vectorised passes."""
    labels = np.arange(size, dtype=np.int64)
    while True:
        lowest = np.minimum(labels[left], labels[right])
        updated = labels.copy()
        np.minimum.at(updated, left, lowest)
        np.minimum.at(updated, right, lowest)
        while True:
            jumped = updated[updated]
            if np.array_equal(jumped, updated):
                break
            updated = jumped
        if np.array_equal(updated, labels):
            return labels
        labels = updated


def _cluster_unconstrained(
    record_ids: Sequence[str], edges: _Edges, *, settings: LinkageSettings
) -> LinkageResult:
    """`_cluster` without data managers' decisions: every auto link joins, so clusters are
    the connected components of the auto links (vectorised: a million records in seconds
    rather than a Python loop per edge). Same result as the constrained path."""
    left, right, probability = edges
    size = len(record_ids)
    order = _edge_order(left, right, probability)
    auto_mask = probability >= settings.auto_link_threshold
    labels = _components(size, left[auto_mask], right[auto_mask])
    # Cluster id = the smallest record id in the component.
    ids = np.asarray(record_ids, dtype=object)
    rank = np.empty(size, dtype=np.int64)
    rank[np.argsort(ids, kind="stable")] = np.arange(size)
    smallest = np.full(size, size, dtype=np.int64)
    np.minimum.at(smallest, labels, rank)
    by_rank = ids[np.argsort(rank)]
    cluster_of = by_rank[smallest[labels]]
    clusters = dict(zip(record_ids, cluster_of.tolist(), strict=True))
    ordered_auto = order[auto_mask[order]]
    auto = [
        ScoredPair(record_ids[a], record_ids[b], p)
        for a, b, p in zip(
            left[ordered_auto].tolist(),
            right[ordered_auto].tolist(),
            probability[ordered_auto].tolist(),
            strict=True,
        )
    ]
    band = order[~auto_mask[order]]
    band = band[labels[left[band]] != labels[right[band]]]
    review = [
        ScoredPair(record_ids[a], record_ids[b], p)
        for a, b, p in zip(
            left[band].tolist(), right[band].tolist(), probability[band].tolist(), strict=True
        )
    ]
    counts = LinkageCounts(
        records=size,
        scored_pairs=len(probability),
        auto_links=len(auto),
        review_pairs=len(review),
        refused_links=0,
        clusters=len(set(clusters.values())),
    )
    return LinkageResult(
        clusters=clusters, auto_links=auto, review_pairs=review, refused_links=[], counts=counts
    )


def _review_pairs(
    record_ids: Sequence[str],
    edges: _Edges,
    band: Sequence[int],
    sets: _UnionFind,
    cannot: set[tuple[int, int]],
) -> list[ScoredPair]:
    left, right, probability = edges
    review: list[ScoredPair] = []
    for position in band:
        a, b = int(left[position]), int(right[position])
        if sets.find(a) == sets.find(b) or (min(a, b), max(a, b)) in cannot:
            continue
        review.append(ScoredPair(record_ids[a], record_ids[b], float(probability[position])))
    return review


def _cluster_ids(
    record_ids: Sequence[str], sets: _UnionFind, existing_clusters: Mapping[str, str]
) -> dict[str, str]:
    # An existing cluster id wins over any new record's id so that attaching records never
    # renames a cluster the rest of the system already refers to.
    names: dict[int, tuple[bool, str]] = {}
    for i, record_id in enumerate(record_ids):
        existing = existing_clusters.get(record_id)
        candidate = (existing is None, record_id if existing is None else existing)
        root = sets.find(i)
        current = names.get(root)
        if current is None or candidate < current:
            names[root] = candidate
    return {record_id: names[sets.find(i)][1] for i, record_id in enumerate(record_ids)}
