from __future__ import annotations

import csv
from pathlib import Path

import pytest

from safepassage.reference.codes import CODE_LISTS, MeansOfControl
from safepassage.reference.countries import countries_by_iso3
from safepassage.reference.models import Country
from safepassage.reference.regions import ANNEX2_FILE, Region, region_of
from safepassage.reference.services import reference_load


def test_annex2_has_eight_regions_and_every_listed_country_is_known() -> None:
    with Path(ANNEX2_FILE).open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert {row["region_key"] for row in rows} == set(Region.values) - {"unassigned"}
    assert all(row["iso3"] in countries_by_iso3() for row in rows)


def test_regions() -> None:
    assert region_of("UKR") == "vienna"
    assert region_of("THA") == "bangkok"
    assert region_of("XKX") == "vienna"
    assert region_of("USA") == "san_jose"
    assert region_of("ATA") == "unassigned"  # not listed in Annex 2
    assert region_of(None) == "unassigned"


def test_kosovo_is_a_country() -> None:
    assert countries_by_iso3()["XKX"].iso2 == "XK"


def test_seventeen_means_of_control() -> None:
    assert len(MeansOfControl.values) == 17
    assert all(len(codes.values) == len(set(codes.values)) for codes in CODE_LISTS.values())


@pytest.mark.django_db
def test_reference_is_loaded_by_migrate_and_reload_is_idempotent() -> None:
    assert Country.objects.count() == 250
    result = reference_load()
    assert (result.created, result.updated) == (0, 0)
    assert Country.objects.get(iso3="HTI").region == "san_jose"
