"""Anonymised persons keep the individual they counted as: linkage runs after anonymisation
neither score them nor change the individuals in the reports."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from safepassage.cases.models import Case
from safepassage.cases.tests.factories import make_case
from safepassage.linkage import services
from safepassage.linkage.models import LinkageRun, PersonCluster
from safepassage.linkage.pipeline import LinkageModel, LinkageSettings, train_model
from safepassage.linkage.synthetic import generate_cross_border
from safepassage.retention.services import retention_apply
from safepassage.retention.tests.factories import close_on
from safepassage.stats.selectors import StatsFilters, indicator_report

pytestmark = pytest.mark.django_db

SETTINGS = LinkageSettings(u_max_pairs=2e5, em_max_pairs=2e5, duckdb_threads=2)
THRESHOLD = 0.99
REGISTERED = dt.date(2014, 5, 6)


@pytest.fixture(scope="module")
def model():
    return train_model(generate_cross_border(300, seed=3).records, settings=SETTINGS)


def _run(model: LinkageModel, **kwargs: Any) -> LinkageRun:
    return services.linkage_run(
        actor=None, model=model, settings=SETTINGS, threshold=THRESHOLD, **kwargs
    )


def _individuals() -> int:
    report = indicator_report(viewer=None, filters=StatsFilters(year=REGISTERED.year))
    return int(report["individuals"])


def _individual(case: Case) -> int:
    return PersonCluster.objects.get(person_id=case.person_id).individual_id


def test_linked_instances_stay_one_individual_after_anonymisation(world, model):
    a, b = world.user("A", "caseworker"), world.user("B", "caseworker")
    # Given one individual registered at both offices (A first, so its id names the cluster)
    first = make_case(
        world.office_a, a, given="Oleksandr", family="Kovalenko", registered=REGISTERED
    )
    second = make_case(
        world.office_b, b, given="Oleksandr", family="Kovalenko", registered=REGISTERED
    )
    other = make_case(world.office_b, b, given="Nok", family="Srisuk", registered=REGISTERED)
    _run(model)
    assert _individual(first) == _individual(second) == first.person_id
    assert _individuals() == 2
    # When the first instance's case expires and is anonymised
    close_on(first, world.user("A", "supervisor"), dt.date(2015, 1, 1))
    assert retention_apply(today=dt.date(2026, 11, 1)).anonymised == 1
    # Then full and incremental runs keep the individual, without scoring the anonymised one
    full = _run(model)
    assert full.status == LinkageRun.Status.SUCCEEDED
    assert full.must_links >= 1
    assert _individual(first) == _individual(second) == first.person_id
    assert _individuals() == 2
    late = make_case(world.office_b, b, given="Anong", family="Wongsa", registered=REGISTERED)
    incremental = _run(model, mode=LinkageRun.Mode.INCREMENTAL)
    assert incremental.new_instances == 1
    assert _individual(first) == _individual(second) == first.person_id
    assert _individual(late) == late.person_id
    assert _individual(other) == other.person_id
    assert _individuals() == 3


def test_an_anonymised_individual_of_its_own_stays_one(world, model):
    a = world.user("A", "caseworker")
    alone = make_case(world.office_a, a, given="Petro", family="Shevchuk", registered=REGISTERED)
    make_case(world.office_a, a, given="Iryna", family="Bondarenko", registered=REGISTERED)
    close_on(alone, world.user("A", "supervisor"), dt.date(2015, 1, 1))
    retention_apply(today=dt.date(2026, 11, 1))
    before = _individuals()
    _run(model)
    assert _individual(alone) == alone.person_id
    assert _individuals() == before == 2
