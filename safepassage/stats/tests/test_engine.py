"""The indicator engine on hand-made cases, built through the real services (so the fact rows
are kept in step exactly as in production)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from safepassage.assistance.services import assistance_record
from safepassage.cases.models import BirthDatePrecision, ConsentScope
from safepassage.cases.services import person_update
from safepassage.cases.tests.factories import give_consent, make_case, screen
from safepassage.offices.models import Office
from safepassage.reference.models import Country
from safepassage.stats.models import CaseFact
from safepassage.stats.selectors import StatsFilters, indicator_report

YEAR = 2026
REGISTERED = dt.date(2026, 11, 1)


def report(**filters: Any) -> dict[str, Any]:
    return indicator_report(viewer=None, filters=StatsFilters(year=YEAR, **filters))


@pytest.fixture
def cases(world):
    a = world.user("A", "caseworker")
    b = world.user("B", "caseworker")
    made = {}
    # Multi-citizenship, exploited in the second citizenship: internal, nationality = first.
    made["dual"] = make_case(world.office_a, a, citizenship="UKR", other_citizenships=["RUS"])
    screen(made["dual"], a)  # forced labour in construction, RUS
    # Sexual and labour, female, cross-border.
    made["both"] = make_case(world.office_a, a, given="Olena", sex="Feminine")
    screen(
        made["both"],
        a,
        exploitation_types=["SexualExploitation", "ForcedLabour"],
        sexual_exploitation_types=["Prostitution"],
        labour_sectors=["Hospitality"],
        country_of_exploitation="POL",
    )
    # Begging only, a child (turns 18 the day after registration).
    made["begging"] = make_case(
        world.office_b, b, given="Somchai", citizenship="KHM", birth_date=dt.date(2008, 11, 2)
    )
    screen(made["begging"], b, labour_sectors=["Begging"], country_of_exploitation="THA")
    # 18th birthday on the registration day: adult; sex unknown; no screening at all.
    made["birthday"] = make_case(
        world.office_b,
        b,
        given="Noi",
        citizenship="LAO",
        birth_date=dt.date(2008, 11, 1),
        sex="NonSpecifiedUnknown",
    )
    # Unknowns: no citizenship, no date of birth, screening without purpose.
    made["unknown"] = make_case(world.office_b, b, given="Anon", citizenship="", birth_date=None)
    screen(made["unknown"], b, purpose=False)
    # Year-only date of birth 2008: protective rounding -> child.
    made["year_only"] = make_case(
        world.office_b,
        b,
        given="Dao",
        citizenship="LAO",
        birth_date=dt.date(2008, 1, 1),
        precision=BirthDatePrecision.YEAR,
        sex="Feminine",
    )
    # Previous year.
    made["last_year"] = make_case(world.office_a, a, given="Petro", registered=dt.date(2025, 6, 1))
    return made


def test_fact_rows_follow_the_definitions(cases):
    facts = {f.case_id: f for f in CaseFact.objects.all()}
    dual = facts[cases["dual"].pk]
    assert (dual.nationality, dual.destination, dual.trafficking) == ("UKR", "RUS", "internal")
    assert facts[cases["both"].pk].exploitation == "sexual_and_labour"
    assert facts[cases["both"].pk].trafficking == "cross_border"
    assert facts[cases["begging"].pk].exploitation == "begging"
    assert facts[cases["begging"].pk].age_group == "child"
    assert facts[cases["birthday"].pk].age_group == "adult"
    assert facts[cases["birthday"].pk].exploitation == "unknown"
    assert facts[cases["year_only"].pk].age_group == "child"
    unknown = facts[cases["unknown"].pk]
    assert (unknown.nationality, unknown.destination, unknown.age_group) == (
        "UNK",
        "UNK",
        "unknown",
    )
    assert unknown.trafficking == "unknown"


def test_global_figures(cases):
    data = report()
    assert data["instances"] == 6
    assert data["individuals"] == 6
    assert data["by_citizenship"] == {"LAO": 2, "UKR": 2, "KHM": 1, "UNK": 1}
    assert data["by_country_of_exploitation"] == {"UNK": 3, "POL": 1, "RUS": 1, "THA": 1}
    assert data["by_exploitation_type"] == {
        "labour": 1,
        "sexual": 0,
        "sexual_and_labour": 1,
        "begging": 1,
        "other": 0,
        "unknown": 3,
    }
    assert data["by_sex"] == {"female": 2, "male": 3, "other": 0, "unknown": 1}
    assert data["by_age_group"] == {"child": 2, "adult": 3, "unknown": 1}
    assert data["by_trafficking_type"] == {"cross_border": 2, "internal": 1, "unknown": 3}
    assert data["by_region"]["vienna"] == 2
    assert data["by_region"]["bangkok"] == 4
    assert sum(data["by_region"].values()) == 6
    assert data["previous_year"]["instances"] == 1
    assert data["previous_year"]["year"] == 2025
    assert data["aggregate_submissions"]["instances"] == 0
    assert "funding" not in data


def test_regional_blocks_and_filters(cases, world):
    data = report()
    assert data["regions"]["vienna"]["instances"] == 2
    assert data["regions"]["bangkok"]["by_age_group"]["child"] == 2
    assert data["regions"]["dakar"]["instances"] == 0
    assert report(region="bangkok")["instances"] == 4
    assert report(office=world.office_a.pk)["instances"] == 2
    assert report(category="vot")["instances"] == 0
    assert report(category="presumed_vot")["instances"] == 6


def test_country_not_in_annex2_is_unassigned(world):
    office = Office.objects.create(
        code="PS-RAM", name="Ramallah", country=Country.objects.get(iso3="PSE")
    )
    from safepassage.conftest import make_user

    worker = make_user("ps_caseworker", office, "caseworker")
    make_case(office, worker, citizenship="PSE")
    data = report()
    assert data["by_region"]["unassigned"] == 1
    assert data["regions"]["unassigned"]["by_citizenship"] == {"PSE": 1}


def test_person_update_moves_the_figures(cases, world):
    case = cases["birthday"]
    case.refresh_from_db()
    person_update(
        actor=world.user("B", "caseworker"),
        case=case,
        expected_version=case.version,
        data={"sex": "Feminine", "birth_date": dt.date(2009, 1, 1)},
    )
    data = report()
    assert data["by_sex"]["female"] == 3
    assert data["by_age_group"]["child"] == 3


def test_reintegration_and_avrr(cases, world):
    worker = world.user("A", "caseworker")
    case = cases["both"]
    give_consent(case, worker, ConsentScope.ASSISTANCE)
    for service in ("legal", "medical"):
        assistance_record(
            actor=worker,
            case=case,
            service_type=service,
            phase="reintegration",
            start_date=REGISTERED,
        )
    # A protection-phase service does not make a return.
    other = cases["dual"]
    give_consent(other, worker, ConsentScope.ASSISTANCE)
    assistance_record(
        actor=worker, case=other, service_type="legal", phase="protection", start_date=REGISTERED
    )
    data = report()
    assert data["reintegration_assistance"] == {
        "beneficiaries": 1,
        "legal": 1,
        "medical": 1,
        "financial": 0,
        "housing": 0,
        "community_based": 0,
        "education": 0,
    }
    assert data["avrr_profile"]["returns"] == 1
    assert data["avrr_profile"]["adult_female"] == 1
    assert data["regions"]["vienna"]["avrr_profile"]["adult_female"] == 1


def test_individuals_count_linkage_clusters(cases):
    # Record linkage writes the cluster id; two instances of one individual count once.
    CaseFact.objects.filter(case_id=cases["dual"].pk).update(individual_id=cases["both"].person_id)
    data = report()
    assert data["instances"] == 6
    assert data["individuals"] == 5


def test_a_case_known_only_to_a_band_of_years_counts_in_no_year(world):
    from safepassage.cases.tests.factories import make_case
    from safepassage.stats.models import CaseFact
    from safepassage.stats.services import case_fact_refresh

    case = make_case(world.office_a, world.user("A", "caseworker"))
    assert CaseFact.objects.filter(case_id=case.pk).exists()
    type(case).objects.filter(pk=case.pk).update(registration_period="2014-2018")
    assert case_fact_refresh(case) is None
    assert not CaseFact.objects.filter(case_id=case.pk).exists()
