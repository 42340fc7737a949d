"""Each definition of docs/indicators.md on hand-made values."""

from __future__ import annotations

import datetime as dt

import pytest

from safepassage.stats import definitions as d


@pytest.mark.parametrize(
    ("types", "sectors", "expected"),
    [
        (["SexualExploitation", "ForcedLabour"], ["Construction"], "sexual_and_labour"),
        (["SexualExploitation"], [], "sexual"),
        (["ForcedLabour"], ["Begging"], "begging"),
        (["ForcedBegging"], [], "begging"),
        (["ForcedLabour"], ["Begging", "Agriculture"], "labour"),
        (["ForcedLabour", "ForcedBegging"], ["Construction"], "labour"),
        (["ForcedLabour"], ["Construction"], "labour"),
        (["ForcedMarriage"], [], "other"),
        (["OrganRemoval", "ForcedCriminality"], [], "other"),
        ([], [], "unknown"),
    ],
)
def test_exploitation_type(types, sectors, expected):
    assert d.exploitation_type(types, sectors) == expected


def test_nationality_is_first_citizenship_or_unk():
    assert d.nationality(["UKR", "RUS"]) == "UKR"
    assert d.nationality([]) == "UNK"


def test_destination_missing_is_unk():
    assert d.destination(None) == "UNK"
    assert d.destination("RUS") == "RUS"


@pytest.mark.parametrize(
    ("sex", "expected"),
    [
        ("Feminine", "female"),
        ("Masculine", "male"),
        ("TransgenderFeminine", "other"),
        ("NonConforming", "other"),
        ("NonSpecifiedUnknown", "unknown"),
        ("", "unknown"),
    ],
)
def test_sex_group(sex, expected):
    assert d.sex_group(sex) == expected


def test_eighteenth_birthday_is_adult_and_the_day_before_is_child():
    registered = dt.date(2026, 11, 1)
    assert d.age_group(dt.date(2008, 11, 1), registered) == "adult"
    assert d.age_group(dt.date(2008, 11, 2), registered) == "child"
    assert d.age_group(None, registered) == "unknown"


def test_leap_day_birthday():
    assert d.age_group(dt.date(2008, 2, 29), dt.date(2026, 2, 28)) == "child"
    assert d.age_group(dt.date(2008, 2, 29), dt.date(2026, 3, 1)) == "adult"


@pytest.mark.parametrize(
    ("citizenships", "exploited_in", "expected"),
    [
        (["UKR"], "UKR", "internal"),
        (["UKR", "RUS"], "RUS", "internal"),  # any citizenship, not only the first
        (["UKR"], "RUS", "cross_border"),
        ([], "RUS", "unknown"),
        (["UKR"], None, "unknown"),
    ],
)
def test_trafficking_type(citizenships, exploited_in, expected):
    assert d.trafficking_type(citizenships, exploited_in) == expected


def test_region_unlisted_is_unassigned():
    assert d.region("vienna") == "vienna"
    assert d.region("nowhere") == "unassigned"
    assert d.region(None) == "unassigned"


def test_returned_and_avrr_cell():
    assert d.returned(status="monitoring", status_before_closure="", reintegration_services=0)
    assert d.returned(status="closed", status_before_closure="monitoring", reintegration_services=0)
    assert d.returned(status="assisted", status_before_closure="", reintegration_services=1)
    assert not d.returned(status="assisted", status_before_closure="", reintegration_services=0)
    assert d.avrr_cell("child", "female") == "child_female"
    assert d.avrr_cell("unknown", "female") == "other_or_unknown"
    assert d.avrr_cell("adult", "other") == "other_or_unknown"
