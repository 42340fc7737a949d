"""Regions: the eight IOM regional offices of 2011 (Annex 2 of the annual report).

Source: IOM, Counter Trafficking and Assistance to Vulnerable Migrants, Annual Report of
Activities 2011, Annex 2 ("IOM Regional Offices and the countries they cover"), shipped as
`data/iom-regions-2011.csv`. Countries not listed there are `unassigned`.
"""

from __future__ import annotations

import csv
from functools import cache
from pathlib import Path

from django.db import models
from django.utils.translation import gettext_lazy as _

DATA_DIR = Path(__file__).resolve().parent / "data"
ANNEX2_FILE = DATA_DIR / "iom-regions-2011.csv"


class Region(models.TextChoices):
    BANGKOK = "bangkok", _("Bangkok (Asia and the Pacific)")
    BRUSSELS = "brussels", _("Brussels (European Economic Area)")
    BUENOS_AIRES = "buenos_aires", _("Buenos Aires (South America)")
    CAIRO = "cairo", _("Cairo (Middle East and North Africa)")
    DAKAR = "dakar", _("Dakar (Central and West Africa)")
    PRETORIA = "pretoria", _("Pretoria (Southern Africa)")
    SAN_JOSE = "san_jose", _("San Jose (Central and North America and the Caribbean)")
    VIENNA = "vienna", _("Vienna (South-Eastern Europe, Eastern Europe and Central Asia)")
    UNASSIGNED = "unassigned", _("Unassigned")


REGION_KEYS: tuple[str, ...] = tuple(Region.values)


@cache
def annex2_regions() -> dict[str, str]:
    """ISO alpha-3 -> region key, exactly as Annex 2 lists them."""
    with ANNEX2_FILE.open(encoding="utf-8", newline="") as handle:
        return {row["iso3"]: row["region_key"] for row in csv.DictReader(handle)}


def region_of(iso3: str | None) -> str:
    if not iso3:
        return Region.UNASSIGNED.value
    return annex2_regions().get(iso3, Region.UNASSIGNED.value)
