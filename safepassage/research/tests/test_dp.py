"""Differentially private marginals: public domains, integer counts, epsilon accounting."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from safepassage.research.dp import (
    DEFAULT_TABLES,
    PLANNING_SHARE,
    allocation_weights,
    measurement_plan,
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
    spent = ledger.epsilon_planning + sum(ledger.epsilon_per_measurement.values())
    assert math.isclose(spent, 1.0, rel_tol=1e-9)
    assert math.isclose(ledger.epsilon_total, 1.0, rel_tol=1e-9)
    assert math.isclose(ledger.epsilon_planning, PLANNING_SHARE, rel_tol=1e-9)
    assert ledger.planning_count is not None
    assert ledger.contribution_bound == 1
    assert ledger.delta == 0
    # Every released table is summed from a measurement the ledger paid for
    assert set(ledger.derived_from) == set(release.tables)
    assert set(ledger.derived_from.values()) == set(ledger.epsilon_per_measurement)
    for table in release.tables.values():
        assert table.epsilon == ledger.epsilon_per_measurement[ledger.derived_from[table.name]]
    assert "epsilon = 1.0000" in release.privacy_statement()


def test_the_report_tables_are_measured_as_five_tables():
    # Given the report's tables over the public domains
    domains = public_domains(YEARS)

    # When planned, the connected small tables become one joint measurement each
    plan = measurement_plan(DEFAULT_TABLES, domains)

    assert plan == (
        ("sex", "age_group", "exploitation_type"),
        ("citizenship",),
        ("country_of_exploitation",),
        ("trafficking_type",),
        ("region", "year"),
    )


def test_a_group_too_large_for_a_joint_table_measures_its_largest_tables():
    domains = public_domains(YEARS)
    tables = [("citizenship",), ("citizenship", "sex"), ("citizenship", "age_group")]

    plan = measurement_plan(tables, domains)

    # 251 x 4 x 3 cells is above the joint limit; citizenship is summed from a two-way table
    assert plan == (("citizenship", "sex"), ("citizenship", "age_group"))


def test_tables_summed_from_one_measurement_add_up_exactly(release):
    joint = ("sex", "age_group", "exploitation_type")
    by_name = release.tables
    for name in ("sex", "age_group", "exploitation_type", "age_group x sex"):
        assert by_name[name].measurement == joint
    for two_way, one_way in (
        ("age_group x sex", "sex"),
        ("age_group x sex", "age_group"),
        ("exploitation_type x sex", "sex"),
        ("exploitation_type x sex", "exploitation_type"),
        ("exploitation_type x age_group", "age_group"),
    ):
        margin = by_name[two_way].counts.groupby(one_way)["count"].sum()
        direct = by_name[one_way].counts.set_index(one_way)["count"]
        pd.testing.assert_series_equal(margin.sort_index(), direct.sort_index(), check_names=False)
    totals = {
        table.counts["count"].sum() for table in by_name.values() if table.measurement == joint
    }
    assert len(totals) == 1
    year = by_name["year"].counts.set_index("year")["count"]
    region_year = by_name["region x year"].counts.groupby("year")["count"].sum()
    pd.testing.assert_series_equal(region_year.sort_index(), year.sort_index(), check_names=False)


def test_the_split_favours_the_tables_with_more_cells_that_can_reach_the_threshold():
    domains = public_domains(YEARS)
    plan = measurement_plan(DEFAULT_TABLES, domains)
    citizenship, joint = ("citizenship",), ("sex", "age_group", "exploitation_type")

    small = allocation_weights(DEFAULT_TABLES, plan, domains, expected_individuals=2_500)
    large = allocation_weights(DEFAULT_TABLES, plan, domains, expected_individuals=100_000)

    # With few individuals only about n / 50 countries can reach 50: the cap holds citizenship
    # back; with many, all 251 countries can, and citizenship gets a larger share
    share = {
        name: w[citizenship] / sum(w.values()) for name, w in (("small", small), ("large", large))
    }
    assert share["small"] < share["large"]
    assert math.isclose(small[citizenship] ** 2, 50 * math.sqrt(1), rel_tol=1e-9)
    # The joint table's load: each released table's capped cells times sqrt(cells summed)
    joint_load = 4 * math.sqrt(18) + 3 * math.sqrt(24) + 6 * math.sqrt(12)
    joint_load += 12 * math.sqrt(6) + 24 * math.sqrt(3) + 18 * math.sqrt(4)
    assert math.isclose(small[joint] ** 2, joint_load, rel_tol=1e-9)
    # No individual at all still splits the budget (one cell per table counts)
    assert all(
        weight > 0
        for weight in allocation_weights(
            DEFAULT_TABLES, plan, domains, expected_individuals=-40
        ).values()
    )


def test_explicit_weights_split_epsilon_in_proportion(individuals):
    tables = [("sex",), ("region", "year")]
    release = release_dp_marginals(
        individuals, epsilon=0.5, years=YEARS, tables=tables, weights={tables[0]: 1, tables[1]: 3}
    )
    spent = release.ledger.epsilon_per_measurement
    assert math.isclose(spent["sex"], 0.125, rel_tol=1e-9)
    assert math.isclose(spent["region x year"], 0.375, rel_tol=1e-9)
    assert release.ledger.epsilon_planning == 0
    assert release.ledger.planning_count is None
    assert math.isclose(release.ledger.epsilon_total, 0.5, rel_tol=1e-9)


def test_weights_must_name_the_measured_tables(individuals):
    tables = [("sex",), ("age_group", "sex")]
    with pytest.raises(
        ValueError, match="weights must name exactly the measured tables: sex x age_group"
    ):
        release_dp_marginals(
            individuals, epsilon=1, years=YEARS, tables=tables, weights={tables[0]: 1, tables[1]: 1}
        )


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
