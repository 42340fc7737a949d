"""LongSelect writes the markup Django's Select renders through templates, escaped alike."""

from __future__ import annotations

import re

from django import forms

from safepassage.web.widgets import LongSelect

CHOICES = [
    ("", "any"),
    ("UKR", "Ukraine"),
    ("CIV", "Côte d'Ivoire"),
    ("X<Y", 'A "quoted" & <b>bold</b> label'),
    ("Region", [("PSE", "Palestine, State of"), ("ISR", "Israel")]),
]


def _markup(html: str) -> str:
    return re.sub(r">\s+<", "><", html.strip())


def test_long_select_renders_what_select_renders() -> None:
    for value in ("", "CIV", "X<Y", "PSE"):
        attrs = {"id": "id_nationality", "required": True}
        expected = forms.Select(choices=CHOICES).render("nationality", value, attrs)
        got = LongSelect(choices=CHOICES).render("nationality", value, attrs)
        assert _markup(got) == _markup(expected), value
    assert "<b>" not in LongSelect(choices=CHOICES).render("n", "")
