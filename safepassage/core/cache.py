"""Values that cost seconds to compute (the dashboard's figures), kept in a cache that every
server process shares and computed once per key however many requests miss it together."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

from django.core.cache.backends.base import BaseCache

T = TypeVar("T")

# How long one computation holds its key: a process that died while computing blocks the others
# no longer than this.
COMPUTE_LOCK_SECONDS = 60
# How long a request with nothing to show waits for the value another process is computing
# before it computes the value itself.
WAIT_SECONDS = 30
POLL_SECONDS = 0.1


def compute_once(cache: BaseCache, key: str, compute: Callable[[], T], *, seconds: int) -> T:
    """The value under `key`, computed by `compute()` when it is missing or older than
    `seconds`. Only the request that takes the key's lock computes; meanwhile the others get
    the previous value when there is one (so no value shown is older than `seconds` plus one
    computation), or wait for the new one."""
    lock = f"{key}:computing"
    deadline = time.monotonic() + WAIT_SECONDS
    while True:
        entry: tuple[float, T] | None = cache.get(key)
        if entry is not None and entry[0] > time.time():
            return entry[1]
        if cache.add(lock, True, COMPUTE_LOCK_SECONDS):
            try:
                value = compute()
                # Kept beyond its freshness so that the next refresh can show it to the others
                # while it computes; a value nobody refreshes expires soon after.
                cache.set(key, (time.time() + seconds, value), 2 * seconds + COMPUTE_LOCK_SECONDS)
            finally:
                cache.delete(lock)
            return value
        if entry is not None:
            return entry[1]
        if time.monotonic() > deadline:
            return compute()
        # Another process is computing and there is nothing to show yet: wait for its value
        # (or for its lock to go, should it fail).
        time.sleep(POLL_SECONDS)
