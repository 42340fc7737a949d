"""The statistics dashboard and report downloads: aggregates only, never a name."""

from __future__ import annotations

import hashlib
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.core.cache import caches
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from safepassage.access.permissions import Perm
from safepassage.access.policy import has_perm_somewhere, scope_for
from safepassage.core import clock
from safepassage.core.cache import compute_once
from safepassage.core.errors import NotFound
from safepassage.offices.models import Office
from safepassage.stats import charts
from safepassage.stats.forms import StatsFilterForm
from safepassage.stats.labels import label
from safepassage.stats.render import CONTENT_TYPES, FORMATS, render
from safepassage.stats.report import dashboard_specs, pct
from safepassage.stats.selectors import (
    StatsFilters,
    can_view_stats,
    indicator_report,
    scope_report,
    stats_scope,
)


def _filters(request: HttpRequest) -> tuple[StatsFilterForm, StatsFilters]:
    if not can_view_stats(request.user):
        raise NotFound(_("Page not found."))
    offices = scope_for(request.user, Perm.STATS_VIEW).filter_offices(
        Office.objects.filter(kind=Office.Kind.COUNTRY).order_by("code")
    )
    # An office outside the scope is not a choice: the form drops it, and the selector
    # answers "not found" for a raw id, so nobody learns other offices' figures.
    raw = request.GET.get("office", "")
    if raw and (not raw.isdigit() or not offices.filter(pk=int(raw)).exists()):
        raise NotFound(_("Office not found."))
    form = StatsFilterForm(request.GET or None, offices=offices)
    return form, form.filters(default_year=clock.today().year - 1)


def _drill_down(filters: StatsFilters) -> dict[str, str] | None:
    """Query parameters of /cases/ for the cases behind a figure (the case list has no region
    filter, so a region-filtered view offers no drill-down)."""
    if filters.region:
        return None
    params = {
        "registered_from": f"{filters.year}-01-01",
        "registered_to": f"{filters.year}-12-31",
    }
    if filters.office is not None:
        params["office"] = str(filters.office)
    if filters.category:
        params["category"] = filters.category
    return params


def _dashboard_figures(request: HttpRequest, filters: StatsFilters) -> dict[str, Any]:
    """The figures and charts of the dashboard, reused for SAFEPASSAGE_STATS_CACHE_SECONDS by
    every viewer with the same scope, filters and language: at a million cases they cost
    seconds, which a busy office would otherwise pay on every visit. The `stats` cache is
    shared by every server process, and one request computes a key while the others show the
    previous figures (or wait for them), so the computation runs once per key and period
    however many processes serve the dashboard. The viewer's scope is checked on every request
    before the cache is consulted; the key is that scope, so a viewer only ever gets figures
    computed for exactly what they may see."""
    scope = stats_scope(viewer=request.user, filters=filters)

    def compute() -> dict[str, Any]:
        data = scope_report(scope)
        return {
            "data": data,
            "charts": charts.render_svgs(dashboard_specs(data)),
            "as_of": clock.now(),
        }

    seconds = settings.SAFEPASSAGE_STATS_CACHE_SECONDS
    if not seconds:
        return compute()
    offices = scope.offices
    identity = repr((offices.everything, sorted(offices.office_ids), filters, get_language() or ""))
    key = "stats-dashboard:" + hashlib.sha256(identity.encode()).hexdigest()
    return compute_once(caches["stats"], key, compute, seconds=seconds)


def dashboard(request: HttpRequest) -> HttpResponse:
    form, filters = _filters(request)
    figures = _dashboard_figures(request, filters)
    data = figures["data"]
    total = data["instances"]
    params = _drill_down(filters) if has_perm_somewhere(request.user, Perm.CASE_VIEW) else None
    cases_url = reverse("cases:case_list")

    def link(**extra: str) -> str:
        return f"{cases_url}?{urlencode({**(params or {}), **extra})}" if params is not None else ""

    nationalities = [
        {
            "label": label("country", code),
            "code": code,
            "n": n,
            "share": pct(n, total),
            "url": link(nationality=code) if code != "UNK" else "",
        }
        for code, n in list(data["by_citizenship"].items())[:10]
    ]
    destinations = [
        {"label": label("country", code), "code": code, "n": n, "share": pct(n, total)}
        for code, n in list(data["by_country_of_exploitation"].items())[:10]
    ]
    blocks = [
        (_("Exploitation type"), "exploitation", data["by_exploitation_type"]),
        (_("Sex"), "sex", data["by_sex"]),
        (_("Age group"), "age", data["by_age_group"]),
        (_("Trafficking type"), "trafficking", data["by_trafficking_type"]),
        (_("Region"), "region", data["by_region"]),
    ]
    shares = [
        {
            "title": title,
            "rows": [
                {"label": label(kind, key), "n": n, "share": pct(n, total)}
                for key, n in block.items()
            ],
        }
        for title, kind, block in blocks
    ]
    query = request.GET.urlencode()
    return TemplateResponse(
        request,
        "stats/dashboard.html",
        {
            "form": form,
            "data": data,
            "filters": filters,
            "instances_url": link(),
            "nationalities": nationalities,
            "destinations": destinations,
            "shares": shares,
            "charts": figures["charts"],
            "as_of": figures["as_of"],
            "cache_seconds": settings.SAFEPASSAGE_STATS_CACHE_SECONDS,
            "downloads": [
                (fmt, f"{reverse('stats:report', args=[fmt])}?{query}") for fmt in FORMATS
            ],
        },
    )


def report_download(request: HttpRequest, fmt: str) -> HttpResponse:
    if fmt not in FORMATS:
        raise NotFound(_("Page not found."))
    _form, filters = _filters(request)
    data: dict[str, Any] = indicator_report(viewer=request.user, filters=filters)
    body = render(data, fmt)
    # Aggregates only: no personal data, so no access event (docs/indicators.md). Sent as an
    # attachment, so the standalone HTML (with its own stylesheet) is never rendered under the
    # app's CSP.
    response = HttpResponse(body, content_type=CONTENT_TYPES[fmt])
    response["Content-Disposition"] = (
        f'attachment; filename="safepassage-report-{filters.year}.{fmt}"'
    )
    return response
