"""Feature preparation: transliteration keys, name orders, dates with precision."""

from __future__ import annotations

import datetime

import pytest

from safepassage.core.names import name_key
from safepassage.linkage.features import (
    birth_date_features,
    fold_name,
    key_variants,
    prepare_features,
)
from safepassage.linkage.pipeline import PersonRecord


@pytest.mark.parametrize(
    "variants",
    [
        ("Oleksandr", "Aleksandr", "Olexandr", "Александр", "Олександр", "Alexander"),
        ("Mohammed", "Muhammad", "Mohamed", "محمد", "Мухаммед"),
        ("Fatima", "Fatimah", "فاطمة"),
        ("Al-Najjar", "Najjar", "النجار"),
        ("Abdullah", "Abdallah", "عبد الله"),
    ],
)
def test_transliteration_variants_share_a_key(variants):
    keys = {name_key(name) for name in variants}
    assert len(keys) == 1, dict(zip(variants, map(name_key, variants), strict=True))


def test_different_names_keep_different_keys():
    assert name_key("Oleksandr") != name_key("Olga")
    assert name_key("Fatima") != name_key("Mohammed")


def test_fold_name_is_lower_latin_letters():
    assert fold_name("  Ol'ga  Петренко-Бойко ") == "olga petrenko boyko"


def test_birth_date_features_follow_precision():
    day = datetime.date(1990, 3, 7)
    assert birth_date_features(day, "exact") == ("19900307", "19900703", "199003", 1990)
    assert birth_date_features(day, "month") == (None, None, "199003", 1990)
    assert birth_date_features(day, "year") == (None, None, None, 1990)
    assert birth_date_features(day, "estimated") == (None, None, None, 1990)
    assert birth_date_features(None, "exact") == (None, None, None, None)
    # A day above 12 cannot be a month, so there is no swapped reading.
    assert birth_date_features(datetime.date(1990, 3, 17), "exact")[1] is None


def test_unknown_precision_is_rejected():
    with pytest.raises(ValueError, match="precision"):
        birth_date_features(datetime.date(1990, 1, 2), "roughly")


def test_prepare_features_gives_both_name_orders_and_aliases():
    record = PersonRecord(
        record_id="r1",
        given_names="Олександр",
        family_names="Петренко",
        aliases=["Sasha"],
        birth_date=datetime.date(1990, 3, 7),
        sex="male",
        citizenship="ukr",
    )
    row = prepare_features([record]).to_pylist()[0]
    assert row["unique_id"] == 0
    assert row["given_key"] == name_key("Oleksandr")
    assert set(row["name_tokens"]) == {
        name_key("Oleksandr"),
        name_key("Petrenko"),
        name_key("Sasha"),
    }
    assert row["citizenship"] == "UKR"
    assert row["dob_swap"] == "19900703"


def test_extra_fields_keep_digits():
    # Postcodes, street and document numbers are digits: folding them as names erased them.
    record = PersonRecord(
        record_id="r1",
        given_names="Ana",
        family_names="Lopez",
        extra={"soc_sec_id": "1804974", "address_1": "17 Wallaby Pl."},
    )
    row = prepare_features([record], extra_fields=("soc_sec_id", "address_1")).to_pylist()[0]
    assert row["x_soc_sec_id"] == "1804974"
    assert row["x_address_1"] == "17 wallaby pl"


@pytest.mark.parametrize(
    ("key", "typo"),
    [
        ("kdrvsv", "kdrsv"),  # a letter lost
        ("blskv", "blsksv"),  # a letter added
        ("mdvdnk", "mdvdkn"),  # two letters swapped
        ("ptrv", "pdrv"),  # a letter replaced
        ("dn", "n"),  # a two-letter key and its one-letter typo
    ],
)
def test_keys_one_typo_apart_share_a_variant(key, typo):
    assert set(key_variants(key)) & set(key_variants(typo))


def test_key_variants_leave_long_keys_no_single_letters():
    assert key_variants("ptrv") == ["prv", "ptr", "ptrv", "ptv", "trv"]
    assert key_variants("") == []


def test_only_estimated_birth_years_are_flagged():
    born = datetime.date(1990, 3, 7)
    records = [
        PersonRecord(
            record_id=str(n),
            given_names="Ana",
            family_names="Lopez",
            birth_date=date,
            birth_date_precision=precision,
        )
        for n, (date, precision) in enumerate(
            [(born, "exact"), (born, "year"), (born, "estimated"), (None, "exact")]
        )
    ]
    table = prepare_features(records)
    assert table.column("birth_year_estimated").to_pylist() == [False, False, True, False]
