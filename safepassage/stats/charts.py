"""Charts as Vega-Lite specifications, rendered to SVG on the server (vl-convert), so the
dashboard, the HTML report and the PDF show the same drawings and nothing loads a script."""

from __future__ import annotations

import hashlib
import json
from typing import Any

import vl_convert
from django.core.cache import caches

from safepassage.stats.labels import label

SCHEMA = "https://vega.github.io/schema/vega-lite/v5.json"
COLOUR = "#1f5f8b"
# How long a drawing is kept: a drawing depends on its specification alone, so this only bounds
# the space that drawings of figures nobody asks for any more take.
DRAWING_CACHE_SECONDS = 24 * 3600
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
    return render_svgs([spec])[0]


def render_svgs(specs: list[dict[str, Any]]) -> list[str]:
    """The SVG drawings of `specs`. vl-convert keeps the interpreter lock while it draws (0.1 s
    of CPU a chart, 0.7 s for the dashboard's eight), stalling every other request of the
    server process meanwhile; a specification always gives the same drawing, so drawings are
    kept in the shared `stats` cache under its digest and drawn again only when the figures,
    labels or language they show have changed."""
    keys = [
        "stats-chart:"
        + hashlib.sha256(
            json.dumps(spec, sort_keys=True, separators=(",", ":")).encode()
        ).hexdigest()
        for spec in specs
    ]
    cache = caches["stats"]
    drawn: dict[str, str] = cache.get_many(keys)
    missing = {
        key: vl_convert.vegalite_to_svg(spec)
        for key, spec in zip(keys, specs, strict=True)
        if key not in drawn
    }
    if missing:
        cache.set_many(missing, DRAWING_CACHE_SECONDS)
    return [drawn.get(key) or missing[key] for key in keys]


def _pct(n: int, total: int) -> float:
    return round(100 * n / total, 1) if total else 0.0
