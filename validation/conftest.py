"""Checks against the material in ../shared (or $SHARED_DIR). A missing file fails the check:
these are the proofs that SafePassage agrees with the standards, so they never skip."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    path = Path(
        os.environ.get("SHARED_DIR", Path(__file__).resolve().parents[1] / ".." / "shared")
    ).resolve()
    if not path.is_dir():
        pytest.fail(f"shared directory {path} is missing; set SHARED_DIR")
    return path


@pytest.fixture(scope="session")
def shared_file(shared_dir: Path) -> Callable[[str], Path]:
    def find(relative: str) -> Path:
        path = shared_dir / relative
        if not path.is_file():
            pytest.fail(f"required file {path} is missing")
        return path

    return find
