"""Charts as Vega-Lite specifications, rendered to SVG on the server (vl-convert), so the
dashboard, the HTML report and the PDF show the same drawings and nothing loads a script."""

from __future__ import annotations

from typing import Any

import vl_convert

from safepassage.stats.labels import label

SCHEMA = "https://vega.github.io/schema/vega-lite/v5.json"
COLOUR = "#1f5f8b"
PREVIOUS = "#9bb7cc"


def _bars(
    title: str, rows: list[dict[str, Any]], *, share: bool, unit: str = "instances"
) -> dict[str, Any]:
    x_field, x_title = ("share", f"% of {unit}") if share else ("n", unit)
    return {
        "$schema": SCHEMA,
        "title": title,
        "width": 420,
        "data": {"values": rows},
        "mark": {"type": "bar", "color": COLOUR},
        "encoding": {
            "y": {"field": "label", "type": "nominal", "sort": None, "title": None},
            "x": {"field": x_field, "type": "quantitative", "title": x_title},
            "tooltip": [{"field": "label"}, {"field": "n"}, {"field": "share"}],
        },
        "config": {"font": "DejaVu Sans", "view": {"stroke": None}},
    }


def top_ten(title: str, counts: dict[str, int], total: int) -> dict[str, Any]:
    rows = [
        {"label": label("country", code), "n": n, "share": _pct(n, total)}
        for code, n in list(counts.items())[:10]
    ]
    return _bars(title, rows, share=False)


def shares(
    title: str, kind: str, counts: dict[str, int], total: int, unit: str = "instances"
) -> dict[str, Any]:
    rows = [
        {"label": label(kind, key), "n": n, "share": _pct(n, total)} for key, n in counts.items()
    ]
    return _bars(title, rows, share=True, unit=unit)


def year_over_year(
    title: str, figures: list[tuple[str, int, int]], years: tuple[int, int]
) -> dict[str, Any]:
    previous, current = years
    rows = [
        row
        for name, now, before in figures
        for row in (
            {"figure": name, "year": str(previous), "n": before},
            {"figure": name, "year": str(current), "n": now},
        )
    ]
    return {
        "$schema": SCHEMA,
        "title": title,
        "width": 420,
        "data": {"values": rows},
        "mark": "bar",
        "encoding": {
            "y": {"field": "figure", "type": "nominal", "sort": None, "title": None},
            "yOffset": {"field": "year"},
            "x": {"field": "n", "type": "quantitative", "title": "instances"},
            "color": {
                "field": "year",
                "type": "nominal",
                "scale": {"range": [PREVIOUS, COLOUR]},
                "title": None,
            },
        },
        "config": {"font": "DejaVu Sans", "view": {"stroke": None}},
    }


def render_svg(spec: dict[str, Any]) -> str:
    svg: str = vl_convert.vegalite_to_svg(spec)
    return svg


def _pct(n: int, total: int) -> float:
    return round(100 * n / total, 1) if total else 0.0
