"""The indicator engine: every figure of docs/indicators.md for a scope (year, region, office,
beneficiary category), counted in the database with GROUP BY over `CaseFact`.

A full report takes five queries whatever the number of cases: one grouping over the cube
year x region x exploitation type x sex x age group x trafficking type (with filtered counts
for returns and reintegration services), two distinct counts of individuals (per year, per
region) and one grouping each for nationality and destination. Each reads a covering index.
Python then adds up the grouped cells (a few thousand at most, never case rows) into the
global and regional blocks.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext as _

from safepassage.access.permissions import Perm
from safepassage.access.policy import OfficeScope, has_perm_somewhere, scope_for
from safepassage.core.errors import NotFound
from safepassage.offices.models import Office
from safepassage.stats import definitions as d
from safepassage.stats.models import CaseFact

Block = dict[str, Any]

# Fixed-key figures: JSON block -> (CaseFact column, keys).
FIXED: dict[str, tuple[str, tuple[str, ...]]] = {
    "by_exploitation_type": ("exploitation", d.EXPLOITATION_KEYS),
    "by_sex": ("sex", d.SEX_KEYS),
    "by_age_group": ("age_group", d.AGE_KEYS),
    "by_trafficking_type": ("trafficking", d.TRAFFICKING_KEYS),
}


@dataclass(frozen=True)
class StatsFilters:
    year: int
    region: str = ""
    office: int | None = None
    category: str = ""


@dataclass(frozen=True)
class StatsScope:
    """What a viewer asked for, checked against what they may see."""

    filters: StatsFilters
    offices: OfficeScope
    office: Office | None


def stats_scope(*, viewer: Any | None, filters: StatsFilters) -> StatsScope:
    """The viewer's statistics scope: offices where they hold `stats.view` (a headquarters role
    covers every office). `viewer=None` is the command line (the operator holds the server).
    An office outside the scope answers exactly like an office that does not exist."""
    offices = OfficeScope(everything=True) if viewer is None else scope_for(viewer, Perm.STATS_VIEW)
    not_found = NotFound(_("Office not found."))
    if offices.empty:
        raise NotFound(_("Page not found."))
    office = None
    if filters.office is not None:
        if not offices.includes(filters.office):
            raise not_found
        office = Office.objects.filter(pk=filters.office).select_related("country").first()
        if office is None:
            raise not_found
    if filters.region and filters.region not in d.REGIONS:
        raise NotFound(_("Region not found."))
    return StatsScope(filters=filters, offices=offices, office=office)


def fact_queryset(scope: StatsScope, years: list[int]) -> QuerySet[CaseFact]:
    facts = scope.offices.filter(CaseFact.objects.all()).filter(year__in=years)
    if scope.filters.region:
        facts = facts.filter(region=scope.filters.region)
    if scope.filters.office is not None:
        facts = facts.filter(office_id=scope.filters.office)
    if scope.filters.category:
        facts = facts.filter(category=scope.filters.category)
    return facts


CUBE = ("year", "region", "exploitation", "sex", "age_group", "trafficking")


def _aggregations() -> dict[str, Count]:
    """Counts per cell of the cube (year x region x every fixed-key dimension); a covering
    index on the same columns lets the database group without reading the table."""
    counted = Q(returned=True, reint_any=True)
    counts: dict[str, Count] = {
        "n": Count("*"),
        "returns": Count("year", filter=Q(returned=True)),
        "reint": Count("year", filter=counted),
    }
    for key in d.REINTEGRATION_KEYS:
        counts[f"reint_{key}"] = Count("year", filter=counted & Q(**{f"reint_{key}": True}))
    return counts


def empty_block() -> Block:
    return {
        "instances": 0,
        "individuals": 0,
        "by_citizenship": {},
        "by_country_of_exploitation": {},
        **{block: dict.fromkeys(keys, 0) for block, (_c, keys) in FIXED.items()},
        "reintegration_assistance": {
            "beneficiaries": 0,
            **dict.fromkeys(d.REINTEGRATION_KEYS, 0),
        },
        "avrr_profile": {"returns": 0, **dict.fromkeys(d.AVRR_KEYS, 0)},
    }


def _fill(block: Block, row: Mapping[str, Any]) -> None:
    """Add one cube cell (already counted by the database) to a block."""
    block["instances"] += row["n"]
    for block_name, (column, _keys) in FIXED.items():
        block[block_name][row[column]] += row["n"]
    reint = block["reintegration_assistance"]
    reint["beneficiaries"] += row["reint"]
    for key in d.REINTEGRATION_KEYS:
        reint[key] += row[f"reint_{key}"]
    avrr = block["avrr_profile"]
    avrr["returns"] += row["returns"]
    avrr[d.avrr_cell(row["age_group"], row["sex"])] += row["returns"]


def _ranked(counts: dict[str, int]) -> dict[str, int]:
    return dict(sorted(counts.items(), key=lambda item: (-item[1], item[0])))


def aggregate_submissions(scope: StatsScope) -> Block:
    """Counts sent by offices under the core variable approach. They cannot be de-duplicated
    and are never added to instances; the block is flagged with its source."""
    from safepassage.interop.selectors import aggregate_block

    return aggregate_block(
        office_ids=scope.offices.filter,
        year=scope.filters.year,
        office_id=scope.filters.office,
        region=scope.filters.region,
    )


def funding(scope: StatsScope) -> Block | None:
    """USD by region and donor, projects and countries counted, for the projects of the offices
    in scope (docs/indicators.md, Funding). None when no project is recorded at all, so the
    report has no funding chapter rather than a chapter of zeros."""
    from safepassage.projects.models import Project
    from safepassage.projects.selectors import funding_figures_in

    if not Project.objects.exists():
        return None
    offices = scope.offices
    if scope.office is not None:
        offices = OfficeScope(office_ids=frozenset({scope.office.pk}))
    return dict(funding_figures_in(scope=offices, year=scope.filters.year).as_dict())


def _year_blocks(scope: StatsScope, years: list[int]) -> dict[int, Block]:
    """Per year: the global block with `by_region` and the per-region blocks."""
    facts = fact_queryset(scope, years)
    result: dict[int, Block] = {}
    regions: dict[int, dict[str, Block]] = {}
    for year in years:
        result[year] = empty_block()
        result[year]["by_region"] = dict.fromkeys(d.REGIONS, 0)
        regions[year] = {key: empty_block() for key in d.REGIONS}
    for row in facts.values(*CUBE).annotate(**_aggregations()).order_by():
        year, region = row["year"], row["region"]
        _fill(result[year], row)
        _fill(regions[year][region], row)
        result[year]["by_region"][region] += row["n"]
    for row in facts.values("year").annotate(n=Count("individual_id", distinct=True)).order_by():
        result[row["year"]]["individuals"] = row["n"]
    for row in (
        facts.values("year", "region").annotate(n=Count("individual_id", distinct=True)).order_by()
    ):
        regions[row["year"]][row["region"]]["individuals"] = row["n"]
    for column, block_name in (
        ("nationality", "by_citizenship"),
        ("destination", "by_country_of_exploitation"),
    ):
        totals: dict[int, dict[str, int]] = {year: {} for year in years}
        for row in facts.values("year", "region", column).annotate(n=Count("*")).order_by():
            code, year, n = row[column], row["year"], row["n"]
            totals[year][code] = totals[year].get(code, 0) + n
            regions[year][row["region"]][block_name][code] = n
        for year in years:
            result[year][block_name] = _ranked(totals[year])
            for block in regions[year].values():
                block[block_name] = _ranked(block[block_name])
    for year in years:
        result[year]["regions"] = regions[year]
    return result


def indicator_report(*, viewer: Any | None, filters: StatsFilters) -> Block:
    """Every figure for the scope, in the JSON shape of docs/indicators.md."""
    return scope_report(stats_scope(viewer=viewer, filters=filters))


def scope_report(scope: StatsScope) -> Block:
    """`indicator_report` for a scope already checked against its viewer."""
    filters = scope.filters
    year = filters.year
    blocks = _year_blocks(scope, [year, year - 1])
    current, previous = blocks[year], blocks[year - 1]
    previous.pop("regions")
    report: Block = {
        "scope": {
            "year": year,
            "region": filters.region or None,
            "office": scope.office.code if scope.office else None,
            "category": filters.category or None,
        },
        **{key: value for key, value in current.items() if key != "regions"},
        "regions": current["regions"],
        "aggregate_submissions": aggregate_submissions(scope),
        "previous_year": {"year": year - 1, **previous},
    }
    money = funding(scope)
    if money is not None:
        report["funding"] = money
    return report


def can_view_stats(user: Any) -> bool:
    return has_perm_somewhere(user, Perm.STATS_VIEW)
