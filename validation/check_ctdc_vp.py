"""Import the CTDC victim-perpetrator synthetic release and prove that the frequency of every
value of all 16 variables, computed by SafePassage from its own database, equals the official
`TabStat` sheet of the data dictionary beside it, exactly (missing values and totals too).

The release stays in ../shared (CTDC's terms of use: validation only); nothing of it is copied
into the repository."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import openpyxl
import pytest

from safepassage.cases.models import Case
from safepassage.interop.formats import FORMATS
from safepassage.interop.importer import cases_import
from safepassage.interop.selectors import value_frequencies
from safepassage.offices.models import Office
from safepassage.reference.models import Country

DATA = "data/ctdc-vp-synthetic/CTDC_VPsynthetic_condensed.csv"
DICTIONARY = "data/ctdc-vp-synthetic/CTDC_VPsynthetic_dict_20221201.xlsx"
ROWS = 21195


def tabstat(path: Path) -> dict[str, tuple[Counter[str], int, int]]:
    """variable -> (frequency of each valid value, missing, total) from the TabStat sheet."""
    sheet = openpyxl.load_workbook(path, read_only=True, data_only=True)["TabStat"]
    tables: dict[str, tuple[Counter[str], int, int]] = {}
    current: str | None = None
    valid: Counter[str] = Counter()
    missing = 0
    in_valid = False
    for row in sheet.iter_rows(values_only=True):
        first, value, freq = ([*list(row), None, None, None])[:3]
        if first not in (None, "Valid", "Missing", "Total") and value is not None and freq is None:
            current, valid, missing, in_valid = str(first), Counter(), 0, False
            continue
        if current is None:
            continue
        if first == "Valid":
            in_valid = True
        if first == "Missing":
            in_valid = False
            missing = int(freq)
            continue
        if first == "Total":
            tables[current] = (valid, missing, int(freq))
            current = None
            continue
        if in_valid and value is not None and value != "Total" and freq is not None:
            key = str(int(value)) if isinstance(value, (int, float)) else str(value)
            valid[key] = int(freq)
    return tables


@pytest.fixture
def vp_office(db: None) -> Office:
    return Office.objects.create(
        code="CTDC-VP", name="CTDC VP validation", country=Country.objects.get(iso3="CHE")
    )


def test_ctdc_vp_frequencies_equal_tabstat(
    shared_file: Callable[[str], Path], vp_office: Office
) -> None:
    data, dictionary = shared_file(DATA), shared_file(DICTIONARY)
    expected = tabstat(dictionary)
    assert sorted(expected) == sorted(FORMATS["ctdc-vp"].columns), "TabStat lists the 16 variables"

    started = time.monotonic()
    result = cases_import(actor=None, path=data, format_key="ctdc-vp", office=vp_office)
    seconds = time.monotonic() - started
    assert result.errors == [] and result.committed, result.errors[:5]
    assert result.rows_imported == ROWS
    assert seconds < 120, f"import took {seconds:.0f}s"

    cases = Case.objects.filter(office=vp_office)
    assert cases.count() == ROWS
    found = value_frequencies(cases, "ctdc-vp")
    for variable, (valid, missing, total) in expected.items():
        counts = found[variable]
        ours_valid = Counter({k: v for k, v in counts.items() if k != ""})
        assert ours_valid == valid, f"{variable}: {dict(ours_valid)} != TabStat {dict(valid)}"
        assert counts[""] == missing, f"{variable}: missing {counts['']} != TabStat {missing}"
        assert sum(counts.values()) == total == ROWS

    # Re-importing the same file changes nothing.
    again = cases_import(actor=None, path=data, format_key="ctdc-vp", office=vp_office)
    assert again.committed and again.rows_imported == 0 and again.rows_already_present == ROWS
    assert Case.objects.filter(office=vp_office).count() == ROWS
