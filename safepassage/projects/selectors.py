"""Reads on projects, donors and funds, and the funding figures for the statistics report.

Funding figures (docs/indicators.md, "Funding"):

- A project counts in year Y when it runs during Y (start year <= Y <= end year, no end = still
  running). Funding of Y is the sum of the project contributions recorded for year Y, in USD as
  converted once when each contribution was saved (`ProjectFunding.amount_usd`).
- A project's funding is split equally between its countries, and each country's share goes to
  the country's Annex 2 region (`unassigned` when not listed).
- Sums are exact (fractions of cents from the equal split are kept) and rounded to whole USD
  once, at the end: the total half-up, the regions by largest remainder so they add up to the
  total exactly, each donor half-up.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import asdict, dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum

from safepassage.access.permissions import Perm
from safepassage.access.policy import OfficeScope, scope_for
from safepassage.cases.models import Case
from safepassage.projects.models import (
    Donor,
    Fund,
    FundCharge,
    Project,
    ProjectFunding,
    ThematicArea,
)
from safepassage.reference.regions import REGION_KEYS

TOP_DONORS = 10


def _scope_projects(scope: OfficeScope, queryset: QuerySet[Project]) -> QuerySet[Project]:
    if scope.empty:
        return queryset.none()
    if scope.everything:
        return queryset
    return queryset.filter(
        pk__in=Project.objects.filter(offices__in=sorted(scope.office_ids)).values("pk")
    )


def _scope_funds(scope: OfficeScope, queryset: QuerySet[Fund]) -> QuerySet[Fund]:
    if scope.empty:
        return queryset.none()
    if scope.everything:
        return queryset
    visible = Fund.objects.filter(
        Q(offices__isnull=True) | Q(offices__in=sorted(scope.office_ids))
    ).values("pk")
    return queryset.filter(pk__in=visible)


def project_list(*, viewer: Any, year: int | None = None, text: str = "") -> QuerySet[Project]:
    """Projects implemented by an office in the viewer's scope (headquarters: all)."""
    queryset = Project.objects.prefetch_related("offices", "countries").annotate(
        funding_usd=Sum("fundings__amount_usd")
    )
    if year is not None:
        queryset = queryset.filter(start_date__year__lte=year).filter(
            Q(end_date__isnull=True) | Q(end_date__year__gte=year)
        )
    if text:
        queryset = queryset.filter(Q(code__icontains=text) | Q(title__icontains=text))
    return _scope_projects(scope_for(viewer, Perm.PROJECT_VIEW), queryset)


def project_fundings(*, project: Project) -> QuerySet[ProjectFunding]:
    return project.fundings.select_related("donor").order_by("-year", "donor__name")


def donor_list(*, viewer: Any) -> QuerySet[Donor]:
    """Every donor (shared organisational data), with the USD total of the contributions to
    projects the viewer may see."""
    scope = scope_for(viewer, Perm.PROJECT_VIEW)
    if scope.empty:
        return Donor.objects.none()
    visible = _scope_projects(scope, Project.objects.all()).values("pk")
    in_scope = Q(fundings__project__in=visible)
    return Donor.objects.annotate(
        funding_usd=Sum("fundings__amount_usd", filter=in_scope),
        project_count=Count("fundings__project", filter=in_scope, distinct=True),
    ).order_by("name")


def fund_list(*, viewer: Any) -> QuerySet[Fund]:
    """Funds the viewer may see: global ones, and those of offices in scope."""
    return _scope_funds(
        scope_for(viewer, Perm.PROJECT_VIEW), Fund.objects.select_related("project")
    )


def offices_managed(*, viewer: Any) -> QuerySet[Any]:
    from safepassage.offices.models import Office

    return scope_for(viewer, Perm.PROJECT_MANAGE).filter_offices(
        Office.objects.filter(is_active=True).select_related("country")
    )


@dataclass(frozen=True)
class FundTotals:
    """USD to the cent. `outstanding` is what case commitments reserve beyond what has been
    spent on the same case; `available` = budget - spent - outstanding."""

    budget: Decimal
    committed: Decimal
    spent: Decimal
    outstanding: Decimal
    available: Decimal
    cases: int


def fund_totals(*, fund: Fund) -> FundTotals:
    """Totals over every charge of the fund, whichever office made it (amounts, not persons)."""
    committed: dict[int, Decimal] = defaultdict(Decimal)
    spent: dict[int, Decimal] = defaultdict(Decimal)
    for case_id, kind, amount in fund.charges.values_list("case_id", "kind", "amount_usd"):
        target = committed if kind == FundCharge.Kind.COMMITMENT else spent
        target[case_id] += amount
    outstanding = sum(
        (
            max(Decimal(0), amount - spent.get(case_id, Decimal(0)))
            for case_id, amount in committed.items()
        ),
        Decimal(0),
    )
    total_spent = sum(spent.values(), Decimal(0))
    return FundTotals(
        budget=fund.budget_usd,
        committed=sum(committed.values(), Decimal(0)),
        spent=total_spent,
        outstanding=outstanding,
        available=fund.budget_usd - total_spent - outstanding,
        cases=len(set(committed) | set(spent)),
    )


def fund_charges_visible(*, viewer: Any, fund: Fund) -> QuerySet[FundCharge]:
    """The fund's charges on cases the viewer may see (a charge names a case)."""
    scope = scope_for(viewer, Perm.CASE_VIEW)
    return scope.filter(
        fund.charges.select_related("case", "assistance_service", "charged_by"),
        office_field="case__office",
    )


def case_by_reference(*, viewer: Any, reference: str, perm: str = Perm.CASE_VIEW) -> Case | None:
    """The case with this reference among the offices where the viewer holds `perm`; None for
    missing and foreign alike."""
    scope = scope_for(viewer, perm)
    matches = list(
        scope.filter(
            Case.objects.select_related("office", "office__country", "person", "assistance_country")
        ).filter(reference=reference.strip().upper())[:2]
    )
    return matches[0] if len(matches) == 1 else None


# --- funding figures ---------------------------------------------------------------------------


@dataclass(frozen=True)
class DonorFigure:
    donor: str
    usd: int


@dataclass(frozen=True)
class FundingFigures:
    """Integers only; `as_dict()` is the `funding` block of docs/indicators.md."""

    year: int
    total_usd: int
    by_region: dict[str, int]
    by_donor_top10: list[DonorFigure]
    projects: int
    countries: int
    avrr_projects: int
    fund_beneficiaries: dict[str, int] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data.pop("year")
        return data


def _round_half_up(value: Fraction) -> int:
    return (
        int(
            (Decimal(value.numerator) / Decimal(value.denominator)).quantize(
                Decimal(1), rounding=ROUND_HALF_UP
            )
        )
        if value.denominator != 1
        else value.numerator
    )


def apportion(parts: dict[str, Fraction], total: int) -> dict[str, int]:
    """Whole numbers adding up to `total`, close to the exact `parts` (largest remainder)."""
    floors = {key: value.numerator // value.denominator for key, value in parts.items()}
    left = total - sum(floors.values())
    order = sorted(parts, key=lambda k: (-(parts[k] - floors[k]), k))
    for key in order[: max(left, 0)]:
        floors[key] += 1
    return floors


def funding_scope(viewer: Any) -> OfficeScope:
    """Funding figures are organisational aggregates: anyone who may see statistics or projects
    gets them for the offices of either role (researchers: their stats scope)."""
    stats = scope_for(viewer, Perm.STATS_VIEW)
    projects = scope_for(viewer, Perm.PROJECT_VIEW)
    if stats.everything or projects.everything:
        return OfficeScope(everything=True)
    return OfficeScope(office_ids=stats.office_ids | projects.office_ids)


def funding_figures(*, viewer: Any, year: int) -> FundingFigures:
    """Funding of `year` for projects in the viewer's scope (see the module docstring)."""
    return funding_figures_in(scope=funding_scope(viewer), year=year)


def funding_figures_in(*, scope: OfficeScope, year: int) -> FundingFigures:
    """Funding of `year` for the projects of the offices in `scope` (already authorised)."""
    projects = list(
        _scope_projects(scope, Project.objects.all())
        .filter(start_date__year__lte=year)
        .filter(Q(end_date__isnull=True) | Q(end_date__year__gte=year))
        .prefetch_related("countries")
    )
    by_project: dict[int, Fraction] = defaultdict(Fraction)
    by_donor: dict[str, Fraction] = defaultdict(Fraction)
    for project_id, donor, amount in ProjectFunding.objects.filter(
        project__in=[p.pk for p in projects], year=year
    ).values_list("project_id", "donor__name", "amount_usd"):
        exact = Fraction(amount)
        by_project[project_id] += exact
        by_donor[donor] += exact
    by_region: dict[str, Fraction] = {key: Fraction(0) for key in REGION_KEYS}
    countries: set[str] = set()
    for project in projects:
        project_countries = list(project.countries.all())
        countries.update(c.iso3 for c in project_countries)
        funded = by_project.get(project.pk, Fraction(0))
        if not funded:
            continue
        if not project_countries:  # the services require a country; kept safe for old rows
            by_region["unassigned"] += funded
            continue
        share = funded / len(project_countries)
        for country in project_countries:
            by_region[country.region if country.region in by_region else "unassigned"] += share
    exact_total = sum(by_project.values(), Fraction(0))
    total = _round_half_up(exact_total)
    top = sorted(by_donor.items(), key=lambda item: (-item[1], item[0]))[:TOP_DONORS]
    return FundingFigures(
        year=year,
        total_usd=total,
        by_region=apportion(by_region, total),
        by_donor_top10=[DonorFigure(donor=name, usd=_round_half_up(usd)) for name, usd in top],
        projects=len(projects),
        countries=len(countries),
        avrr_projects=sum(1 for p in projects if ThematicArea.AVRR in p.thematic_areas),
        fund_beneficiaries=fund_beneficiaries(scope=scope, year=year),
    )


def fund_beneficiaries(*, scope: OfficeScope, year: int) -> dict[str, int]:
    """Per fund visible in scope: distinct cases (instances of assistance) of offices in scope
    with a charge dated in `year`."""
    funds = _scope_funds(scope, Fund.objects.all())
    counts = dict(
        scope.filter(
            FundCharge.objects.filter(charged_on__year=year, fund__in=funds),
            office_field="case__office",
        )
        .values_list("fund__code")
        .annotate(n=Count("case", distinct=True))
        .values_list("fund__code", "n")
    )
    return {
        code: counts.get(code, 0) for code in funds.order_by("code").values_list("code", flat=True)
    }
