"""Name folding shared by the case search and the linkage: one implementation."""

from __future__ import annotations

import pytest

from safepassage.core.names import fold, fold_identifier, name_key, skeleton, tokens


@pytest.mark.parametrize(
    "variants",
    [
        ("Oleksandr", "Aleksandr", "Olexandr", "Александр", "Олександр"),
        ("Kovalenko", "Kowalenko", "Коваленко"),
        ("Youssef", "Yusuf", "Yousef", "يوسف"),
        ("Younes", "Yunus", "يونس"),
        ("Abdelrahman", "Abdul Rahman", "Abderrahmane", "عبد الرحمن"),
        ("Abdullah", "Abdallah", "عبد الله"),
    ],
)
def test_variants_share_a_name_key(variants: tuple[str, ...]) -> None:
    keys = {name_key(name) for name in variants}
    assert len(keys) == 1, {name: name_key(name) for name in variants}


def test_search_tokens_and_skeletons() -> None:
    assert tokens("Олександр  Коваленко") == ["oleksandr", "kovalenko"]
    assert skeleton("oleksandr") == skeleton("olexandr") == skeleton("aleksandr")
    assert skeleton("kowalenko") == skeleton("kovalenko")


def test_fold_keeps_letters_and_identifier_fold_keeps_digits() -> None:
    assert fold("  Ol'ga  Петренко-Бойко 12") == "olga petrenko boyko"
    assert fold_identifier("Flat 4B, 17 Wallaby Pl.") == "flat 4b 17 wallaby pl"
