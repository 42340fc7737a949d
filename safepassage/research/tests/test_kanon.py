"""k-anonymised releases, checked with pycanon, an implementation that shares nothing with ours."""

from __future__ import annotations

import pandas as pd
import pytest
from pycanon import anonymity

from safepassage.research.hierarchies import (
    SUPPRESSED,
    Hierarchy,
    QuasiIdentifier,
    age_band,
    country_hierarchy,
    default_quasi_identifiers,
    sex_hierarchy,
    year_hierarchy,
)
from safepassage.research.kanon import (
    ReleaseRefused,
    release_k_anonymous,
    verify_k_anonymity,
    verify_l_diversity,
)
from safepassage.research.synthetic import synthetic_individuals

QIS = [qi.column for qi in default_quasi_identifiers()]


@pytest.fixture(scope="module")
def individuals() -> pd.DataFrame:
    return synthetic_individuals(4000, seed=7)


def test_release_is_k_anonymous_and_l_diverse_by_pycanon(individuals):
    # Given 4,000 individuals, when released at k=11 and l=2
    release = release_k_anonymous(individuals, k=11, l_diversity=2)

    # Then the independent checker agrees with the figures the release reports
    released = release.data
    assert anonymity.k_anonymity(released, QIS) == release.k_achieved >= 11
    assert release.l_achieved is not None
    assert release.l_achieved >= 2
    assert anonymity.l_diversity(released, QIS, ["exploitation_type"]) == release.l_achieved
    assert release.rows_suppressed <= 0.10 * len(individuals)
    assert release.suppressed_share == release.rows_suppressed / 4000
    assert 0 < release.information_loss < 1
    assert set(release.levels) == set(QIS)


def test_suppressed_records_are_kept_masked_and_other_columns_pass_through(individuals):
    release = release_k_anonymous(individuals, k=11)

    masked = (release.data[QIS] == SUPPRESSED).all(axis=1)
    assert release.rows_removed == 0
    assert len(release.data) == len(individuals)
    assert masked.sum() >= release.rows_suppressed
    assert (release.data["means_threats"] == individuals["means_threats"]).all()
    assert "unknown" in release.privacy_statement()


def test_remove_mode_drops_exactly_the_suppressed_records(individuals):
    release = release_k_anonymous(individuals, k=11, suppression="remove")

    assert release.rows_removed == release.rows_suppressed
    assert len(release.data) == len(individuals) - release.rows_suppressed
    assert anonymity.k_anonymity(release.data, QIS) >= 11


def test_suppression_limit_is_respected(individuals):
    for limit in (0.0, 0.02, 0.05):
        release = release_k_anonymous(individuals, k=5, max_suppression=limit)
        assert release.rows_suppressed <= limit * len(individuals)
        assert anonymity.k_anonymity(release.data, QIS) >= 5


def test_refuses_when_k_is_unreachable():
    # Given 30 people...
    frame = synthetic_individuals(30, seed=3)
    qis = [QuasiIdentifier(year_hierarchy()), QuasiIdentifier(sex_hierarchy(), min_level=0)]
    # ... and a k larger than the data: nothing to search
    with pytest.raises(ReleaseRefused, match="cannot reach k=50"):
        release_k_anonymous(frame, k=50, quasi_identifiers=qis)

    # When the sex hierarchy may not be generalised and the limit forbids suppression
    pinned = QuasiIdentifier(Hierarchy(column="sex", level_names=("sex",), labellers=(str,)))
    with pytest.raises(ReleaseRefused, match=r"cannot reach k=11 with at most 0% suppression"):
        release_k_anonymous(frame, k=11, quasi_identifiers=[pinned], max_suppression=0.0)


def test_refuses_when_l_is_unreachable():
    frame = synthetic_individuals(500, seed=5)
    frame["exploitation_type"] = "labour"
    with pytest.raises(ReleaseRefused, match="l=2"):
        release_k_anonymous(frame, k=5, l_diversity=2)


def test_search_prefers_no_generalisation_when_it_suffices():
    # Given data where every combination of the recorded values already occurs 20 times
    rows = [
        {
            "year_of_registration": year,
            "sex": sex,
            "age": age,
            "citizenship": country,
            "country_of_exploitation": "RUS",
            "exploitation_type": kind,
        }
        for year in (2018, 2019)
        for sex in ("female", "male")
        for age in (10, 30)
        for country in ("UKR", "UZB")
        for kind in ("labour", "sexual") * 10
    ]
    frame = pd.DataFrame(rows)

    # When released at k=11
    release = release_k_anonymous(frame, k=11, l_diversity=2)

    # Then nothing is generalised beyond the finest allowed levels and nothing is suppressed
    assert release.levels == {
        "year_of_registration": 0,
        "sex": 0,
        "age": 1,
        "citizenship": 0,
        "country_of_exploitation": 0,
    }
    assert release.rows_suppressed == 0
    assert release.k_achieved == 20
    assert set(release.data["age"]) == {"9--17", "30--38"}


def test_search_generalises_only_the_column_that_needs_it():
    # Given two citizenships of 6 people each in one region, and a large group elsewhere
    frame = pd.DataFrame(
        {
            "year_of_registration": [2020] * 32,
            "sex": ["female"] * 32,
            "age": [25] * 32,
            "citizenship": ["UKR"] * 6 + ["BLR"] * 6 + ["THA"] * 20,
            "country_of_exploitation": ["RUS"] * 32,
            "exploitation_type": ["labour", "sexual"] * 16,
        }
    )
    qis = [
        QuasiIdentifier(year_hierarchy()),
        QuasiIdentifier(sex_hierarchy()),
        QuasiIdentifier(country_hierarchy("citizenship")),
    ]
    release = release_k_anonymous(frame, k=11, quasi_identifiers=qis, max_suppression=0.0)

    assert release.level_names == {
        "year_of_registration": "year",
        "sex": "sex",
        "citizenship": "region",
    }
    assert sorted(release.data["citizenship"].unique()) == ["bangkok", "vienna"]


def test_verifiers_are_independent_of_the_search():
    frame = pd.DataFrame(
        {"a": ["x", "x", "y", "y", "y"], "b": [1, 1, 2, 2, 2], "s": ["p", "q", "p", "p", "p"]}
    )
    assert verify_k_anonymity(frame, ["a", "b"], 2) == 2
    with pytest.raises(ReleaseRefused, match="fewer than k=3"):
        verify_k_anonymity(frame, ["a", "b"], 3)
    assert verify_l_diversity(frame, ["a"], "s", 1) == 1
    with pytest.raises(ReleaseRefused, match="fewer than l=2"):
        verify_l_diversity(frame, ["a"], "s", 2)


def test_hierarchies_follow_the_ctdc_bands():
    assert [age_band(a) for a in (0, 8, 9, 17, 18, 29, 30, 47, 48, 90)] == [
        "0--8",
        "0--8",
        "9--17",
        "9--17",
        "18--20",
        "27--29",
        "30--38",
        "39--47",
        "48+",
        "48+",
    ]
    years = pd.Series([2017, 2018, 2019])
    assert year_hierarchy().generalise(years, 1).tolist() == ["2016-2017", "2018-2019", "2018-2019"]
    assert year_hierarchy().generalise(years, 2).tolist() == ["2015-2019"] * 3
    countries = pd.Series(["UKR", "THA", "UNK"])
    assert country_hierarchy("c").generalise(countries, 1).tolist() == [
        "vienna",
        "bangkok",
        SUPPRESSED,
    ]
    ages = pd.Series([5, None, 40], dtype="Int64")
    assert default_quasi_identifiers()[2].hierarchy.generalise(ages, 2).tolist() == [
        "Minor",
        SUPPRESSED,
        "Adult",
    ]
