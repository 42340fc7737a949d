"""Countries: ISO 3166-1 from pycountry, plus Kosovo (XKX, a user-assigned code in use at the UN
and in IOM data), each with its Annex 2 region."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import pycountry

from safepassage.reference.regions import region_of

UNKNOWN_COUNTRY = "UNK"


@dataclass(frozen=True)
class CountryInfo:
    iso3: str
    iso2: str
    name: str
    region: str


EXTRA_COUNTRIES = (CountryInfo(iso3="XKX", iso2="XK", name="Kosovo", region=region_of("XKX")),)


@cache
def all_countries() -> tuple[CountryInfo, ...]:
    listed = [
        CountryInfo(
            iso3=country.alpha_3,
            iso2=country.alpha_2,
            name=getattr(country, "common_name", None) or country.name,
            region=region_of(country.alpha_3),
        )
        for country in pycountry.countries
    ]
    return tuple(sorted([*listed, *EXTRA_COUNTRIES], key=lambda c: c.name))


@cache
def countries_by_iso3() -> dict[str, CountryInfo]:
    return {country.iso3: country for country in all_countries()}


@cache
def countries_by_iso2() -> dict[str, CountryInfo]:
    return {country.iso2: country for country in all_countries()}


def country_choices() -> list[tuple[str, str]]:
    return [(country.iso3, country.name) for country in all_countries()]
