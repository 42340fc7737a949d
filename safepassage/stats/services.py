"""Keeps the reporting table in step with the cases. The case-work services call
`case_fact_refresh` inside their transaction after every change that can move a figure."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction

from safepassage.assistance.models import AssistanceService, Phase
from safepassage.cases.models import Case
from safepassage.screening.models import Screening
from safepassage.stats import definitions as d
from safepassage.stats.models import CaseFact


def case_fact_build(case: Case) -> CaseFact:
    """The fact row of a case, computed from the decrypted record."""
    person = case.person
    screening = (
        Screening.objects.filter(case=case, status=Screening.Status.SUBMITTED)
        .order_by("-number")
        .only("exploitation_types", "labour_sectors", "country_of_exploitation_id")
        .first()
    )
    types: list[str] = list(screening.exploitation_types) if screening else []
    sectors: list[str] = list(screening.labour_sectors) if screening else []
    exploited_in = screening.country_of_exploitation_id if screening else None
    reintegration = set(
        AssistanceService.objects.filter(case=case, phase=Phase.REINTEGRATION).values_list(
            "service_type", flat=True
        )
    )
    citizenships = person.citizenships
    age = d.age_group(
        person.latest_possible_birth_date(), case.registration_date, person.reported_age_group
    )
    return CaseFact(
        case=case,
        office_id=case.office_id,
        individual_id=person.pk,
        registration_date=case.registration_date,
        year=case.registration_date.year,
        region=d.region(case.assistance_country.region if case.assistance_country else None),
        category=case.beneficiary_category,
        status=case.status,
        nationality=d.nationality(citizenships),
        destination=d.destination(exploited_in),
        exploitation=d.exploitation_type(types, sectors),
        sex=d.sex_group(person.sex),
        age_group=age,
        trafficking=d.trafficking_type(citizenships, exploited_in),
        returned=d.returned(
            status=case.status,
            status_before_closure=case.status_before_closure,
            reintegration_services=len(reintegration),
        ),
        reint_any=bool(reintegration),
        **{f"reint_{key}": key in reintegration for key in d.REINTEGRATION_KEYS},
    )


def case_fact_refresh(case: Case) -> CaseFact | None:
    """Recompute and store the fact row of one case (inside the caller's transaction). Keeps the
    individual id that record linkage may have set. A case known only to a band of years (an
    import) counts in no year, so it has no fact row, whatever is later edited on it."""
    case = Case.objects.select_related("person", "assistance_country").get(pk=case.pk)
    if case.reporting_year is None:
        CaseFact.objects.filter(case_id=case.pk).delete()
        return None
    fact = case_fact_build(case)
    existing = CaseFact.objects.filter(case_id=case.pk).values_list("individual_id", flat=True)
    kept = existing.first()
    if kept is not None:
        fact.individual_id = kept
    fact.save()
    return fact


def case_fact_rebuild(cases: Iterable[Case] | None = None, *, batch: int = 500) -> int:
    """Recompute the fact rows of the given cases (all cases by default), for a backfill or
    after a definition changes. Returns how many rows were written."""
    queryset = cases if cases is not None else Case.objects.order_by("pk").iterator(batch)
    count = 0
    with transaction.atomic():
        for case in queryset:
            case_fact_refresh(case)
            count += 1
    return count
