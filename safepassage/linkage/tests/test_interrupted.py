"""A linkage worker killed mid-run: the run row it created stays marked running (scoring
happens outside any transaction, storing in one, so nothing else of it was written). The next
run completes, marks the dead run failed, and one run at a time is enforced by a lock that dies
with its process (so a killed worker never blocks the next run)."""

from __future__ import annotations

import time

import pytest
from django.db import DEFAULT_DB_ALIAS, connection, connections

from safepassage.audit.models import AuditEvent
from safepassage.core import clock
from safepassage.linkage import services
from safepassage.linkage.errors import RunInProgress
from safepassage.linkage.models import LinkageRun
from safepassage.linkage.tests.test_services import SETTINGS, THRESHOLD, model, people  # noqa: F401  # fixtures

pytestmark = pytest.mark.django_db


def _wait_until_no_other_session_holds_an_advisory_lock(seconds: float = 10.0) -> None:
    deadline = time.monotonic() + seconds
    with connection.cursor() as cursor:
        while True:
            cursor.execute(
                "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND pid <> "
                "pg_backend_pid() AND database = (SELECT oid FROM pg_database WHERE datname = "
                "current_database())"
            )
            if cursor.fetchone()[0] == 0:
                return
            if time.monotonic() > deadline:
                pytest.fail("the closed session's advisory lock was not released")
            time.sleep(0.05)


def _left_by_a_killed_worker() -> LinkageRun:
    return LinkageRun.objects.create(
        started_at=clock.now(),
        mode=LinkageRun.Mode.FULL,
        auto_link_threshold=THRESHOLD,
        review_threshold=0.5,
    )


def test_the_run_after_a_killed_one_completes_and_marks_it_failed(world, people, model) -> None:  # noqa: F811  # fixtures
    # given the row a worker killed while scoring leaves behind
    dead = _left_by_a_killed_worker()
    # when linkage runs again
    run = services.linkage_run(actor=None, model=model, settings=SETTINGS, threshold=THRESHOLD)
    # then it succeeds, and the dead run no longer shows as running
    assert run.status == LinkageRun.Status.SUCCEEDED
    dead.refresh_from_db()
    assert (dead.status, dead.error_code) == (LinkageRun.Status.FAILED, "interrupted")
    assert dead.finished_at is not None
    assert AuditEvent.objects.filter(
        event_type="linkage.run_failed", target_id=str(dead.pk)
    ).exists()
    # and nothing is left running
    assert not LinkageRun.objects.filter(status=LinkageRun.Status.RUNNING).exists()


def test_a_second_run_is_refused_while_one_holds_the_lock(world, people, model) -> None:  # noqa: F811  # fixtures
    if connection.vendor != "postgresql":
        pytest.skip("the in-memory test database belongs to one process: no lock to contend")
    # given another process holding the run lock (a second connection stands in for it)
    own = connections[DEFAULT_DB_ALIAS]
    other = type(own)(dict(own.settings_dict), alias="other-worker")
    try:
        with other.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_lock(%s)", [services._RUN_LOCK_KEY])
        running = _left_by_a_killed_worker()
        # when linkage is started here, then it is refused and the live run is left alone
        with pytest.raises(RunInProgress):
            services.linkage_run(actor=None, model=model, settings=SETTINGS, threshold=THRESHOLD)
        running.refresh_from_db()
        assert running.status == LinkageRun.Status.RUNNING
    finally:
        # a process that dies releases its lock: closing the session does the same
        other.close()
    # and once that process is gone the next run proceeds (the server ends a closed session's
    # backend a moment after the client goes: wait for its lock to go with it)
    _wait_until_no_other_session_holds_an_advisory_lock()
    run = services.linkage_run(actor=None, model=model, settings=SETTINGS, threshold=THRESHOLD)
    assert run.status == LinkageRun.Status.SUCCEEDED


def test_on_a_sqlite_file_the_lock_is_a_file_lock_beside_it(tmp_path, monkeypatch) -> None:
    if connection.vendor != "sqlite":
        pytest.skip("SQLite only")
    # given a database file, as on a single-office installation
    monkeypatch.setitem(connection.settings_dict, "NAME", str(tmp_path / "office.sqlite3"))
    # when one run holds the lock, then a second is refused; once released, it is free again
    with services._run_lock(), pytest.raises(RunInProgress), services._run_lock():
        pass
    with services._run_lock():
        pass
