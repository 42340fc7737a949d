from __future__ import annotations

from typing import Any

from django.db import transaction

from safepassage.access.permissions import Perm
from safepassage.access.policy import require_permission
from safepassage.audit.services import audit_record
from safepassage.core.errors import ValidationFailed
from safepassage.offices.errors import OfficeCodeTaken
from safepassage.offices.models import Office
from safepassage.reference.models import Country


def office_create(
    *,
    actor: Any,
    code: str,
    name: str,
    country: str,
    kind: str = Office.Kind.COUNTRY,
    covered_region: str = "",
    source: str = "",
) -> Office:
    """Create an office. `actor` None means an operator on the command line."""
    if actor is not None:
        require_permission(actor, Perm.OFFICE_MANAGE, office=None)
    code = code.strip().upper()
    try:
        country_row = Country.objects.get(iso3=country.strip().upper())
    except Country.DoesNotExist:
        raise ValidationFailed(
            f"Unknown country code {country!r}: use ISO 3166 alpha-3, e.g. UKR.", field="country"
        ) from None
    with transaction.atomic():
        if Office.objects.filter(code=code).exists():
            raise OfficeCodeTaken(code)
        office = Office(
            code=code,
            name=name.strip(),
            country=country_row,
            kind=kind,
            covered_region=covered_region if kind == Office.Kind.REGIONAL else "",
        )
        office.full_clean()
        office.save()
        audit_record(
            actor=actor,
            office=office,
            event_type="office.created",
            target=office,
            changed_fields=["code", "name", "country", "kind", "covered_region"],
            source=source,
        )
    return office


def office_update(
    *, actor: Any, office: Office, name: str | None = None, is_active: bool | None = None
) -> Office:
    require_permission(actor, Perm.OFFICE_MANAGE, office=office)
    with transaction.atomic():
        office = Office.objects.select_for_update().get(pk=office.pk)
        changed = []
        if name is not None and name.strip() != office.name:
            office.name = name.strip()
            changed.append("name")
        if is_active is not None and is_active != office.is_active:
            office.is_active = is_active
            changed.append("is_active")
        if changed:
            office.full_clean()
            office.save(update_fields=[*changed, "updated_at"])
            audit_record(
                actor=actor,
                office=office,
                event_type="office.updated",
                target=office,
                changed_fields=changed,
            )
    return office


def office_set_retention(*, actor: Any, office: Office, retention_years: int | None) -> Office:
    """Set the office's retention period (years after closure); None follows the organisation
    default. Takes effect at the next `apply_retention`."""
    require_permission(actor, Perm.OFFICE_MANAGE, office=office)
    with transaction.atomic():
        office = Office.objects.select_for_update().get(pk=office.pk)
        if office.retention_years == retention_years:
            return office
        previous = office.retention_years
        office.retention_years = retention_years
        office.full_clean()
        office.save(update_fields=["retention_years", "updated_at"])
        audit_record(
            actor=actor,
            office=office,
            event_type="office.retention_changed",
            target=office,
            changed_fields=["retention_years"],
            metadata={"from": previous, "to": retention_years},
        )
    return office
