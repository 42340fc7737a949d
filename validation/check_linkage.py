"""Record linkage accuracy targets, on FEBRL3 (dedupe), FEBRL4 (link) and the generated
cross-border set, as bench/linkage_accuracy.py measures them."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

BENCH = Path(__file__).resolve().parents[1] / "bench" / "linkage_accuracy.py"


def _bench() -> ModuleType:
    spec = importlib.util.spec_from_file_location("linkage_accuracy", BENCH)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    # dataclasses look their module up by name while the class is created.
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def report() -> Any:  # bench/linkage_accuracy.Report, loaded from its file
    return _bench().evaluate(3000)


def test_febrl_f1_is_at_least_0_995(report: Any) -> None:
    assert report.febrl3.f1 >= 0.995, report.febrl3
    assert report.febrl4.f1 >= 0.995, report.febrl4


def test_generated_cross_border_f1_is_at_least_0_98(report: Any) -> None:
    assert report.cross_border.f1 >= 0.98, report.cross_border


def test_generated_individuals_are_within_one_percent_of_the_truth(report: Any) -> None:
    assert abs(report.individuals_error) <= 0.01, report
