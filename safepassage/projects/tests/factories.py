"""Builders for project and fund tests, through the real services (audited, validated)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from safepassage.offices.models import Office
from safepassage.projects.models import Donor, Fund, Project, ProjectStatus, ThematicArea
from safepassage.projects.services import (
    donor_create,
    fund_create,
    project_create,
    project_funding_add,
)
from safepassage.reference.models import Country


def countries(*codes: str) -> list[Country]:
    return [Country.objects.get(iso3=code) for code in codes]


def make_donor(name: str = "United States", kind: str = Donor.Kind.GOVERNMENT) -> Donor:
    return donor_create(actor=None, name=name, kind=kind)


def make_project(
    code: str,
    offices: Sequence[Office],
    country_codes: Sequence[str],
    *,
    areas: Sequence[str] = (ThematicArea.DIRECT_ASSISTANCE,),
    start: dt.date = dt.date(2011, 1, 1),
    end: dt.date | None = dt.date(2012, 12, 31),
    funding: Sequence[tuple[Donor, int, str, str, str | None]] = (),
    **extra: Any,
) -> Project:
    """`funding`: (donor, year, amount, currency, usd_rate) lines."""
    project = project_create(
        actor=None,
        code=code,
        title=f"Project {code}",
        thematic_areas=list(areas),
        status=ProjectStatus.ACTIVE,
        start_date=start,
        end_date=end,
        offices=list(offices),
        countries=countries(*country_codes),
        **extra,
    )
    for donor, year, amount, currency, rate in funding:
        project_funding_add(
            actor=None,
            project=project,
            donor=donor,
            year=year,
            amount=Decimal(amount),
            currency=currency,
            usd_rate=Decimal(rate) if rate is not None else None,
        )
    return project


def make_gaf(budget: str = "100000") -> Fund:
    return fund_create(
        actor=None,
        code="GAF",
        name="Global Assistance Fund",
        kind=Fund.Kind.GLOBAL_ASSISTANCE,
        budget_usd=Decimal(budget),
    )


def make_regional(member_codes: Sequence[str], code: str = "RCM", **extra: Any) -> Fund:
    return fund_create(
        actor=None,
        code=code,
        name="Intraregional Fund for Migrants in Highly Vulnerable Situations",
        kind=Fund.Kind.REGIONAL,
        budget_usd=Decimal("50000"),
        member_countries=countries(*member_codes),
        **extra,
    )
