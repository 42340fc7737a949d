"""Name folding shared by search-before-create and record linkage.

Names arrive in many scripts and transliterations (Олександр / Oleksandr / Aleksandr / Olexandr;
محمد / Mohammed / Muhammad / Mohamed). Folding maps them to lowercase ASCII (anyascii), and the
skeleton drops what transliterations disagree on (vowels, doubled letters, common digraph
spellings), so variants of one name share a key.
"""

from __future__ import annotations

import re
import unicodedata

from anyascii import anyascii

_NON_LETTERS = re.compile(r"[^a-z ]+")
# Soft signs and apostrophes transliterate to quote marks inside a word (Ковальова -> koval'ova).
_INWORD_MARKS = re.compile(r"['`\u2019\u02bc\u02b9\"]")
# Spellings that differ only by transliteration convention, folded to one form.
_EQUIVALENT_SPELLINGS = (
    ("kh", "h"),
    ("x", "ks"),
    ("ph", "f"),
    ("ck", "k"),
    ("q", "k"),
    ("c", "k"),
    ("w", "v"),
    ("j", "y"),
    ("ou", "u"),
    ("ee", "i"),
    ("oo", "u"),
    ("dzh", "j"),
    ("zh", "j"),
    ("sch", "sh"),
    ("tch", "ch"),
    ("ts", "z"),
)
_VOWELS = re.compile(r"[aeiouy]")
_REPEATS = re.compile(r"(.)\1+")


def fold(text: str) -> str:
    """Lowercase ASCII letters and single spaces: 'Олександр  Коваленко' -> 'oleksandr kovalenko'."""
    ascii_text = _INWORD_MARKS.sub("", anyascii(unicodedata.normalize("NFKC", text or ""))).lower()
    return " ".join(_NON_LETTERS.sub(" ", ascii_text).split())


def tokens(text: str) -> list[str]:
    return [token for token in fold(text).split(" ") if token]


def skeleton(token: str) -> str:
    """Consonant skeleton of one folded token: 'oleksandr', 'aleksandr', 'olexandr' -> 'lksndr'."""
    value = token
    for source, target in _EQUIVALENT_SPELLINGS:
        value = value.replace(source, target)
    value = _VOWELS.sub("", value)
    value = _REPEATS.sub(r"\1", value)
    return value or token[:1]
