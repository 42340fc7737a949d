"""A worker killed in the middle of an import: `safepassage import_cases` runs as a process of
its own against a file database (SQLite) or the test database (PostgreSQL), is sent SIGKILL
once batches were validated and written, and is run again. The import is one transaction, so
the killed run leaves nothing (no cases, no import batch) and the re-run imports every row
exactly once (a later run of the same file finds them present: test_import.py)."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from django.db import DEFAULT_DB_ALIAS, connection, connections

from safepassage.conftest import World
from safepassage.interop.tests.factories import write_file

pytestmark = pytest.mark.django_db(transaction=True)

# Sixteen batches. Validation runs up to three batches ahead of the writer and progress is
# reported after each batch written, so the first report comes at one to four batches read,
# with at least twelve still to write when the kill arrives.
ROWS = 4_000
BATCH = 250
KILL_AFTER_ROWS = BATCH
ROOT = Path(__file__).resolve().parents[3]


class FileDatabase:
    """The database the commands run against, read from the test with plain SQL."""

    def __init__(self, tmp_path: Path) -> None:
        own = connections[DEFAULT_DB_ALIAS]
        self.path: Path | None = None
        if own.vendor == "sqlite":
            # The migrated in-memory test database (with the world committed), as a file.
            self.path = tmp_path / "import.sqlite3"
            target = sqlite3.connect(self.path)
            own.ensure_connection()
            own.connection.backup(target)
            target.close()
            self.url = f"sqlite:///{self.path}"
        else:
            settings = own.settings_dict
            self.url = (
                f"postgres://{settings['USER']}:{settings['PASSWORD'] or ''}@{settings['HOST']}:"
                f"{settings['PORT'] or 5432}/{settings['NAME']}"
            )

    def scalar(self, sql: str) -> Any:
        if self.path is not None:
            with sqlite3.connect(self.path) as db:
                return db.execute(sql).fetchone()[0]
        with connection.cursor() as cursor:
            cursor.execute(sql)
            return cursor.fetchone()[0]

    def command(self, *args: str) -> list[str]:
        return [sys.executable, "-m", "safepassage", *args]

    def env(self) -> dict[str, str]:
        return {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings_test",
            "DATABASE_URL": self.url,
            "PYTHONUNBUFFERED": "1",
        }


def _kill_after_progress(process: subprocess.Popen[str], rows: int) -> int:
    """Reads the command's progress lines ("12,345 rows ...") and kills it once `rows` rows
    were validated and handed to the writer; returns the last count seen."""
    assert process.stderr is not None
    seen = 0
    deadline = time.monotonic() + 120
    for line in process.stderr:
        parts = line.split()
        if len(parts) >= 2 and parts[1] == "rows":
            seen = int(parts[0].replace(",", ""))
            if seen >= rows:
                process.send_signal(signal.SIGKILL)
                break
        assert time.monotonic() < deadline, "the import never reported progress"
    process.wait(timeout=30)
    return seen


def test_import_killed_mid_run_leaves_nothing_and_the_rerun_imports_every_row_once(
    world: World, tmp_path: Path
) -> None:
    # given a file of 4,000 rows and the database the command will use
    source = write_file(tmp_path / "cases.csv", "ctdc-synthetic", ROWS)
    db = FileDatabase(tmp_path)
    args = (
        "import_cases",
        str(source),
        "--format",
        "ctdc-synthetic",
        "--office",
        world.office_a.code,
        "--batch-size",
        str(BATCH),
    )

    # when the import is killed once its first batch was written
    process = subprocess.Popen(  # noqa: S603  # our own command line
        db.command(*args), cwd=ROOT, env=db.env(), stderr=subprocess.PIPE, text=True
    )
    seen = _kill_after_progress(process, KILL_AFTER_ROWS)

    # then it was killed mid-run, and left nothing behind: no cases, persons, facts or batch
    assert process.returncode == -signal.SIGKILL
    assert KILL_AFTER_ROWS <= seen < ROWS
    for table in ("cases_case", "cases_person", "stats_casefact", "interop_importbatch"):
        assert db.scalar(f"SELECT count(*) FROM {table}") == 0, table

    # when the import is run again
    rerun = subprocess.run(  # noqa: S603  # our own command line
        db.command(*args),
        check=False,
        cwd=ROOT,
        env=db.env(),
        capture_output=True,
        text=True,
        timeout=300,
    )

    # then every row is imported exactly once
    assert rerun.returncode == 0, rerun.stderr[-2000:]
    assert f"{ROWS} imported, 0 already present" in rerun.stdout
    assert db.scalar("SELECT count(*) FROM cases_case") == ROWS
    assert db.scalar("SELECT count(DISTINCT reference) FROM cases_case") == ROWS
    # (cases known only to a band of years, or to no year, have no fact row by design)
    assert db.scalar("SELECT count(*) FROM stats_casefact") == db.scalar(
        "SELECT count(*) FROM cases_case WHERE registration_period NOT LIKE '%-%'"
        " AND registration_period <> 'unknown'"
    )
    assert db.scalar("SELECT count(DISTINCT case_id) FROM stats_casefact") == db.scalar(
        "SELECT count(*) FROM stats_casefact"
    )
    assert db.scalar("SELECT count(*) FROM interop_importbatch") == 1
