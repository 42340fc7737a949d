"""compute_once: one computation per key, shared by every process through the cache."""

from __future__ import annotations

import threading
import time

import pytest
from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.db import DatabaseCache
from django.db import connection

from safepassage.core import cache as shared


@pytest.fixture
def stats_cache():
    return caches["stats"]


def never() -> str:
    raise AssertionError("computed although a value was there")


def test_value_is_reused_while_fresh_and_recomputed_after(stats_cache, monkeypatch):
    # Given a value computed once
    assert shared.compute_once(stats_cache, "k", lambda: "first", seconds=60) == "first"
    # When it is asked for again within its period
    value = shared.compute_once(stats_cache, "k", lambda: "second", seconds=60)
    # Then the stored value is returned
    assert value == "first"
    # and once the period has passed, it is computed again
    later = time.time() + 61
    monkeypatch.setattr(time, "time", lambda: later)
    assert shared.compute_once(stats_cache, "k", lambda: "second", seconds=60) == "second"


def test_concurrent_misses_compute_once(stats_cache):
    # Given eight requests that miss the same key at the same moment
    calls = []
    started = threading.Barrier(8)
    results: list[str] = []

    def slow() -> str:
        calls.append(1)
        time.sleep(0.3)
        return "figures"

    def request() -> None:
        started.wait()
        results.append(shared.compute_once(caches["stats"], "busy", slow, seconds=60))

    threads = [threading.Thread(target=request) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # Then one of them computes and all of them get its value
    assert len(calls) == 1
    assert results == ["figures"] * 8


def test_expired_value_is_shown_while_another_process_recomputes(stats_cache, monkeypatch):
    # Given a value past its period, and another process computing the new one
    shared.compute_once(stats_cache, "k", lambda: "old", seconds=60)
    later = time.time() + 61
    monkeypatch.setattr(time, "time", lambda: later)
    assert stats_cache.add("k:computing", True, 60)
    # When a request asks for it
    value = shared.compute_once(stats_cache, "k", never, seconds=60)
    # Then it gets the previous value at once, without computing
    assert value == "old"


def test_a_failed_computation_releases_the_key(stats_cache):
    # Given a computation that fails
    def broken() -> str:
        raise RuntimeError("database gone")

    with pytest.raises(RuntimeError):
        shared.compute_once(stats_cache, "k", broken, seconds=60)
    # Then the next request computes rather than waiting for it
    start = time.monotonic()
    assert shared.compute_once(stats_cache, "k", lambda: "ok", seconds=60) == "ok"
    assert time.monotonic() - start < 1


def test_a_request_with_nothing_to_show_waits_for_the_computing_process(stats_cache):
    # Given another process computing a key that holds nothing yet
    assert stats_cache.add("k:computing", True, 60)

    def other_process() -> None:
        time.sleep(0.3)
        caches["stats"].set("k", (time.time() + 60, "theirs"), 120)
        caches["stats"].delete("k:computing")

    thread = threading.Thread(target=other_process)
    thread.start()
    # When a request asks for it
    value = shared.compute_once(stats_cache, "k", lambda: "mine", seconds=60)
    thread.join()
    # Then it gets the other process's value
    assert value == "theirs"


@pytest.mark.django_db
def test_production_cache_table_is_created_by_migrations_and_shared():
    # Given the database cache of the production settings, in the migrated database
    production: dict[str, str] = getattr(settings, "DATABASE_STATS_CACHE")  # noqa: B009  # a test setting the stubs do not know
    location = production["LOCATION"]
    assert location in connection.introspection.table_names()
    one_process, another_process = DatabaseCache(location, {}), DatabaseCache(location, {})
    # When one process computes a value
    assert shared.compute_once(one_process, "k", lambda: {"n": 3}, seconds=60) == {"n": 3}
    # Then another process reads it without computing
    value = shared.compute_once(another_process, "k", lambda: {"n": 0}, seconds=60)
    assert value == {"n": 3}
    # and the computing lock is taken by one process only
    assert one_process.add("k:computing", True, 60)
    assert not another_process.add("k:computing", True, 60)
