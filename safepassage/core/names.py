"""Name folding shared by search-before-create and record linkage (one implementation).

Names arrive in many scripts and transliterations (Олександр / Oleksandr / Aleksandr / Olexandr;
محمد / Mohammed / Muhammad / Mohamed). Folding maps them to lowercase ASCII (anyascii); the
skeleton of a token drops what transliterations disagree on (vowels, doubled letters, digraph
spellings), so variants of one name share a key. Arabic script carries no short vowels, so the
skeleton drops vowels everywhere. `name_key` runs the skeletons of a whole name together and
ignores the Arabic article, because scripts split names differently (عبد الله / Abdullah) and
offices write the article or not (النجار / Al-Najjar / Najjar).

The case search stores blind indexes of `skeleton` values: changing the rewrites below changes
those keys, so persons' name keys must be refreshed (`cases.services.refresh_name_keys`) after
such a change.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from functools import lru_cache
from typing import Final

from anyascii import anyascii

_NON_LETTERS = re.compile(r"[^a-z ]+")
_NON_ALNUM = re.compile(r"[^a-z0-9]+")
# Soft signs, the Arabic ain and apostrophes transliterate to quote marks inside a word
# (Ковальова -> koval'ova); they are dropped rather than split the word.
_INWORD_MARKS = re.compile(r"['`\u2019\u02bc\u02b9\"]")
# Ordered rewrites: digraphs first so that single-letter rules see the reduced form. Each maps
# the spellings that romanisation systems disagree on to one representative.
_SKELETON_REWRITES: Final[tuple[tuple[re.Pattern[str], str], ...]] = tuple(
    (re.compile(pattern), replacement)
    for pattern, replacement in (
        (r"shch|sch|sh|sz|ch|tsch|tch|cz|ts|tz", "s"),
        (r"dzh|dj|zh|j", ""),
        (r"kh", "h"),
        (r"gh", "g"),
        (r"ck|q|c", "k"),
        (r"ph", "f"),
        (r"th", "t"),
        (r"dh", "d"),
        (r"x", "ks"),
        # Arabic و after a consonant (ي counts as one) and before another is a long u
        # (الجبوري -> ljbwry, يوسف -> ywsf), elsewhere w is a v.
        (r"(?<=[^aeiou])w(?=[^aeiouy]|$)", ""),
        (r"w", "v"),
        (r"ff$", "v"),
        # Arabic ta marbuta and Ukrainian/Russian h/g: a final h is too unstable to carry.
        (r"(?<=.)h$", ""),
        (r"h", "g"),
        (r"[aeiouy]", ""),
        (r"(.)\1+", r"\1"),
    )
)
_ARABIC_ARTICLE = re.compile(r"(?:^|(?<=\s))\u0627\u0644")
_LATIN_ARTICLE = re.compile(r"\b(?:al|el)(?:[- ]+|(?=[^aeiouy\s-]\w{3,}))")
# The article inside Abd al-... names (عبد الرحمن: Abdelrahman, Abdul Rahman, Abd al-Rahman).
_ABD_ARTICLE = re.compile(r"\babd[ -]?(?:el|ul|al|ol)[ -]?(?=[^aeiouy\s-])")


@lru_cache(maxsize=500_000)
def fold(text: str) -> str:
    """Lowercase ASCII letters and single spaces: 'Олександр  Коваленко' -> 'oleksandr kovalenko'."""
    ascii_text = _INWORD_MARKS.sub("", anyascii(unicodedata.normalize("NFKC", text or ""))).lower()
    return " ".join(_NON_LETTERS.sub(" ", ascii_text).split())


@lru_cache(maxsize=200_000)
def fold_identifier(text: str) -> str:
    """Like `fold` but keeping digits, for addresses, postcodes and document numbers."""
    ascii_text = _INWORD_MARKS.sub("", anyascii(unicodedata.normalize("NFKC", text or ""))).lower()
    return " ".join(_NON_ALNUM.sub(" ", ascii_text).split())


def tokens(text: str) -> list[str]:
    return list(_tokens(text))


@lru_cache(maxsize=500_000)
def _tokens(text: str) -> tuple[str, ...]:
    return tuple(token for token in fold(text).split(" ") if token)


@lru_cache(maxsize=500_000)
def skeleton(token: str) -> str:
    """Consonant skeleton of one folded token: 'oleksandr', 'aleksandr', 'olexandr' -> 'lksndr'."""
    value = token
    for pattern, replacement in _SKELETON_REWRITES:
        value = pattern.sub(replacement, value)
    # An all-vowel name would vanish; keep it whole rather than collide with every other one.
    return value or token


@lru_cache(maxsize=500_000)
def name_key(text: str) -> str:
    """Key of a whole name, article ignored: 'Al-Najjar', 'Najjar', 'النجار' -> 'nsr'."""
    text = _ARABIC_ARTICLE.sub("", text or "")
    text = _ABD_ARTICLE.sub("abd ", anyascii(text).lower())
    text = _LATIN_ARTICLE.sub(" ", text)
    return "".join(skeleton(token) for token in _tokens(text))


def skeletons(texts: Iterable[str]) -> list[str]:
    """Distinct skeletons of the tokens of several names, sorted, for order-free comparisons."""
    return sorted({skeleton(token) for text in texts for token in _tokens(text)})
