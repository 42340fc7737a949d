"""Retention on a seeded database: how long `apply_retention` takes, and proof that the reports
and the individuals counted are the same before, after, and after a full rebuild of the
reporting table.

Run it on a copy of a database seeded with `safepassage seed_demo` (it anonymises data):

    SAFEPASSAGE_VAR_DIR=/tmp/bench-var DATABASE_URL=sqlite:////tmp/bench-var/demo.sqlite3 \\
        .venv/bin/python bench/retention.py --today 2030-01-01

Prints the persons anonymised, wall and CPU time of the run and of the checks, and whether
every report figure of every year with cases is unchanged (exit status 1 when not).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import resource
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--today", required=True, help="evaluate periods as on YYYY-MM-DD")
    parser.add_argument("--batch", type=int, default=100)
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from safepassage.retention.services import retention_apply
    from safepassage.stats.models import CaseFact
    from safepassage.stats.selectors import StatsFilters, indicator_report
    from safepassage.stats.services import case_fact_rebuild

    years = sorted(set(CaseFact.objects.values_list("year", flat=True)))

    def snapshot() -> tuple[str, int]:
        reports = {
            year: indicator_report(viewer=None, filters=StatsFilters(year=year)) for year in years
        }
        text = json.dumps(reports, sort_keys=True, default=str)
        return text, CaseFact.objects.values("individual_id").distinct().count()

    before, individuals = snapshot()
    wall, cpu = time.perf_counter(), cpu_seconds()
    summary = retention_apply(today=dt.date.fromisoformat(args.today), batch=args.batch)
    wall, cpu = time.perf_counter() - wall, cpu_seconds() - cpu
    after, individuals_after = snapshot()
    rebuild_wall = time.perf_counter()
    rebuilt_rows = case_fact_rebuild()
    rebuild_wall = time.perf_counter() - rebuild_wall
    rebuilt, individuals_rebuilt = snapshot()
    result: dict[str, Any] = {
        "years": years,
        "expired_cases": summary.expired_cases,
        "persons_anonymised": summary.anonymised,
        "cases_anonymised": summary.cases_anonymised,
        "kept_for_other_cases": summary.kept_for_other_cases,
        "wall_seconds": round(wall, 2),
        "cpu_seconds": round(cpu, 2),
        "ms_per_person_wall": round(1000 * wall / max(summary.anonymised, 1), 1),
        "rebuild_rows": rebuilt_rows,
        "rebuild_wall_seconds": round(rebuild_wall, 2),
        "individuals": [individuals, individuals_after, individuals_rebuilt],
        "reports_unchanged": before == after == rebuilt,
        "load_average": os.getloadavg(),
    }
    print(json.dumps(result, indent=2))
    unchanged = result["reports_unchanged"] and individuals == individuals_after
    return 0 if unchanged and individuals == individuals_rebuilt else 1


if __name__ == "__main__":
    raise SystemExit(main())
