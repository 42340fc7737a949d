"""Import N generated CTDC rows (default 1,000,000, k-anonymised global dataset layout) and
print rows per second and peak memory.

    .venv/bin/python bench/import.py [--n 1000000] [--format ctdc-kanon]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/safepassage_bench .venv/bin/python bench/import.py

The file is generated first (in a child process, so its memory is not counted) under
$SAFEPASSAGE_VAR_DIR/bench/ (default var/bench/) and reused when it exists. The database named
by DATABASE_URL (default: a fresh SQLite file there) is migrated and must hold no earlier bench
import. Target: at least 20,000 rows/s on PostgreSQL, with peak memory independent of N.

Besides wall time it prints the CPU seconds of this process and, when PostgreSQL runs on this
machine, of its server process for the import's connection: on a busy machine wall time
measures the load as much as the import, CPU time does not.
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from pgdb import ensure_database  # noqa: E402  # bench/ is the script's directory

BENCH = Path(os.environ.get("SAFEPASSAGE_VAR_DIR", ROOT / "var")) / "bench"


def setup_django(database_url: str) -> None:
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()


def generate(path: Path, n: int, fmt: str) -> None:
    setup_django("sqlite://:memory:")
    from safepassage.interop.tests.factories import write_file

    write_file(path, fmt, n, seed=2026)


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def client_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def server_cpu(pid: int | None) -> float | None:
    """CPU seconds of a local PostgreSQL server process (None when it is not on this host)."""
    if pid is None:
        return None
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    # utime and stime: fields 14 and 15 of proc(5), counted after the ")" of the name.
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def backend_pid() -> int | None:
    from django.db import connection

    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return int(cursor.fetchone()[0])


def cpu_line(
    seconds: float, client: float, server_started: float | None, server_ended: float | None
) -> str:
    line = f"CPU: client {client:,.1f} s ({client / seconds:.0%} of wall)"
    if server_started is not None and server_ended is not None:
        server = server_ended - server_started
        line += f", database server {server:,.1f} s ({server / seconds:.0%} of wall)"
    return line


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=1_000_000)
    parser.add_argument(
        "--format", default="ctdc-kanon", choices=["ctdc-kanon", "ctdc-synthetic", "ctdc-vp"]
    )
    parser.add_argument("--generate-only", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.generate_only:
        generate(args.generate_only, args.n, args.format)
        return

    BENCH.mkdir(parents=True, exist_ok=True)
    source = BENCH / f"{args.format}-{args.n}.csv"
    if not source.exists():
        print(f"generating {args.n:,} {args.format} rows into {source} ...")
        started = time.perf_counter()
        subprocess.run(  # noqa: S603  # our own script with our own arguments
            [
                sys.executable,
                __file__,
                "--n",
                str(args.n),
                "--format",
                args.format,
                "--generate-only",
                str(source),
            ],
            check=True,
        )
        print(
            f"  done in {time.perf_counter() - started:,.0f} s ({source.stat().st_size / 1e6:,.0f} MB)"
        )

    database_url = os.environ.get("DATABASE_URL", "")
    if not database_url:
        sqlite_file = BENCH / "import.sqlite3"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{sqlite_file}{suffix}").unlink(missing_ok=True)
        database_url = f"sqlite:///{sqlite_file}"
    ensure_database(database_url)
    setup_django(database_url)

    from django.core.management import call_command
    from django.db import connection

    from safepassage.cases.models import Case
    from safepassage.interop.importer import cases_import
    from safepassage.offices.models import Office
    from safepassage.reference.models import Country

    print(f"database: {connection.vendor} ({connection.settings_dict['NAME']})")
    call_command("migrate", verbosity=0)
    office, _ = Office.objects.get_or_create(
        code="BENCH-IMPORT",
        defaults={"name": "Import bench", "country": Country.objects.get(iso3="CHE")},
    )
    if Case.objects.filter(office=office).exists():
        print("an earlier bench import is present: use a fresh database")
        sys.exit(1)
    before = peak_mb()
    backend = backend_pid()
    server_started = server_cpu(backend)
    client_started = client_cpu()
    last = [time.perf_counter()]

    def progress(rows: int) -> None:
        now = time.perf_counter()
        if now - last[0] > 10:
            last[0] = now
            print(
                f"  {rows:>10,} rows  {rows / (now - started):>8,.0f} rows/s  peak RSS {peak_mb():,.0f} MB",
                flush=True,
            )

    started = time.perf_counter()
    result = cases_import(
        actor=None, path=source, format_key=args.format, office=office, progress=progress
    )
    seconds = time.perf_counter() - started
    assert result.committed and result.rows_imported == args.n, result.errors[:3]  # noqa: S101  # a bench, not a service
    print(
        f"imported {result.rows_imported:,} rows in {seconds:,.1f} s: {result.rows_imported / seconds:,.0f} rows/s"
    )
    print(f"peak RSS: {peak_mb():,.0f} MB (after Django setup: {before:,.0f} MB)")
    print(cpu_line(seconds, client_cpu() - client_started, server_started, server_cpu(backend)))


if __name__ == "__main__":
    main()
