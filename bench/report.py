"""The annual report on N synthetic cases: the app's indicator engine against DuckDB.

Generates N cases (default 1,000,000) with their persons and fact rows in the database named by
DATABASE_URL (default: a fresh SQLite file under var/bench/), then in one run times

- the app: the full report (global, every region, the previous year) as JSON, from the database;
- DuckDB: the same figures from a CSV export of the same fact rows, reading the file included
  (and, for reference, the queries alone on the loaded table),

checks that both give the same numbers, and prints both times and the ratio.
Target: app <= 2 x DuckDB and under 5 s.

    .venv/bin/python bench/report.py [--n 1000000] [--year 2025] [--reuse]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/safepassage_bench .venv/bin/python bench/report.py

Cases are spread over the report year (60%) and the year before (40%), so the report reads
every row. Each case has a person (encrypted fields included) and a fact row computed with the
definitions of `safepassage.stats.definitions` from the generated values (`synthetic.py`, shared
with the load bench); screenings and services are not stored (the engine reads only fact rows).
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from pgdb import ensure_database  # noqa: E402  # bench/ is the script's directory
from synthetic import REINTEGRATION, generate  # noqa: E402  # bench/ is the script's directory


def setup_django(database_url: str) -> None:
    ensure_database(database_url)
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()


FACT_COLUMNS = (
    "case_id", "office_id", "individual_id", "year", "region", "category", "nationality",
    "destination", "exploitation", "sex", "age_group", "trafficking", "returned", "reint_any",
    *(f"reint_{k}" for k in REINTEGRATION),
)  # fmt: skip


def export_csv(path: Path) -> int:
    """The same rows the app reads, as a CSV export (what an analyst would give DuckDB)."""
    from safepassage.stats.models import CaseFact

    rows = 0
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(FACT_COLUMNS)
        for row in CaseFact.objects.values_list(*FACT_COLUMNS).order_by().iterator(50_000):
            writer.writerow([int(v) if isinstance(v, bool) else v for v in row])
            rows += 1
    return rows


def duckdb_figures(con: Any, year: int) -> dict[str, Any]:
    """The same figures in DuckDB SQL, written independently of the app's engine."""
    from safepassage.stats import definitions as d

    years = f"year IN ({year}, {year - 1})"
    out: dict[str, Any] = {}
    fixed = {
        "by_exploitation_type": ("exploitation", d.EXPLOITATION_KEYS),
        "by_sex": ("sex", d.SEX_KEYS),
        "by_age_group": ("age_group", d.AGE_KEYS),
        "by_trafficking_type": ("trafficking", d.TRAFFICKING_KEYS),
    }
    out["region_counts"] = con.execute(
        f"SELECT year, region, count(*), count(DISTINCT individual_id) FROM facts WHERE {years} GROUP BY ALL"  # noqa: S608  # constant SQL
    ).fetchall()
    out["individuals"] = con.execute(
        f"SELECT year, count(DISTINCT individual_id) FROM facts WHERE {years} GROUP BY ALL"  # noqa: S608
    ).fetchall()
    for block, (column, _keys) in fixed.items():
        out[block] = con.execute(
            f"SELECT year, region, {column}, count(*) FROM facts WHERE {years} GROUP BY ALL"  # noqa: S608
        ).fetchall()
    for block, column in (
        ("by_citizenship", "nationality"),
        ("by_country_of_exploitation", "destination"),
    ):
        out[block] = con.execute(
            f"SELECT year, region, {column}, count(*) FROM facts WHERE {years} GROUP BY ALL"  # noqa: S608
        ).fetchall()
    sums = ", ".join(f"sum(reint_{k}::INT)" for k in REINTEGRATION)
    out["reint"] = con.execute(
        f"SELECT year, region, count(*), {sums} FROM facts WHERE {years} AND returned AND reint_any GROUP BY ALL"  # noqa: S608
    ).fetchall()
    out["avrr"] = con.execute(
        f"SELECT year, region, age_group, sex, count(*) FROM facts WHERE {years} AND returned GROUP BY ALL"  # noqa: S608
    ).fetchall()
    return out


def check_same(app: dict[str, Any], duck: dict[str, Any], year: int) -> list[str]:  # noqa: PLR0912  # one flat comparison per figure reads best
    """Every DuckDB count must equal the app's figure."""
    problems: list[str] = []

    def block(y: int, region: str | None) -> dict[str, Any]:
        top = app if y == year else app["previous_year"]
        if region is None:
            return top
        return app["regions"][region] if y == year else None  # type: ignore[return-value]  # previous year has no region blocks

    def expect(label: str, got: int, want: int) -> None:
        if got != want:
            problems.append(f"{label}: app {got}, duckdb {want}")

    for y, region, n, individuals in duck["region_counts"]:
        target = app if y == year else app["previous_year"]
        expect(f"{y} {region} instances", target["by_region"][region], n)
        if y == year:
            expect(f"{y} {region} individuals", app["regions"][region]["individuals"], individuals)
    for y, n in duck["individuals"]:
        expect(f"{y} individuals", block(y, None)["individuals"], n)
    for name in ("by_exploitation_type", "by_sex", "by_age_group", "by_trafficking_type"):
        totals: dict[tuple[int, str], int] = {}
        for y, region, key, n in duck[name]:
            totals[(y, key)] = totals.get((y, key), 0) + n
            if y == year:
                expect(f"{y} {region} {name}.{key}", app["regions"][region][name][key], n)
        for (y, key), n in totals.items():
            expect(f"{y} {name}.{key}", block(y, None)[name][key], n)
    for name in ("by_citizenship", "by_country_of_exploitation"):
        totals = {}
        for y, region, key, n in duck[name]:
            totals[(y, key)] = totals.get((y, key), 0) + n
            if y == year:
                expect(f"{y} {region} {name}.{key}", app["regions"][region][name][key], n)
        for (y, key), n in totals.items():
            expect(f"{y} {name}.{key}", block(y, None)[name][key], n)
    for y, region, n, *types in duck["reint"]:
        if y == year:
            reint = app["regions"][region]["reintegration_assistance"]
            expect(f"{y} {region} reintegration", reint["beneficiaries"], n)
            for key, count in zip(REINTEGRATION, types, strict=True):
                expect(f"{y} {region} reintegration.{key}", reint[key], int(count))
    for y, region, age, sex, n in duck["avrr"]:
        if y == year and age in ("child", "adult") and sex in ("female", "male"):
            expect(
                f"{y} {region} avrr.{age}_{sex}",
                app["regions"][region]["avrr_profile"][f"{age}_{sex}"],
                n,
            )
    return problems


def main() -> int:  # noqa: PLR0915  # a linear benchmark script
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=1_000_000)
    parser.add_argument("--year", type=int, default=2025)
    parser.add_argument("--reuse", action="store_true", help="keep the cases already generated")
    args = parser.parse_args()

    database_url = os.environ.get("DATABASE_URL", "")
    sqlite_file = ROOT / "var" / "bench" / "report.sqlite3"
    if not database_url:
        sqlite_file.parent.mkdir(parents=True, exist_ok=True)
        if not args.reuse:
            for suffix in ("", "-wal", "-shm"):
                Path(f"{sqlite_file}{suffix}").unlink(missing_ok=True)
        database_url = f"sqlite:///{sqlite_file}"
    setup_django(database_url)

    import duckdb
    from django.core.management import call_command
    from django.db import connection

    from safepassage.stats.models import CaseFact
    from safepassage.stats.selectors import StatsFilters, indicator_report

    print(f"database: {connection.vendor} ({connection.settings_dict['NAME']})")
    call_command("migrate", verbosity=0)
    if not args.reuse:
        if connection.vendor != "sqlite":
            call_command("flush", interactive=False, verbosity=0)
            call_command("migrate", verbosity=0)
        print(f"generating {args.n:,} synthetic cases ...")
        started = time.perf_counter()
        generate(args.n, args.year)
        print(f"  done in {time.perf_counter() - started:,.0f} s")
    # A freshly bulk-loaded table is not the steady state the app runs in: autovacuum sets the
    # visibility map (which index-only scans need) and refreshes statistics within a minute or
    # two of a load. Do the same here before timing anything.
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
    rows = CaseFact.objects.count()
    print(f"fact rows: {rows:,}")

    with tempfile.TemporaryDirectory() as tmp:
        export = Path(tmp) / "case_facts.csv"
        exported = export_csv(export)
        print(f"exported {exported:,} rows to CSV ({export.stat().st_size / 1e6:,.0f} MB)")

        filters = StatsFilters(year=args.year)
        indicator_report(viewer=None, filters=filters)  # warm the connection and caches
        started = time.perf_counter()
        app = indicator_report(viewer=None, filters=filters)
        payload = json.dumps(app)
        app_seconds = time.perf_counter() - started

        started = time.perf_counter()
        con = duckdb.connect()
        con.execute(f"CREATE TABLE facts AS SELECT * FROM read_csv_auto('{export}')")  # noqa: S608  # our temp file path
        loaded = time.perf_counter()
        duck = duckdb_figures(con, args.year)
        duck_seconds = time.perf_counter() - started
        duck_query_seconds = time.perf_counter() - loaded

    problems = check_same(app, duck, args.year)
    print(
        f"report JSON: {len(payload) / 1e3:,.0f} kB, {app['instances']:,} instances in {args.year}"
    )
    print(f"app (database {connection.vendor}): {app_seconds:.3f} s")
    print(f"duckdb (read CSV + figures):  {duck_seconds:.3f} s")
    print(f"duckdb (figures only, loaded): {duck_query_seconds:.3f} s")
    print(f"ratio app / duckdb:            {app_seconds / duck_seconds:.2f}")
    print(f"ratio app / duckdb queries:    {app_seconds / duck_query_seconds:.2f}")
    if problems:
        print(f"MISMATCH ({len(problems)}):", *problems[:20], sep="\n  ")
        return 1
    print("figures: identical")
    target = app_seconds <= 5 and app_seconds / duck_seconds <= 2
    print(f"target (app <= 5 s and ratio <= 2): {'met' if target else 'NOT met'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
