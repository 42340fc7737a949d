"""Synthetic individuals shaped like counter-trafficking data, for tests and the research bench.

Proportions follow the 2011 annual report in the seed (top nationalities and destinations, 36%
children, 62% women, labour ahead of sexual exploitation, one third internal trafficking); the
long tail of other countries is Zipf-like so that rare combinations exist, as they do in real
case data, and the k-anonymiser has real work to do. Nothing here describes a real person.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pandas as pd

from safepassage.reference.countries import all_countries

NATIONALITIES: dict[str, int] = {
    "UKR": 835,
    "HTI": 709,
    "YEM": 378,
    "LAO": 359,
    "UZB": 292,
    "KHM": 258,
    "KGZ": 213,
    "AFG": 179,
    "BLR": 141,
    "ETH": 122,
    "MMR": 95,
    "MDA": 90,
    "IDN": 85,
    "NPL": 70,
    "NGA": 65,
    "TJK": 60,
    "VNM": 55,
    "PHL": 50,
    "BGD": 45,
    "ROU": 40,
}
DESTINATIONS: dict[str, int] = {
    "RUS": 837,
    "HTI": 658,
    "YEM": 552,
    "THA": 449,
    "KAZ": 265,
    "AFG": 170,
    "IDN": 148,
    "POL": 122,
    "EGY": 103,
    "TUR": 101,
    "MYS": 90,
    "SAU": 80,
    "ARE": 70,
    "DEU": 50,
    "ITA": 45,
}
EXPLOITATION_TYPES: dict[str, float] = {
    "labour": 0.55,
    "sexual": 0.28,
    "sexual_and_labour": 0.04,
    "begging": 0.03,
    "other": 0.05,
    "unknown": 0.05,
}
MEANS_OF_CONTROL = (
    "means_debt_bondage",
    "means_takes_earnings",
    "means_threats",
    "means_physical_abuse",
    "means_restricts_movement",
    "means_withholds_documents",
)
CHILD_SHARE = 0.36
AGE_UNKNOWN_SHARE = 0.04
INTERNAL_SHARE = 0.33
UNKNOWN_COUNTRY_SHARE = 0.02
TAIL_SHARE = 0.12
DEFAULT_SEED = 20111231


def _weighted(
    rng: np.random.Generator, weights: dict[str, float] | dict[str, int], size: int
) -> npt.NDArray[np.object_]:
    keys = list(weights)
    p = np.array([float(weights[key]) for key in keys])
    return rng.choice(np.array(keys, dtype=object), size=size, p=p / p.sum())


def _with_tail(
    rng: np.random.Generator, head: dict[str, int], tail: list[str], size: int
) -> npt.NDArray[np.object_]:
    """Head countries by their weights, a Zipf-like tail over every other country."""
    values = _weighted(rng, head, size)
    in_tail = rng.random(size) < TAIL_SHARE
    ranks = np.arange(1, len(tail) + 1, dtype=float)
    tail_p = 1 / ranks**1.1
    values[in_tail] = rng.choice(
        np.array(tail, dtype=object), size=int(in_tail.sum()), p=tail_p / tail_p.sum()
    )
    unknown = rng.random(size) < UNKNOWN_COUNTRY_SHARE
    values[unknown] = "UNK"
    return values


def synthetic_individuals(
    n: int, *, seed: int = DEFAULT_SEED, years: tuple[int, int] = (2015, 2024)
) -> pd.DataFrame:
    """`n` individuals, one row each, with the research input columns and six means flags."""
    rng = np.random.default_rng(seed)
    countries = [country.iso3 for country in all_countries()]
    # A fixed shuffle decides which tail countries are common, so the tail is not alphabetical.
    tail_order = np.random.default_rng(seed + 1).permutation(len(countries))
    tail = [countries[i] for i in tail_order]
    citizenship = _with_tail(rng, NATIONALITIES, [c for c in tail if c not in NATIONALITIES], n)
    destination = _with_tail(rng, DESTINATIONS, [c for c in tail if c not in DESTINATIONS], n)
    internal = (rng.random(n) < INTERNAL_SHARE) & (citizenship != "UNK")
    destination[internal] = citizenship[internal]

    # Case loads grow over the period, as registrations did in the report years.
    year_values = np.arange(years[0], years[1] + 1)
    year_p = np.linspace(1.0, 2.0, len(year_values))
    year = rng.choice(year_values, size=n, p=year_p / year_p.sum())

    sex = _weighted(rng, {"female": 0.62, "male": 0.36, "other": 0.005, "unknown": 0.015}, n)
    child = rng.random(n) < CHILD_SHARE
    age = np.where(
        child,
        rng.integers(3, 18, size=n),
        np.clip(np.round(rng.gamma(shape=4.0, scale=5.5, size=n) + 18), 18, 75),
    ).astype("int64")
    age_series = pd.Series(age, dtype="Int64")
    age_series[rng.random(n) < AGE_UNKNOWN_SHARE] = pd.NA

    exploitation = _weighted(rng, EXPLOITATION_TYPES, n)
    # Women are over-represented in sexual exploitation, men in labour, as in the report.
    flip = (sex == "male") & (exploitation == "sexual") & (rng.random(n) < 0.7)
    exploitation[flip] = "labour"

    frame = pd.DataFrame(
        {
            "year_of_registration": year.astype("int64"),
            "sex": sex.astype(str),
            "age": age_series,
            "citizenship": citizenship.astype(str),
            "country_of_exploitation": destination.astype(str),
            "exploitation_type": exploitation.astype(str),
        }
    )
    for index, flag in enumerate(MEANS_OF_CONTROL):
        frame[flag] = rng.random(n) < 0.15 + 0.05 * index
    return frame
