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


FLAT = [("", "any"), ("UKR", "Ukraine"), ("CIV", "Côte d'Ivoire"), ("X<Y", "A & <b>B</b>")]


def test_flat_list_reused_renders_what_select_renders_for_every_choice() -> None:
    # Given the same list rendered again and again (the options are written once)
    widget = LongSelect(choices=FLAT)
    for value in ("", "UKR", "X<Y", "CIV", None, "missing", ["UKR", "CIV"], "UKR"):
        attrs = {"id": "id_nationality"}
        expected = forms.Select(choices=FLAT).render("nationality", value, attrs)
        # Then each rendering marks exactly the option Django marks
        assert _markup(widget.render("nationality", value, attrs)) == _markup(expected), value


def test_labels_are_those_of_the_current_language() -> None:
    from django.utils import translation
    from django.utils.translation import gettext_lazy

    # Django's own catalogue translates these.
    choices = [("", gettext_lazy("Yes")), ("0", gettext_lazy("No"))]
    with translation.override("en"):
        english = LongSelect(choices=choices).render("status", "")
    with translation.override("fr"):
        french = LongSelect(choices=choices).render("status", "")
        expected = forms.Select(choices=choices).render("status", "")
    assert _markup(french) == _markup(expected)
    assert french != english
