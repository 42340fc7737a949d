"""Research releases on 100,000 synthetic individuals (or a given CSV): k-anonymity at k=11 with
l-diversity on exploitation type, and differentially private marginals at epsilon=1.

Targets: at most 10% of records suppressed (CTDC's k=11 global dataset lost 38-40% of its rows),
l >= 2, and a mean relative error of at most 5% on cells with a true count of 50 or more. The DP
error depends on the draw, so the bench makes `--runs` releases (default 20) and prints the mean
and spread of the error over them, with the tables of the last one.

    .venv/bin/python bench/research.py [--n 100000] [--k 11] [--l 2] [--epsilon 1] [--runs 20]
        [--csv FILE]
    .venv/bin/python bench/research.py --from-db [--year-from Y] [--year-to Y]

`--from-db` reads the individuals of the configured database (every office; one row per
individual, the earliest registration, as `safepassage export_research` builds them) and runs
the same engine with the CTDC-layout quasi-identifiers (countries released or suppressed, no
region level), then again with the default hierarchies for comparison. Nothing is written.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from safepassage.research.dp import release_dp_marginals, utility_report
from safepassage.research.hierarchies import QuasiIdentifier
from safepassage.research.kanon import ReleaseRefused, release_k_anonymous
from safepassage.research.synthetic import synthetic_individuals

INPUT_COLUMNS = (
    "year_of_registration",
    "sex",
    "age",
    "citizenship",
    "country_of_exploitation",
    "exploitation_type",
)


def load_csv(path: Path) -> pd.DataFrame:
    frame = pd.read_csv(path, keep_default_na=False, na_values=[""])
    missing = [column for column in INPUT_COLUMNS if column not in frame.columns]
    if missing:
        sys.exit(f"{path}: missing columns {', '.join(missing)}")
    frame["age"] = pd.to_numeric(frame["age"], errors="coerce").astype("Int64")
    frame["year_of_registration"] = frame["year_of_registration"].astype("int64")
    for column in ("sex", "citizenship", "country_of_exploitation", "exploitation_type"):
        frame[column] = frame[column].astype(str)
    return frame


def load_db(
    year_from: int | None, year_to: int | None
) -> tuple[pd.DataFrame, tuple[QuasiIdentifier, ...]]:
    """The person-level input of the database (decrypted ages stay in this process)."""
    import os

    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    django.setup()
    from safepassage.access.policy import OfficeScope
    from safepassage.research import ctdc
    from safepassage.research.individuals import Source, research_individuals

    started = time.perf_counter()
    frame = research_individuals(
        Source(scope=OfficeScope(everything=True), year_from=year_from, year_to=year_to)
    )
    print(f"input built from the database in {time.perf_counter() - started:.2f} s")
    return frame.drop(columns=["case_id"]), ctdc.quasi_identifiers()


def kanon_section(
    individuals: pd.DataFrame,
    args: argparse.Namespace,
    quasi_identifiers: tuple[QuasiIdentifier, ...] | None,
) -> None:
    print(f"\n== k-anonymity, k={args.k}, l={args.l_value} on exploitation_type ==")
    try:
        release = release_k_anonymous(
            individuals,
            k=args.k,
            l_diversity=args.l_value,
            max_suppression=args.max_suppression,
            quasi_identifiers=quasi_identifiers,
        )
    except ReleaseRefused as refusal:
        print(f"refused: {refusal}")
    else:
        print(
            f"rows suppressed:   {release.rows_suppressed:,} ({release.suppressed_share:.2%}; "
            f"target <= 10%, CTDC k=11 lost 38-40%)"
        )
        print(f"rows released:     {release.rows_released:,} (removed {release.rows_removed:,})")
        print(f"k achieved:        {release.k_achieved}")
        print(f"l achieved:        {release.l_achieved} (target >= 2)")
        print("generalisation:    " + ", ".join(f"{c}={n}" for c, n in release.level_names.items()))
        print(f"information loss:  NCP {release.information_loss:.4f}")
        print(f"discernibility:    {release.discernibility:,}")
        print(
            f"lattice:           {release.nodes_evaluated} of {release.nodes_in_lattice} "
            "nodes evaluated"
        )
        print(f"time:              {release.seconds:.2f} s")
        print("\n" + release.privacy_statement())
    if quasi_identifiers is not None:
        try:
            regional = release_k_anonymous(
                individuals,
                k=args.k,
                l_diversity=args.l_value,
                max_suppression=args.max_suppression,
            )
        except ReleaseRefused as refusal:
            print(f"\nwith region levels (not CTDC layout): refused: {refusal}")
        else:
            print(
                f"\nwith region levels (not CTDC layout): suppressed {regional.rows_suppressed:,} "
                f"({regional.suppressed_share:.2%}), l {regional.l_achieved}, "
                f"NCP {regional.information_loss:.4f}, "
                + ", ".join(f"{c}={n}" for c, n in regional.level_names.items())
            )


def dp_section(individuals: pd.DataFrame, args: argparse.Namespace) -> None:
    print(f"\n== differential privacy, epsilon={args.epsilon}, {args.runs} releases ==")
    years = range(
        int(individuals["year_of_registration"].min()),
        int(individuals["year_of_registration"].max()) + 1,
    )
    # The bench reads the period off the data for convenience; a real release states it.
    errors: list[float] = []
    seconds: list[float] = []
    for _ in range(args.runs):
        started = time.perf_counter()
        dp_release = release_dp_marginals(individuals, epsilon=args.epsilon, years=years)
        seconds.append(time.perf_counter() - started)
        report = utility_report(dp_release, individuals, min_count=50)
        if report.mean_relative_error is not None:
            errors.append(report.mean_relative_error)
    # The tables of the last release, as an example of one draw.
    ledger = dp_release.ledger
    print("last release, per released table (eps: of the measured table it is summed from):")
    for table in report.tables:
        mre = "-" if table.mean_relative_error is None else f"{table.mean_relative_error:.2%}"
        source = dp_release.tables[table.name]
        print(
            f"  {table.name:32} <- {ledger.derived_from[table.name]:40} "
            f"eps {source.epsilon:.4f}  sums {source.cells_summed:3}  cells {table.cells:5}  "
            f">=50: {table.cells_compared:4}  MRE {mre:>7}  max|err| {table.max_abs_error}"
        )
    print(
        f"planning count: {ledger.planning_count} (eps {ledger.epsilon_planning:.4f}; "
        f"true {len(individuals):,})"
    )
    print(f"epsilon spent: {ledger.epsilon_total:.6f}")
    if errors:
        values = np.array(errors)
        spread = values.std(ddof=1) if len(values) > 1 else 0.0
        print(
            f"mean relative error (cells >= 50, {report.cells_compared} cells) over "
            f"{len(values)} releases: mean {values.mean():.2%}, sd {spread:.2%}, "
            f"min {values.min():.2%}, median {np.median(values):.2%}, max {values.max():.2%}; "
            f"{(values > 0.05).mean():.0%} of releases above 5% (target: mean <= 5%)"
        )
    print(f"max absolute error (all cells, last release): {report.max_abs_error}")
    print(f"time per release: {np.mean(seconds):.2f} s")
    print("\n" + dp_release.privacy_statement())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=100_000, help="synthetic individuals")
    parser.add_argument("--seed", type=int, default=20111231)
    parser.add_argument("--k", type=int, default=11)
    parser.add_argument("--l", type=int, default=2, dest="l_value")
    parser.add_argument("--max-suppression", type=float, default=0.10)
    parser.add_argument("--epsilon", type=float, default=1.0)
    parser.add_argument(
        "--runs", type=int, default=20, help="DP releases to draw (the error varies by draw)"
    )
    parser.add_argument("--csv", type=Path, help="individuals CSV with the input columns")
    parser.add_argument("--from-db", action="store_true", help="the database's individuals")
    parser.add_argument("--year-from", type=int, default=None)
    parser.add_argument("--year-to", type=int, default=None)
    args = parser.parse_args()

    quasi_identifiers = None
    if args.from_db:
        individuals, quasi_identifiers = load_db(args.year_from, args.year_to)
        source = "database, every office"
        if individuals.empty:
            sys.exit("the database holds no registered case in that period")
    elif args.csv:
        individuals = load_csv(args.csv)
        source = str(args.csv)
    else:
        individuals = synthetic_individuals(args.n, seed=args.seed)
        source = f"synthetic, seed {args.seed}"
    print(f"input: {len(individuals):,} individuals ({source})")

    kanon_section(individuals, args, quasi_identifiers)

    dp_section(individuals, args)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
