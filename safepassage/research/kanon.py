"""k-anonymised record releases: full-domain generalisation chosen by a lattice search, local
suppression of the remaining outliers within a stated limit, optional distinct l-diversity of the
sensitive attribute, and a verification written apart from the search.

The lattice is the product of the levels each quasi-identifier may take (216 nodes for the
default set). Every node is a full-domain generalisation; a record is an outlier at a node when
its equivalence class has fewer than k members (or fewer than l distinct sensitive values).
Outliers only decrease as a node is generalised (merging classes never shrinks one), so once a
node fails the suppression limit all the nodes below it fail too and are skipped unevaluated,
as in ARX's Flash/OLA. Among the feasible nodes the one with the least information loss wins.

Information loss is the normalised certainty penalty (NCP, Xu et al. 2006) averaged over records
and quasi-identifiers: a generalised value covering m of the D distinct recorded values of its
column costs (m - 1) / (D - 1); a suppressed record costs 1 on every quasi-identifier. It lies in
[0, 1], 0 for the data as recorded, 1 for everything suppressed, and so trades generalisation
against suppression on one scale. The discernibility metric (Bayardo and Agrawal 2005) is
reported beside it.
"""

from __future__ import annotations

import itertools
import math
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import numpy.typing as npt
import pandas as pd

from safepassage.research.hierarchies import SUPPRESSED, QuasiIdentifier, default_quasi_identifiers

SENSITIVE_ATTRIBUTE = "exploitation_type"
DEFAULT_K = 11
DEFAULT_MAX_SUPPRESSION = 0.10

Node = tuple[int, ...]


class ReleaseRefused(Exception):
    """The data cannot be released under the requested privacy model; the message says why."""


@dataclass(frozen=True)
class KAnonymousRelease:
    """A verified release and the figures its privacy statement reports."""

    data: pd.DataFrame
    quasi_identifiers: tuple[str, ...]
    k_requested: int
    k_achieved: int
    l_requested: int | None
    l_achieved: int | None
    sensitive: str | None
    rows_input: int
    rows_suppressed: int
    rows_removed: int
    max_suppression: float
    levels: dict[str, int]
    level_names: dict[str, str]
    information_loss: float
    discernibility: int
    nodes_in_lattice: int
    nodes_evaluated: int
    seconds: float

    @property
    def suppressed_share(self) -> float:
        return self.rows_suppressed / self.rows_input if self.rows_input else 0.0

    @property
    def rows_released(self) -> int:
        return len(self.data)

    def privacy_statement(self) -> str:
        generalisation = ", ".join(
            f"{column}: {self.level_names[column]}" for column in self.quasi_identifiers
        )
        lines = [
            f"Privacy model: {self.k_requested}-anonymity"
            + (
                f" with distinct {self.l_requested}-diversity of {self.sensitive}"
                if self.l_requested
                else ""
            )
            + f" over the quasi-identifiers {', '.join(self.quasi_identifiers)}.",
            f"Verified on the released file: smallest equivalence class k = {self.k_achieved}"
            + (
                f", fewest distinct {self.sensitive} values in a class l = {self.l_achieved}."
                if self.l_achieved is not None
                else "."
            ),
            f"Generalisation (full-domain): {generalisation}.",
            (
                f"Local suppression: {self.rows_suppressed} of {self.rows_input} records "
                f"({self.suppressed_share:.1%}, limit {self.max_suppression:.0%}); "
                f"{self.rows_removed} of them removed, the rest kept with every "
                f"quasi-identifier '{SUPPRESSED}'."
            ),
            (
                f"Information loss: normalised certainty penalty {self.information_loss:.4f} "
                f"(0 = as recorded, 1 = all suppressed); discernibility {self.discernibility}."
            ),
        ]
        return "\n".join(lines)


@dataclass
class _Column:
    """Per quasi-identifier, per level: integer codes of the labels and each record's penalty."""

    codes: dict[int, npt.NDArray[np.int64]] = field(default_factory=dict)
    cardinality: dict[int, int] = field(default_factory=dict)
    penalty: dict[int, npt.NDArray[np.float64]] = field(default_factory=dict)
    labels: dict[int, pd.Series] = field(default_factory=dict)


def _prepare(individuals: pd.DataFrame, qi: QuasiIdentifier) -> _Column:
    column = _Column()
    base = qi.hierarchy.generalise(individuals[qi.column], 0)
    base_codes, base_uniques = pd.factorize(base)
    distinct = len(base_uniques)
    for level in qi.levels:
        labels = base if level == 0 else qi.hierarchy.generalise(individuals[qi.column], level)
        codes, uniques = pd.factorize(labels)
        # How many recorded values each label covers, counted on the data (as ARX does).
        covered = pd.Series(base_codes).groupby(codes).nunique().to_numpy()
        penalty = (covered[codes] - 1) / (distinct - 1) if distinct > 1 else np.zeros(len(codes))
        column.codes[level] = codes.astype(np.int64)
        column.cardinality[level] = len(uniques)
        column.penalty[level] = penalty.astype(np.float64)
        column.labels[level] = labels
    return column


@dataclass(frozen=True)
class _Evaluation:
    node: Node
    outliers: npt.NDArray[np.bool_]
    suppressed: int
    loss: float
    discernibility: int


def _evaluate(
    node: Node,
    *,
    columns: Sequence[_Column],
    k: int,
    l_value: int | None,
    sensitive_codes: npt.NDArray[np.int64] | None,
    sensitive_cardinality: int,
) -> _Evaluation:
    key = np.zeros(len(columns[0].codes[node[0]]), dtype=np.int64)
    for column, level in zip(columns, node, strict=True):
        key = key * column.cardinality[level] + column.codes[level]
    _, inverse, counts = np.unique(key, return_inverse=True, return_counts=True)
    outliers = counts[inverse] < k
    if l_value is not None and sensitive_codes is not None:
        pairs = inverse.astype(np.int64) * sensitive_cardinality + sensitive_codes
        distinct_pairs = np.unique(pairs) // sensitive_cardinality
        diversity = np.bincount(distinct_pairs, minlength=len(counts))
        outliers |= diversity[inverse] < l_value
    suppressed = int(outliers.sum())
    n = len(key)
    penalty = np.zeros(n)
    for column, level in zip(columns, node, strict=True):
        penalty += column.penalty[level]
    penalty = np.where(outliers, float(len(columns)), penalty)
    loss = float(penalty.sum() / (n * len(columns)))
    kept_sizes = counts[np.unique(inverse[~outliers])] if suppressed < n else np.array([])
    discernibility = int((kept_sizes.astype(np.int64) ** 2).sum()) + suppressed * n
    return _Evaluation(node, outliers, suppressed, loss, discernibility)


def _below(node: Node, other: Node) -> bool:
    return all(a <= b for a, b in zip(node, other, strict=True))


def _describe(node: Node, qis: Sequence[QuasiIdentifier]) -> str:
    return ", ".join(
        f"{qi.column}={qi.hierarchy.level_names[level]}"
        for qi, level in zip(qis, node, strict=True)
    )


def release_k_anonymous(
    individuals: pd.DataFrame,
    *,
    k: int = DEFAULT_K,
    l_diversity: int | None = None,
    sensitive: str = SENSITIVE_ATTRIBUTE,
    quasi_identifiers: Sequence[QuasiIdentifier] | None = None,
    max_suppression: float = DEFAULT_MAX_SUPPRESSION,
    suppression: Literal["mask", "remove"] = "mask",
) -> KAnonymousRelease:
    """Generalise and locally suppress `individuals` (one row per person) to k-anonymity.

    Suppressed records keep their other columns with every quasi-identifier set to `SUPPRESSED`
    when that pooled class itself passes k (and l); otherwise, or with `suppression="remove"`,
    they are left out. Raises `ReleaseRefused` when no generalisation meets the model within
    `max_suppression`, or when the independent verification of the result fails.
    """
    started = time.perf_counter()
    qis = tuple(quasi_identifiers or default_quasi_identifiers())
    qi_columns = tuple(qi.column for qi in qis)
    _check_arguments(
        individuals,
        k=k,
        l_diversity=l_diversity,
        sensitive=sensitive,
        qi_columns=qi_columns,
        max_suppression=max_suppression,
    )
    n = len(individuals)
    frame = individuals.reset_index(drop=True)
    columns = [_prepare(frame, qi) for qi in qis]
    sensitive_codes: npt.NDArray[np.int64] | None = None
    sensitive_cardinality = 1
    if l_diversity is not None:
        codes, uniques = pd.factorize(frame[sensitive].astype("string").fillna(SUPPRESSED))
        sensitive_codes, sensitive_cardinality = codes.astype(np.int64), len(uniques)

    allowed = math.floor(max_suppression * n)
    lattice = list(itertools.product(*(qi.levels for qi in qis)))
    # Most general first, so a failure prunes every node beneath it before it is visited.
    lattice.sort(key=sum, reverse=True)
    failed: list[Node] = []
    feasible: list[_Evaluation] = []
    top: _Evaluation | None = None
    for node in lattice:
        if any(_below(node, bad) for bad in failed):
            continue
        evaluation = _evaluate(
            node,
            columns=columns,
            k=k,
            l_value=l_diversity,
            sensitive_codes=sensitive_codes,
            sensitive_cardinality=sensitive_cardinality,
        )
        top = top or evaluation
        if evaluation.suppressed <= allowed:
            feasible.append(evaluation)
        else:
            failed.append(node)
    evaluated = len(feasible) + len(failed)
    model = f"k={k}" + (f", l={l_diversity}" if l_diversity is not None else "")
    if not feasible:
        assert top is not None  # noqa: S101  # the lattice always holds the most general node
        raise ReleaseRefused(
            f"cannot reach {model} with at most {max_suppression:.0%} suppression: best found "
            f"suppresses {top.suppressed} of {n} records ({top.suppressed / n:.1%}) at the most "
            f"general level ({_describe(top.node, qis)})"
        )
    # Least loss wins; ties go to the less generalised node, then to fewer suppressions.
    best = min(feasible, key=lambda e: (round(e.loss, 12), sum(e.node), e.suppressed))

    released = frame.copy()
    for qi, column, level in zip(qis, columns, best.node, strict=True):
        released[qi.column] = column.labels[level].to_numpy()
    outliers = best.outliers
    removed = 0
    if best.suppressed:
        released.loc[outliers, list(qi_columns)] = SUPPRESSED
        pooled = (released[list(qi_columns)] == SUPPRESSED).all(axis=1)
        pooled_ok = int(pooled.sum()) >= k and (
            l_diversity is None
            or released.loc[pooled, sensitive].astype("string").fillna(SUPPRESSED).nunique()
            >= l_diversity
        )
        if suppression == "remove" or not pooled_ok:
            released = released.loc[~outliers].reset_index(drop=True)
            removed = best.suppressed

    k_achieved = verify_k_anonymity(released, qi_columns, k)
    l_achieved = (
        verify_l_diversity(released, qi_columns, sensitive, l_diversity)
        if l_diversity is not None
        else None
    )
    return KAnonymousRelease(
        data=released,
        quasi_identifiers=qi_columns,
        k_requested=k,
        k_achieved=k_achieved,
        l_requested=l_diversity,
        l_achieved=l_achieved,
        sensitive=sensitive if l_diversity is not None else None,
        rows_input=n,
        rows_suppressed=best.suppressed,
        rows_removed=removed,
        max_suppression=max_suppression,
        levels={qi.column: level for qi, level in zip(qis, best.node, strict=True)},
        level_names={
            qi.column: qi.hierarchy.level_names[level]
            for qi, level in zip(qis, best.node, strict=True)
        },
        information_loss=best.loss,
        discernibility=best.discernibility,
        nodes_in_lattice=len(lattice),
        nodes_evaluated=evaluated,
        seconds=time.perf_counter() - started,
    )


def _check_arguments(
    individuals: pd.DataFrame,
    *,
    k: int,
    l_diversity: int | None,
    sensitive: str,
    qi_columns: Sequence[str],
    max_suppression: float,
) -> None:
    if k < 2:
        msg = f"k must be at least 2, got {k}"
        raise ValueError(msg)
    if l_diversity is not None and l_diversity < 1:
        msg = f"l must be at least 1, got {l_diversity}"
        raise ValueError(msg)
    if not 0 <= max_suppression < 1:
        msg = f"the suppression limit must be in [0, 1), got {max_suppression}"
        raise ValueError(msg)
    required = [*qi_columns, *([sensitive] if l_diversity is not None else [])]
    missing = [column for column in required if column not in individuals.columns]
    if missing:
        msg = f"the input lacks the columns {', '.join(missing)}"
        raise ValueError(msg)
    if sensitive in qi_columns:
        msg = f"{sensitive} cannot be both sensitive and a quasi-identifier"
        raise ValueError(msg)
    if len(individuals) < k:
        raise ReleaseRefused(
            f"cannot reach k={k}: the input holds only {len(individuals)} individuals"
        )


def verify_k_anonymity(data: pd.DataFrame, quasi_identifiers: Sequence[str], k: int) -> int:
    """The smallest equivalence class of the released frame; raises `ReleaseRefused` below k.

    Deliberately plain pandas, sharing nothing with the search, so a bug there cannot hide here.
    """
    if data.empty:
        raise ReleaseRefused("the release is empty")
    sizes = data.groupby(list(quasi_identifiers), dropna=False, observed=True).size()
    smallest = int(sizes.min())
    if smallest < k:
        raise ReleaseRefused(
            f"verification failed: an equivalence class has {smallest} records, fewer than k={k}"
        )
    return smallest


def verify_l_diversity(
    data: pd.DataFrame, quasi_identifiers: Sequence[str], sensitive: str, l_value: int
) -> int:
    """The fewest distinct sensitive values in any class (distinct l-diversity, missing values
    counted as one value); raises `ReleaseRefused` below l."""
    if data.empty:
        raise ReleaseRefused("the release is empty")
    values = data[sensitive].astype("string").fillna(SUPPRESSED)
    distinct = values.groupby(
        [data[column] for column in quasi_identifiers], dropna=False, observed=True
    ).nunique()
    fewest = int(distinct.min())
    if fewest < l_value:
        raise ReleaseRefused(
            f"verification failed: an equivalence class has {fewest} distinct {sensitive} "
            f"values, fewer than l={l_value}"
        )
    return fewest
