"""Differentially private marginal tables of the report variables, with OpenDP.

Privacy unit: one individual. The input holds one row per individual, so under the add/remove
neighbouring relation (OpenDP's symmetric distance 1) a person changes exactly one cell of each
table by one: the contribution bound is 1 per table and the L1 sensitivity of a table is 1.

Each table is an OpenDP chain `make_count_by_categories >> then_laplace`: the counts over a
category domain fixed in advance (reference lists and the stated reporting years, never the data),
so an empty cell is released with noise like any other and the release does not reveal which
categories occur. On integer counts OpenDP samples the discrete Laplace (geometric) mechanism,
which is pure epsilon-DP. The total epsilon is split across tables by weight and adds up by basic
sequential composition. The default weight of a table is the square root of its number of cells:
a table's relative error grows with cells / epsilon (more cells, smaller counts, same noise), and
this split halves the mean relative error of the default tables against an equal split while
depending on the public domains only, never on the data; each table's epsilon in the ledger is the one
OpenDP's privacy map reports for that chain. Clamping negative counts to zero is post-processing
and costs no privacy.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from importlib.metadata import version
from typing import cast

import numpy as np
import numpy.typing as npt
import opendp.prelude as dp
import pandas as pd

from safepassage.reference.countries import all_countries
from safepassage.reference.regions import REGION_KEYS, region_of
from safepassage.research.hierarchies import age_group_of

UNKNOWN = "unknown"
UNKNOWN_COUNTRY = "UNK"
ADULT_AGE = 18
CELL_SEPARATOR = "\x1f"
MECHANISM = "discrete Laplace on counts over a public category domain (OpenDP make_count_by_categories >> then_laplace)"

SEXES = ("female", "male", "other", UNKNOWN)
AGE_GROUPS = ("child", "adult", UNKNOWN)
EXPLOITATION_TYPES = ("labour", "sexual", "sexual_and_labour", "begging", "other", UNKNOWN)
TRAFFICKING_TYPES = ("internal", "cross_border", UNKNOWN)

Table = tuple[str, ...]

# One-way tables for every report variable, plus the cross-tabulations the annual report prints
# (AVRR profile child/adult x sex, exploitation type by sex and by age group, region by year).
DEFAULT_TABLES: tuple[Table, ...] = (
    ("sex",),
    ("age_group",),
    ("citizenship",),
    ("country_of_exploitation",),
    ("exploitation_type",),
    ("trafficking_type",),
    ("region",),
    ("year",),
    ("age_group", "sex"),
    ("exploitation_type", "sex"),
    ("exploitation_type", "age_group"),
    ("region", "year"),
)


def public_domains(years: Sequence[int]) -> dict[str, tuple[str, ...]]:
    """Every category of every report variable, from reference lists and the stated years."""
    countries = (*sorted(country.iso3 for country in all_countries()), UNKNOWN_COUNTRY)
    return {
        "sex": SEXES,
        "age_group": AGE_GROUPS,
        "citizenship": countries,
        "country_of_exploitation": countries,
        "exploitation_type": EXPLOITATION_TYPES,
        "trafficking_type": TRAFFICKING_TYPES,
        "region": REGION_KEYS,
        "year": tuple(str(year) for year in sorted(set(years))),
    }


def report_variables(individuals: pd.DataFrame, years: Sequence[int]) -> pd.DataFrame:
    """The report variables of each individual, every value inside its public domain.

    Out-of-domain values become unknown record by record (a stable row-wise map, so it costs no
    privacy); individuals registered outside the stated years are left out of every table.
    """
    domains = public_domains(years)
    countries = set(domains["citizenship"])

    def within(column: str, allowed: set[str], fallback: str) -> pd.Series:
        values = individuals[column].astype("string").fillna(fallback)
        return values.where(values.isin(allowed), fallback).astype(str)

    citizenship = within("citizenship", countries, UNKNOWN_COUNTRY)
    exploitation = within("country_of_exploitation", countries, UNKNOWN_COUNTRY)
    known = (citizenship != UNKNOWN_COUNTRY) & (exploitation != UNKNOWN_COUNTRY)
    year = pd.to_numeric(individuals["year_of_registration"], errors="coerce")
    frame = pd.DataFrame(
        {
            "sex": within("sex", set(SEXES), UNKNOWN),
            # An age in years, or the band or majority status a source reported instead.
            "age_group": individuals["age"].map(age_group_of).astype(str),
            "citizenship": citizenship,
            "country_of_exploitation": exploitation,
            "exploitation_type": within("exploitation_type", set(EXPLOITATION_TYPES), UNKNOWN),
            "trafficking_type": np.select(
                [(known & (citizenship == exploitation)).to_numpy(), known.to_numpy()],
                ["internal", "cross_border"],
                UNKNOWN,
            ),
            "region": exploitation.map(region_of),
            "year": year.astype("Int64").astype("string").fillna(UNKNOWN).astype(str),
        },
        index=individuals.index,
    )
    return frame.loc[frame["year"].isin(set(domains["year"]))].reset_index(drop=True)


@dataclass(frozen=True)
class DPTable:
    variables: Table
    counts: pd.DataFrame  # one row per cell of the public domain: the variables, then `count`
    epsilon: float
    noise_scale: float

    @property
    def name(self) -> str:
        return " x ".join(self.variables)


@dataclass(frozen=True)
class LedgerEntry:
    """What a release spent, for the privacy budget ledger."""

    mechanism: str
    privacy_unit: str
    contribution_bound: int
    composition: str
    epsilon_per_table: dict[str, float]
    epsilon_total: float
    delta: float
    library: str


@dataclass(frozen=True)
class DPRelease:
    tables: dict[str, DPTable]
    ledger: LedgerEntry
    years: tuple[int, ...]

    def privacy_statement(self) -> str:
        per_table = "; ".join(
            f"{name}: {spent:.4f}" for name, spent in self.ledger.epsilon_per_table.items()
        )
        return "\n".join(
            [
                (
                    f"Privacy model: pure epsilon-differential privacy, epsilon = "
                    f"{self.ledger.epsilon_total:.4f} in total (delta = 0), privacy unit one "
                    f"{self.ledger.privacy_unit} (add or remove one person)."
                ),
                (
                    f"Contribution bound: each individual counts once in each table "
                    f"({self.ledger.contribution_bound} cell per table, one row per individual)."
                ),
                f"Mechanism: {self.ledger.mechanism}; {self.ledger.library}.",
                f"Composition: {self.ledger.composition}. Epsilon per table: {per_table}.",
                (
                    "Every cell of the public category domain is released, empty or not; "
                    "negative noisy counts are shown as 0 (post-processing)."
                ),
            ]
        )


def _cell_keys(variables: pd.DataFrame, table: Table) -> list[str]:
    first, *rest = table
    keys = variables[first].str.cat([variables[name] for name in rest], sep=CELL_SEPARATOR)
    return keys.tolist()  # type: ignore[no-any-return]  # pandas is untyped here


def _table_measurement(categories: list[str], scale: float) -> dp.Measurement:
    counts = dp.t.make_count_by_categories(
        dp.vector_domain(dp.atom_domain(T=str)),
        dp.symmetric_distance(),
        categories=categories,
        null_category=False,
    )
    return cast("dp.Measurement", counts >> dp.m.then_laplace(scale=scale))


def release_dp_marginals(
    individuals: pd.DataFrame,
    *,
    epsilon: float,
    years: Sequence[int],
    tables: Sequence[Table] = DEFAULT_TABLES,
    weights: Mapping[Table, float] | None = None,
) -> DPRelease:
    """Noisy counts of `tables` over `individuals` (one row per person), spending `epsilon`.

    `years` is the public reporting period; `weights` shares epsilon between tables (square root
    of the table's cell count when omitted).
    """
    if epsilon <= 0:
        msg = f"epsilon must be positive, got {epsilon}"
        raise ValueError(msg)
    if not tables:
        msg = "no tables requested"
        raise ValueError(msg)
    dp.enable_features("contrib")
    domains = public_domains(years)
    unknown = [name for table in tables for name in table if name not in domains]
    if unknown:
        msg = f"unknown report variables: {', '.join(sorted(set(unknown)))}"
        raise ValueError(msg)
    if weights is not None and set(weights) != set(tables):
        msg = "weights must name exactly the requested tables"
        raise ValueError(msg)
    sizes = {table: math.prod(len(domains[name]) for name in table) for table in tables}
    shares = {
        table: (weights[table] if weights is not None else math.sqrt(sizes[table]))
        for table in tables
    }
    if any(share <= 0 for share in shares.values()):
        msg = "every table needs a positive weight"
        raise ValueError(msg)
    total_weight = sum(shares.values())
    variables = report_variables(individuals, years)

    released: dict[str, DPTable] = {}
    for table in tables:
        budget = epsilon * shares[table] / total_weight
        cells = list(itertools.product(*(domains[name] for name in table)))
        categories = [CELL_SEPARATOR.join(cell) for cell in cells]
        # Sensitivity 1 (one cell per person), so Laplace scale 1/epsilon spends epsilon exactly.
        scale = 1.0 / budget
        measurement = _table_measurement(categories, scale)
        spent = float(measurement.map(1))  # type: ignore[no-untyped-call]  # opendp leaves map unannotated
        if spent > budget * (1 + 1e-9):
            msg = f"OpenDP maps table {table} to epsilon {spent}, above its share {budget}"
            raise RuntimeError(msg)
        noisy = np.maximum(np.asarray(measurement(_cell_keys(variables, table))), 0)
        counts = pd.DataFrame(cells, columns=list(table))
        counts["count"] = noisy.astype(np.int64)
        dp_table = DPTable(variables=table, counts=counts, epsilon=spent, noise_scale=scale)
        released[dp_table.name] = dp_table

    per_table = {name: table.epsilon for name, table in released.items()}
    ledger = LedgerEntry(
        mechanism=MECHANISM,
        privacy_unit="individual",
        contribution_bound=1,
        composition="basic sequential composition (epsilons add up); epsilon split by weight "
        + ("(square root of each table's cell count)" if weights is None else "(as given)"),
        epsilon_per_table=per_table,
        epsilon_total=float(sum(per_table.values())),
        delta=0.0,
        library=f"opendp {version('opendp')}",
    )
    return DPRelease(tables=released, ledger=ledger, years=tuple(sorted(set(years))))


@dataclass(frozen=True)
class TableUtility:
    name: str
    cells: int
    cells_compared: int
    mean_relative_error: float | None
    max_abs_error: int


@dataclass(frozen=True)
class UtilityReport:
    """Noisy against true counts; for the data owner's eyes only, never published."""

    min_count: int
    tables: tuple[TableUtility, ...]
    mean_relative_error: float | None
    max_abs_error: int
    cells_compared: int


def true_counts(individuals: pd.DataFrame, table: Table, years: Sequence[int]) -> pd.DataFrame:
    domains = public_domains(years)
    variables = report_variables(individuals, years)
    cells = pd.DataFrame(
        list(itertools.product(*(domains[name] for name in table))), columns=list(table)
    )
    observed = variables.groupby(list(table)).size().rename("count").reset_index()
    merged = cells.merge(observed, on=list(table), how="left")
    merged["count"] = merged["count"].fillna(0).astype(np.int64)
    return merged


def utility_report(
    release: DPRelease, individuals: pd.DataFrame, *, min_count: int = 50
) -> UtilityReport:
    """Mean relative error over cells with a true count of at least `min_count`, and the largest
    absolute error over all cells."""
    rows: list[TableUtility] = []
    relative: list[npt.NDArray[np.float64]] = []
    for name, table in release.tables.items():
        truth = true_counts(individuals, table.variables, release.years)
        merged = truth.merge(
            table.counts, on=list(table.variables), suffixes=("_true", "_noisy"), how="left"
        )
        true_values = merged["count_true"].to_numpy(dtype=np.int64)
        errors = np.abs(merged["count_noisy"].to_numpy(dtype=np.int64) - true_values)
        large = true_values >= min_count
        table_relative = errors[large] / true_values[large]
        relative.append(table_relative)
        rows.append(
            TableUtility(
                name=name,
                cells=len(merged),
                cells_compared=int(large.sum()),
                mean_relative_error=float(table_relative.mean()) if large.any() else None,
                max_abs_error=int(errors.max()),
            )
        )
    pooled = np.concatenate(relative)
    return UtilityReport(
        min_count=min_count,
        tables=tuple(rows),
        mean_relative_error=float(pooled.mean()) if len(pooled) else None,
        max_abs_error=max(row.max_abs_error for row in rows),
        cells_compared=len(pooled),
    )
