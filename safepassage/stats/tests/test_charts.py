"""Chart drawings: drawn once per specification, whatever process asks."""

from __future__ import annotations

from typing import Any

import vl_convert
from django.utils import translation

from safepassage.stats import charts


def test_a_drawing_is_reused_until_its_figures_change(monkeypatch):
    # Given a drawing engine that counts its drawings
    drawn: list[dict[str, Any]] = []

    def draw(spec: dict[str, Any]) -> str:
        drawn.append(spec)
        return f"<svg>{len(drawn)}</svg>"

    monkeypatch.setattr(vl_convert, "vegalite_to_svg", draw)
    sex = charts.shares("Sex", "sex", {"female": 3, "male": 1}, 4)
    age = charts.shares("Age group", "age", {"adult": 4}, 4)
    # When the same charts are asked for twice
    first = charts.render_svgs([sex, age])
    again = charts.render_svgs([sex, age])
    # Then each is drawn once, and the same drawing is returned
    assert first == again == ["<svg>1</svg>", "<svg>2</svg>"]
    assert len(drawn) == 2
    # and a chart whose figures changed is drawn anew, the others reused
    changed = charts.shares("Sex", "sex", {"female": 4, "male": 1}, 5)
    assert charts.render_svgs([changed, age]) == ["<svg>3</svg>", "<svg>2</svg>"]
    assert len(drawn) == 3


def test_drawings_are_real_svg_and_reused(db):
    with translation.override("en"):
        spec = charts.top_ten("Top nationalities", {"UKR": 2, "THA": 1}, 3)
        svg = charts.render_svg(spec)
    assert svg.startswith("<svg")
    assert "Ukraine" in svg
    assert charts.render_svg(spec) == svg
