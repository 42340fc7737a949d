"""Differentially private marginals: public domains, integer counts, epsilon accounting."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from safepassage.research.dp import (
    DEFAULT_TABLES,
    public_domains,
    release_dp_marginals,
    report_variables,
    true_counts,
    utility_report,
)
from safepassage.research.synthetic import synthetic_individuals

YEARS = range(2015, 2025)


@pytest.fixture(scope="module")
def individuals() -> pd.DataFrame:
    return synthetic_individuals(3000, seed=11)


@pytest.fixture(scope="module")
def release(individuals):
    return release_dp_marginals(individuals, epsilon=1.0, years=YEARS)


def test_every_cell_of_the_public_domain_is_released_as_a_non_negative_integer(release):
    domains = public_domains(YEARS)
    for variables in DEFAULT_TABLES:
        table = release.tables[" x ".join(variables)]
        expected = math.prod(len(domains[name]) for name in variables)
        assert len(table.counts) == expected
        assert not table.counts.duplicated(list(variables)).any()
        assert table.counts["count"].dtype.kind == "i"
        assert (table.counts["count"] >= 0).all()


def test_domain_comes_from_the_reference_lists_not_the_data(individuals):
    # Given data where nobody is from Iceland
    assert "ISL" not in set(individuals["citizenship"])

    # When released, Iceland is still a cell (noise only)
    release = release_dp_marginals(individuals, epsilon=1.0, years=YEARS, tables=[("citizenship",)])
    assert "ISL" in set(release.tables["citizenship"].counts["citizenship"])


def test_epsilon_accounting_sums_to_the_requested_epsilon(release):
    ledger = release.ledger
    assert set(ledger.epsilon_per_table) == set(release.tables)
    assert math.isclose(sum(ledger.epsilon_per_table.values()), 1.0, rel_tol=1e-9)
    assert math.isclose(ledger.epsilon_total, 1.0, rel_tol=1e-9)
    assert ledger.contribution_bound == 1
    assert ledger.delta == 0
    assert "epsilon = 1.0000" in release.privacy_statement()


def test_explicit_weights_split_epsilon_in_proportion(individuals):
    tables = [("sex",), ("region", "year")]
    release = release_dp_marginals(
        individuals, epsilon=0.5, years=YEARS, tables=tables, weights={tables[0]: 1, tables[1]: 3}
    )
    spent = release.ledger.epsilon_per_table
    assert math.isclose(spent["sex"], 0.125, rel_tol=1e-9)
    assert math.isclose(spent["region x year"], 0.375, rel_tol=1e-9)
    assert math.isclose(release.ledger.epsilon_total, 0.5, rel_tol=1e-9)


def test_noise_is_small_at_large_epsilon_and_the_utility_report_sees_it(individuals):
    release = release_dp_marginals(
        individuals, epsilon=50.0, years=YEARS, tables=[("sex",), ("age_group", "sex")]
    )
    report = utility_report(release, individuals, min_count=50)
    assert report.cells_compared > 0
    assert report.mean_relative_error is not None
    assert report.mean_relative_error < 0.05
    assert report.max_abs_error < 20
    truth = true_counts(individuals, ("sex",), YEARS)
    assert truth["count"].sum() == len(individuals)


def test_report_variables_follow_the_indicator_definitions():
    frame = pd.DataFrame(
        {
            "year_of_registration": [2020, 2020, 2020, 1999],
            "sex": ["female", "male", "nonsense", "female"],
            "age": pd.array([17, 18, None, 30], dtype="Int64"),
            "citizenship": ["UKR", "UKR", "UNK", "UKR"],
            "country_of_exploitation": ["UKR", "RUS", "THA", "RUS"],
            "exploitation_type": ["labour", "sexual", "other", "labour"],
        }
    )
    variables = report_variables(frame, YEARS)

    # The 1999 registration lies outside the stated years and is left out
    assert len(variables) == 3
    assert variables["age_group"].tolist() == ["child", "adult", "unknown"]
    assert variables["trafficking_type"].tolist() == ["internal", "cross_border", "unknown"]
    assert variables["region"].tolist() == ["vienna", "vienna", "bangkok"]
    assert variables["sex"].tolist() == ["female", "male", "unknown"]


def test_rejects_bad_requests(individuals):
    with pytest.raises(ValueError, match="epsilon must be positive"):
        release_dp_marginals(individuals, epsilon=0, years=YEARS)
    with pytest.raises(ValueError, match="unknown report variables"):
        release_dp_marginals(individuals, epsilon=1, years=YEARS, tables=[("name",)])
