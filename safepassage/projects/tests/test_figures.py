"""Funding figures for the statistics report (docs/indicators.md, "Funding")."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from fractions import Fraction

import pytest

from safepassage.cases.tests.factories import make_case, screen
from safepassage.projects.models import ProjectFunding, ThematicArea
from safepassage.projects.selectors import apportion, funding_figures
from safepassage.projects.services import fund_charge_case, gaf_attestation_record
from safepassage.projects.tests.factories import make_donor, make_gaf, make_project
from safepassage.reference.regions import REGION_KEYS


@pytest.fixture
def funded(world):
    us, norway, swiss = make_donor("United States"), make_donor("Norway"), make_donor("Switzerland")
    # Kyiv: one country (Vienna region), USD
    make_project("UA-1", [world.office_a], ["UKR"], funding=[(us, 2011, "1000000.00", "USD", None)])
    # Bangkok: three countries in two regions, NOK at a recorded rate; 1/3 shares do not divide
    make_project(
        "TH-1",
        [world.office_b],
        ["THA", "KHM", "AFG"],
        areas=[ThematicArea.AVRR, ThematicArea.PREVENTION],
        funding=[(norway, 2011, "100000.00", "NOK", "0.17834"), (us, 2011, "0.01", "USD", None)],
    )
    # joint project; funding of 2012 does not count in 2011
    make_project(
        "JOINT-1",
        [world.office_a, world.office_b],
        ["MDA", "THA"],
        funding=[(swiss, 2011, "333.33", "CHF", "1.1277"), (swiss, 2012, "5000", "USD", None)],
    )
    # not running in 2011
    make_project(
        "OLD-1",
        [world.office_a],
        ["UKR"],
        start=dt.date(2009, 1, 1),
        end=dt.date(2010, 6, 30),
        funding=[(us, 2010, "999", "USD", None)],
    )


def test_region_figures_sum_to_the_total(world, funded) -> None:
    figures = funding_figures(viewer=world.user("HQ", "data_manager"), year=2011)
    assert list(figures.by_region) == list(REGION_KEYS)
    assert sum(figures.by_region.values()) == figures.total_usd
    # 1,000,000 + 17,834 + 0.01 + 375.90 (333.33 CHF x 1.1277 = 375.8962 -> 375.90) = 1,018,209.91
    assert figures.total_usd == 1_018_210
    assert figures.projects == 3
    assert figures.countries == 5  # UKR THA KHM AFG MDA
    assert figures.avrr_projects == 1


def test_currency_is_converted_once_at_save(world, funded) -> None:
    # given the stored conversion of 100,000 NOK at 0.17834
    line = ProjectFunding.objects.get(currency="NOK")
    assert line.amount_usd == Decimal("17834.00")
    # when the rate is later changed in the row without saving through the model
    ProjectFunding.objects.filter(pk=line.pk).update(usd_rate=Decimal("99"))
    # then figures still use the USD amount computed at save, not amount x rate again
    figures = funding_figures(viewer=world.user("HQ", "data_manager"), year=2011)
    assert figures.total_usd == 1_018_210
    donors = {d.donor: d.usd for d in figures.by_donor_top10}
    assert donors == {"United States": 1_000_000, "Norway": 17_834, "Switzerland": 376}


def test_multi_country_projects_are_split_equally(world, funded) -> None:
    figures = funding_figures(viewer=world.user("HQ", "data_manager"), year=2011)
    # each project's USD split equally between its countries, each share to its Annex 2 region
    from safepassage.reference.regions import region_of

    exact: dict[str, Fraction] = dict.fromkeys(REGION_KEYS, Fraction(0))
    exact[region_of("UKR")] += Fraction(1_000_000)
    for iso3 in ("THA", "KHM", "AFG"):
        exact[region_of(iso3)] += Fraction(1783401, 100) / 3
    for iso3 in ("MDA", "THA"):
        exact[region_of(iso3)] += Fraction(37590, 100) / 2
    assert figures.by_region == apportion(exact, 1_018_210)
    for key, value in figures.by_region.items():
        assert abs(value - exact[key]) < 1


def test_scope_limits_projects_to_the_viewers_offices(world, funded) -> None:
    figures = funding_figures(viewer=world.user("A", "data_manager"), year=2011)
    assert figures.projects == 2  # UA-1 and JOINT-1
    assert figures.total_usd == 1_000_376
    assert sum(figures.by_region.values()) == figures.total_usd
    researcher = funding_figures(viewer=world.user("B", "researcher"), year=2011)
    assert researcher.projects == 2  # TH-1 and JOINT-1, through stats.view
    nobody = funding_figures(viewer=world.user("A", "auditor"), year=2011)
    assert nobody.total_usd == 0
    assert nobody.by_region == dict.fromkeys(REGION_KEYS, 0)


def test_funding_block_is_plain_json(world, funded) -> None:
    block = funding_figures(viewer=world.user("HQ", "admin"), year=2011).as_dict()
    assert set(block) == {
        "total_usd",
        "by_region",
        "by_donor_top10",
        "projects",
        "countries",
        "avrr_projects",
        "fund_beneficiaries",
    }
    assert json.loads(json.dumps(block)) == block
    assert block["by_donor_top10"][0] == {"donor": "United States", "usd": 1_000_000}


def test_fund_beneficiaries_count_cases_charged_in_the_year(world) -> None:
    worker = world.user("A", "caseworker")
    fund = make_gaf()
    for _ in range(2):
        case = make_case(world.office_a, worker)
        screen(case, worker)
        gaf_attestation_record(
            actor=worker, case=case, statement="No national or regional project is available."
        )
        fund_charge_case(actor=worker, fund=fund, case=case, charged_on=dt.date(2026, 11, 2))
    figures = funding_figures(viewer=world.user("HQ", "data_manager"), year=2026)
    assert figures.fund_beneficiaries == {"GAF": 2}
    assert funding_figures(viewer=world.user("B", "caseworker"), year=2026).fund_beneficiaries == {
        "GAF": 0
    }
    assert funding_figures(viewer=world.user("A", "caseworker"), year=2025).fund_beneficiaries == {
        "GAF": 0
    }


def test_apportion_keeps_the_total() -> None:
    parts = {"a": Fraction(1, 3), "b": Fraction(1, 3), "c": Fraction(1, 3)}
    assert apportion(parts, 1) == {"a": 1, "b": 0, "c": 0}
    assert sum(apportion({"x": Fraction(105, 10), "y": Fraction(205, 10)}, 31).values()) == 31
