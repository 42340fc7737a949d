from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction

from safepassage.audit.services import audit_record
from safepassage.reference.countries import all_countries
from safepassage.reference.models import Country


@dataclass(frozen=True)
class ReferenceLoadResult:
    created: int
    updated: int
    unchanged: int


def reference_load(*, actor: object | None = None) -> ReferenceLoadResult:
    """Insert or update every country from the shipped reference data. Idempotent."""
    created = updated = unchanged = 0
    with transaction.atomic():
        existing = {country.iso3: country for country in Country.objects.all()}
        to_create: list[Country] = []
        to_update: list[Country] = []
        for info in all_countries():
            row = existing.get(info.iso3)
            if row is None:
                to_create.append(
                    Country(iso3=info.iso3, iso2=info.iso2, name=info.name, region=info.region)
                )
                continue
            if (row.iso2, row.name, row.region) == (info.iso2, info.name, info.region):
                unchanged += 1
                continue
            row.iso2, row.name, row.region = info.iso2, info.name, info.region
            to_update.append(row)
        Country.objects.bulk_create(to_create)
        Country.objects.bulk_update(to_update, ["iso2", "name", "region"])
        created, updated = len(to_create), len(to_update)
        if created or updated:
            audit_record(
                actor=actor,
                office=None,
                event_type="reference.loaded",
                target=None,
                metadata={"countries_created": created, "countries_updated": updated},
            )
    return ReferenceLoadResult(created=created, updated=updated, unchanged=unchanged)
