from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pycountry
from django.db import transaction
from django.utils.translation import gettext as _

from safepassage.assistance.models import AssistanceService, Phase, ProviderKind, ServiceType
from safepassage.audit.services import audit_record
from safepassage.cases.lifecycle import advanced_status
from safepassage.cases.models import NEEDS_FIRST_CATEGORIES, Case, CaseStatus, ConsentScope
from safepassage.cases.services import case_set_status, lock_case_for_work, require_consent
from safepassage.core import clock
from safepassage.core.errors import GateNotMet, ValidationFailed
from safepassage.screening.models import DeterminationOutcome
from safepassage.screening.services import approved_determination
from safepassage.stats.services import case_fact_refresh


def _check_eligibility(case: Case) -> None:
    determination = approved_determination(case)
    if (
        determination is not None
        and determination.outcome == DeterminationOutcome.NOT_ELIGIBLE
        and case.beneficiary_category not in NEEDS_FIRST_CATEGORIES
    ):
        raise GateNotMet(
            _(
                "The approved determination found the person not eligible. Revise the determination or the beneficiary category first."
            )
        )


def assistance_record(
    *,
    actor: Any,
    case: Case,
    service_type: str,
    phase: str,
    start_date: dt.date,
    end_date: dt.date | None = None,
    provider_kind: str = ProviderKind.OFFICE,
    provider_name: str = "",
    amount: Decimal | None = None,
    currency: str = "",
    notes: str = "",
) -> AssistanceService:
    """Record a service given to the person. Requires their consent to assistance; assistance
    may start before any determination (needs-first)."""
    errors: dict[str, list[str]] = {}
    if service_type not in ServiceType.values:
        errors["service_type"] = [_("Choose a service.")]
    if phase not in Phase.values:
        errors["phase"] = [_("Choose a phase.")]
    if end_date is not None and end_date < start_date:
        errors["end_date"] = [_("The service cannot end before it starts.")]
    if start_date > clock.today():
        errors["start_date"] = [_("Record services once they start (the date is in the future).")]
    currency = currency.strip().upper()
    if amount is not None:
        if amount < 0:
            errors["amount"] = [_("The amount cannot be negative.")]
        if not currency:
            errors["currency"] = [_("Give the currency of the amount.")]
        elif pycountry.currencies.get(alpha_3=currency) is None:
            errors["currency"] = [_("Unknown currency code (use ISO 4217, e.g. USD).")]
    elif currency:
        errors["amount"] = [_("Give the amount, or leave the currency empty.")]
    if provider_kind == ProviderKind.PARTNER and not provider_name.strip():
        errors["provider_name"] = [_("Name the partner who provided the service.")]
    if errors:
        raise ValidationFailed(_("The service has errors; nothing was saved."), errors=errors)
    with transaction.atomic():
        case = lock_case_for_work(actor, case, None)
        require_consent(case, ConsentScope.ASSISTANCE)
        _check_eligibility(case)
        service = AssistanceService(
            case=case,
            service_type=service_type,
            phase=phase,
            provider_kind=provider_kind,
            provider_name=provider_name.strip(),
            start_date=start_date,
            end_date=end_date,
            amount=amount,
            currency=currency,
            notes=notes.strip(),
            recorded_by=actor,
        )
        service.full_clean()
        service.save()
        audit_record(
            actor=actor,
            office=case.office,
            event_type="assistance.recorded",
            target=case,
            changed_fields=[
                "service_type",
                "phase",
                "provider",
                "start_date",
                "end_date",
                *(["amount", "currency"] if amount is not None else []),
            ],
            metadata={"service_id": service.pk, "service_type": service_type, "phase": phase},
        )
        case_set_status(
            actor=actor,
            case=case,
            status=advanced_status(case.status, CaseStatus.ASSISTED),
            event_type="case.status_changed",
            metadata={"reason": "assistance recorded"},
        )
        case_fact_refresh(case)
    return service
