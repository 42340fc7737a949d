"""Differentially private marginal tables of the report variables, with OpenDP.

Privacy unit: one individual. The input holds one row per individual, so under the add/remove
neighbouring relation (OpenDP's symmetric distance 1) a person changes exactly one cell of any
table of counts by one: the contribution bound is 1 per table and the L1 sensitivity is 1.

The released tables are not measured one by one. Each connected group of requested tables (tables
sharing a variable) whose joint domain is small is measured once as its full cross-tabulation,
sex x age group x exploitation type for the report, and every released table of the group is a
sum of that one noisy table: a person still counts in one cell, so the group costs one share of
epsilon instead of one per table, and the released tables add up to each other exactly. A table
with no small group (citizenship, country of exploitation) is measured alone.

Each measurement is an OpenDP chain `make_count_by_categories >> then_laplace` over a category
domain fixed in advance (reference lists and the stated reporting years, never the data), so an
empty cell is released with noise like any other. On integer counts OpenDP samples the discrete
Laplace (geometric) mechanism, which is pure epsilon-DP.

Accounting (pure epsilon-DP, delta 0, basic sequential composition): a small fixed share of
epsilon (`PLANNING_SHARE`) buys a noisy count of individuals; the rest is split between the
measurements by a rule that reads only that noisy count and the public domains, so each choice of
split is itself (epsilon - planning share)-DP and the whole release is epsilon-DP by adaptive
sequential composition. The split minimises the summed expected error of the cells that can
reach the utility threshold (`allocation_weights`). Clamping the measured cells to zero and summing
them into the released tables is post-processing and costs no privacy. Each epsilon in the ledger
is the one OpenDP's privacy map reports for its chain.
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
MECHANISM = (
    "discrete Laplace on counts over a public category domain "
    "(OpenDP make_count_by_categories >> then_laplace)"
)
# Share of epsilon spent on the noisy count of individuals that plans the split. The split barely
# moves when that count is 10% off, so a small share is enough.
PLANNING_SHARE = 0.02
# Cells with a true count of at least this many individuals are the ones the utility report (and
# the split) aim at: smaller cells are noise-dominated at any useful epsilon.
UTILITY_MIN_COUNT = 50
# A connected group of requested tables is measured as one joint table up to this many cells;
# beyond it the released cells would sum too many noisy cells.
JOINT_CELL_LIMIT = 1000

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
    measurement: Table  # the measured table this one is summed from
    cells_summed: int  # measured cells behind each released cell
    epsilon: float  # of the measurement (shared by every table summed from it)
    noise_scale: float  # of each measured cell

    @property
    def name(self) -> str:
        return table_name(self.variables)


@dataclass(frozen=True)
class LedgerEntry:
    """What a release spent, for the privacy budget ledger."""

    mechanism: str
    privacy_unit: str
    contribution_bound: int
    composition: str
    epsilon_planning: float
    planning_count: int | None  # the noisy count of individuals the split was planned from
    epsilon_per_measurement: dict[str, float]
    derived_from: dict[str, str]  # released table -> measurement
    epsilon_total: float
    delta: float
    library: str


@dataclass(frozen=True)
class DPRelease:
    tables: dict[str, DPTable]
    ledger: LedgerEntry
    years: tuple[int, ...]

    def privacy_statement(self) -> str:
        ledger = self.ledger
        per_measurement = "; ".join(
            f"{name}: {spent:.4f}" for name, spent in ledger.epsilon_per_measurement.items()
        )
        derived = "; ".join(
            f"{name} <- {source}" for name, source in ledger.derived_from.items() if name != source
        )
        planning = (
            f"a noisy count of individuals ({ledger.epsilon_planning:.4f}, "
            f"count {ledger.planning_count}) planned the split between the measurements; "
            if ledger.planning_count is not None
            else ""
        )
        return "\n".join(
            [
                (
                    f"Privacy model: pure epsilon-differential privacy, epsilon = "
                    f"{ledger.epsilon_total:.4f} in total (delta = 0), privacy unit one "
                    f"{ledger.privacy_unit} (add or remove one person)."
                ),
                (
                    f"Contribution bound: each individual counts once in each measured table "
                    f"({ledger.contribution_bound} cell per table, one row per individual)."
                ),
                f"Mechanism: {ledger.mechanism}; {ledger.library}.",
                (
                    f"Composition: {ledger.composition}; {planning}epsilon per measured table: "
                    f"{per_measurement}."
                ),
                (
                    "Released tables summed from a measured table (post-processing, no further "
                    f"privacy cost): {derived or 'none'}."
                ),
                (
                    "Every cell of the public category domain is released, empty or not; "
                    "negative noisy counts of the measured cells are set to 0 before the sums "
                    "(post-processing), so tables summed from one measurement add up exactly."
                ),
            ]
        )


def table_name(variables: Table) -> str:
    return " x ".join(variables)


def _cells(table: Table, domains: Mapping[str, Sequence[str]]) -> int:
    return math.prod(len(domains[name]) for name in table)


def measurement_plan(
    tables: Sequence[Table], domains: Mapping[str, Sequence[str]]
) -> tuple[Table, ...]:
    """The tables to measure so that every requested table is a sum of one of them.

    Requested tables that share a variable form a group. A group whose joint domain has at most
    `JOINT_CELL_LIMIT` cells is measured once as its full cross-tabulation (variables in order of
    first request); a larger group measures each of its requested tables not contained in
    another one.
    """
    order: dict[str, int] = {}
    for table in tables:
        for name in table:
            order.setdefault(name, len(order))
    parent = {name: name for name in order}

    def root(name: str) -> str:
        while parent[name] != name:
            parent[name] = parent[parent[name]]
            name = parent[name]
        return name

    for table in tables:
        for name in table[1:]:
            parent[root(name)] = root(table[0])
    groups: dict[str, list[str]] = {}
    for name in order:
        groups.setdefault(root(name), []).append(name)

    plan: list[Table] = []
    for members in groups.values():
        joint = tuple(members)
        if _cells(joint, domains) <= JOINT_CELL_LIMIT:
            plan.append(joint)
            continue
        in_group = [table for table in dict.fromkeys(tables) if table[0] in members]
        plan.extend(
            table for table in in_group if not any(set(table) < set(other) for other in in_group)
        )
    return tuple(plan)


def source_of(table: Table, plan: Sequence[Table], domains: Mapping[str, Sequence[str]]) -> Table:
    """The smallest measured table holding every variable of `table`."""
    holding = [measured for measured in plan if set(table) <= set(measured)]
    return min(holding, key=lambda measured: _cells(measured, domains))


def allocation_weights(
    tables: Sequence[Table],
    plan: Sequence[Table],
    domains: Mapping[str, Sequence[str]],
    *,
    expected_individuals: float,
    min_count: int = UTILITY_MIN_COUNT,
) -> dict[Table, float]:
    """Weights that split epsilon between the measurements, from public facts and a count.

    A released cell summed from k measured cells with noise scale 1/epsilon_m has a standard
    deviation proportional to sqrt(k) / epsilon_m. A released table with K cells can hold at
    most min(K, n / min_count) cells of `min_count` individuals or more (n individuals in all).
    Minimising the summed standard deviation of those cells, sum over m of W_m / epsilon_m with
    W_m = sum over the tables summed from m of min(K, n / min_count) * sqrt(k), under a fixed
    total epsilon gives epsilon_m proportional to sqrt(W_m) (Lagrange). The cap keeps a
    250-country table from taking the budget when only a few dozen countries can reach the
    threshold; with many individuals it lifts and every cell counts.
    """
    potential = max(1.0, expected_individuals / min_count)
    load = dict.fromkeys(plan, 0.0)
    for table in tables:
        measured = source_of(table, plan, domains)
        cells = _cells(table, domains)
        summed = _cells(measured, domains) // cells
        load[measured] += min(cells, potential) * math.sqrt(summed)
    return {measured: math.sqrt(weight) for measured, weight in load.items()}


def _cell_keys(variables: pd.DataFrame, table: Table) -> list[str]:
    first, *rest = table
    if not rest:
        return variables[first].tolist()  # type: ignore[no-any-return]  # pandas is untyped here
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


def _spent(measurement: dp.Measurement, budget: float, what: str) -> float:
    spent = float(measurement.map(1))  # type: ignore[no-untyped-call]  # opendp leaves map unannotated
    if spent > budget * (1 + 1e-9):
        msg = f"OpenDP maps {what} to epsilon {spent}, above its share {budget}"
        raise RuntimeError(msg)
    return spent


def _planning_count(variables: pd.DataFrame, budget: float) -> tuple[int, float]:
    """A noisy count of the individuals in the release, for planning the split only."""
    count = dp.t.make_count(dp.vector_domain(dp.atom_domain(T=str)), dp.symmetric_distance())
    measurement = cast("dp.Measurement", count >> dp.m.then_laplace(scale=1.0 / budget))
    spent = _spent(measurement, budget, "the planning count")
    return int(measurement(variables["year"].tolist())), spent


def _summed(
    counts: npt.NDArray[np.int64],
    measured: Table,
    table: Table,
    domains: Mapping[str, Sequence[str]],
) -> pd.DataFrame:
    """`table` as the sum of the measured joint `counts` over the variables it leaves out."""
    summed_over = tuple(i for i, name in enumerate(measured) if name not in table)
    kept = [name for name in measured if name in table]
    margin = np.transpose(counts.sum(axis=summed_over), [kept.index(name) for name in table])
    frame = pd.DataFrame(
        list(itertools.product(*(domains[name] for name in table))), columns=list(table)
    )
    frame["count"] = margin.reshape(-1).astype(np.int64)
    return frame


def release_dp_marginals(
    individuals: pd.DataFrame,
    *,
    epsilon: float,
    years: Sequence[int],
    tables: Sequence[Table] = DEFAULT_TABLES,
    weights: Mapping[Table, float] | None = None,
) -> DPRelease:
    """Noisy counts of `tables` over `individuals` (one row per person), spending `epsilon`.

    `years` is the public reporting period. `weights` shares epsilon between the measured tables
    (`measurement_plan`) as given, with no planning count; when omitted, `PLANNING_SHARE` of
    epsilon buys a noisy count of individuals and `allocation_weights` splits the rest.
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
    plan = measurement_plan(tables, domains)
    if weights is not None and set(weights) != set(plan):
        named = ", ".join(table_name(measured) for measured in plan)
        msg = f"weights must name exactly the measured tables: {named}"
        raise ValueError(msg)
    variables = report_variables(individuals, years)

    epsilon_planning = 0.0
    planning_count: int | None = None
    remaining = epsilon
    if weights is None:
        planning_budget = epsilon * PLANNING_SHARE
        planning_count, epsilon_planning = _planning_count(variables, planning_budget)
        remaining = epsilon - planning_budget
        weights = allocation_weights(tables, plan, domains, expected_individuals=planning_count)
    if any(weight <= 0 for weight in weights.values()):
        msg = "every measured table needs a positive weight"
        raise ValueError(msg)
    total_weight = sum(weights.values())

    measured_counts: dict[Table, npt.NDArray[np.int64]] = {}
    spent: dict[Table, float] = {}
    scales: dict[Table, float] = {}
    for measured in plan:
        budget = remaining * weights[measured] / total_weight
        cells = itertools.product(*(domains[name] for name in measured))
        categories = [CELL_SEPARATOR.join(cell) for cell in cells]
        # Sensitivity 1 (one cell per person), so Laplace scale 1/epsilon spends epsilon exactly.
        scales[measured] = 1.0 / budget
        measurement = _table_measurement(categories, scales[measured])
        spent[measured] = _spent(measurement, budget, f"table {table_name(measured)}")
        noisy = np.asarray(measurement(_cell_keys(variables, measured)), dtype=np.int64)
        # Clamping before the sums keeps every released table non-negative and consistent with
        # the others summed from the same measurement (post-processing).
        shape = tuple(len(domains[name]) for name in measured)
        measured_counts[measured] = np.maximum(noisy, 0).reshape(shape)

    released: dict[str, DPTable] = {}
    for table in tables:
        measured = source_of(table, plan, domains)
        dp_table = DPTable(
            variables=table,
            counts=_summed(measured_counts[measured], measured, table, domains),
            measurement=measured,
            cells_summed=_cells(measured, domains) // _cells(table, domains),
            epsilon=spent[measured],
            noise_scale=scales[measured],
        )
        released[dp_table.name] = dp_table

    ledger = LedgerEntry(
        mechanism=MECHANISM,
        privacy_unit="individual",
        contribution_bound=1,
        composition=(
            "basic sequential composition (epsilons add up); epsilon split between the "
            "measured tables "
            + (
                f"by the expected error of the cells that can reach {UTILITY_MIN_COUNT} individuals"
                if planning_count is not None
                else "by the weights given"
            )
        ),
        epsilon_planning=epsilon_planning,
        planning_count=planning_count,
        epsilon_per_measurement={table_name(m): spent[m] for m in plan},
        derived_from={name: table_name(t.measurement) for name, t in released.items()},
        epsilon_total=float(epsilon_planning + sum(spent.values())),
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
