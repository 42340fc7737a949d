"""Transfers between offices and referrals to partners: every move is consent-gated."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from safepassage.access.permissions import Perm
from safepassage.access.policy import has_perm, require_permission
from safepassage.audit.services import audit_record
from safepassage.cases.errors import ConsentMissing
from safepassage.cases.models import (
    Case,
    CaseStatus,
    Consent,
    ConsentScope,
    IdentityDocument,
    Person,
    ReferralSource,
    SharedData,
)
from safepassage.cases.services import (
    case_open,
    case_set_status,
    lock_case_for_work,
    refresh_name_keys,
    require_consent,
)
from safepassage.core import clock
from safepassage.core.crypto import blind_index
from safepassage.core.errors import Conflict, NotFound, ValidationFailed
from safepassage.offices.models import Office
from safepassage.reference.models import Country
from safepassage.screening.models import Screening, TraffickingEvent
from safepassage.screening.services import latest_submitted
from safepassage.transfers.models import Referral, Transfer, TransferStatus

TRANSFER_VALIDITY = dt.timedelta(days=30)
SCREENING_SUMMARY_FIELDS = (
    "recruitment_date",
    "recruitment_methods",
    "recruiter_relation",
    "action_recruitment",
    "action_transport",
    "action_transfer",
    "action_harbouring",
    "action_receipt",
    "means_of_control",
    "exploitation_types",
    "labour_sectors",
    "sexual_exploitation_types",
    "exploitation_start",
    "exploitation_end",
    "presumed_child",
)


def _iso(value: dt.date | None) -> str | None:
    return value.isoformat() if value else None


def build_summary(case: Case, items: Iterable[str]) -> dict[str, Any]:
    """What the receiving office may read: only the parts the consent covers. Free-text notes
    never travel."""
    items = set(items)
    summary: dict[str, Any] = {
        "origin_reference": case.reference,
        "origin_office": case.office.code,
        "registration_date": case.registration_date.isoformat(),
        "beneficiary_category": case.beneficiary_category,
        "shared_data": sorted(items),
    }
    person = case.person
    if SharedData.IDENTITY in items:
        summary["identity"] = {
            "given_names": person.given_names,
            "family_names": person.family_names,
            "given_names_original": person.given_names_original,
            "family_names_original": person.family_names_original,
            "aliases": list(person.aliases or []),
            "sex": person.sex,
            "birth_date": _iso(person.birth_date),
            "birth_date_precision": person.birth_date_precision,
            "birth_place": person.birth_place,
            "citizenships": person.citizenships,
            "languages": list(person.languages or []),
            "documents": [
                {"kind": d.kind, "number": d.number, "issuing_country": d.issuing_country_id}
                for d in person.documents.all()
            ],
        }
    else:
        # Without identity the receiving office still needs to know whom to expect, coarsely.
        summary["identity"] = {"sex": person.sex, "citizenships": person.citizenships}
    screening = latest_submitted(case)
    if SharedData.SCREENING_SUMMARY in items and screening is not None:
        fields = {name: getattr(screening, name) for name in SCREENING_SUMMARY_FIELDS}
        for name in ("recruitment_date", "exploitation_start", "exploitation_end"):
            fields[name] = _iso(fields[name])
        fields["country_of_exploitation"] = screening.country_of_exploitation_id
        fields["route"] = [
            {
                "type": e.type,
                "country": e.country_id,
                "start_date": _iso(e.start_date),
                "end_date": _iso(e.end_date),
            }
            for e in screening.events.all()
        ]
        summary["screening"] = fields
    if SharedData.ASSISTANCE_HISTORY in items:
        summary["assistance"] = [
            {
                "service_type": s.service_type,
                "phase": s.phase,
                "start_date": _iso(s.start_date),
                "end_date": _iso(s.end_date),
                "provider_kind": s.provider_kind,
            }
            for s in case.services.order_by("start_date", "pk")
        ]
    return summary


def transfer_request(
    *,
    actor: Any,
    case: Case,
    to_office: Office,
    message: str = "",
    shared_data: Iterable[str] | None = None,
) -> Transfer:
    """Ask another office to take the case on. Refused unless the person consented to sharing
    with that office, and only what that consent covers travels."""
    with transaction.atomic():
        case = lock_case_for_work(actor, case, None)
        if to_office.pk == case.office_id:
            raise ValidationFailed(
                _("A case cannot be transferred to its own office."), field="to_office"
            )
        if not to_office.is_active or to_office.kind != Office.Kind.COUNTRY:
            raise ValidationFailed(
                _("Transfers go to an active country office."), field="to_office"
            )
        consent = require_consent(case, ConsentScope.SHARING_OFFICE, recipient_office=to_office)
        items = (
            list(dict.fromkeys(shared_data))
            if shared_data is not None
            else list(consent.shared_data)
        )
        beyond = set(items) - set(consent.shared_data)
        if beyond or not items:
            raise ValidationFailed(
                _("The consent to share with %(office)s does not cover: %(items)s.")
                % {"office": to_office.code, "items": ", ".join(sorted(beyond)) or "-"},
                field="shared_data",
            )
        if Transfer.objects.filter(
            case=case, to_office=to_office, status=TransferStatus.REQUESTED
        ).exists():
            raise Conflict(
                _("A transfer of this case to %(office)s is already waiting.")
                % {"office": to_office.code}
            )
        transfer = Transfer(
            case=case,
            from_office=case.office,
            to_office=to_office,
            message=message.strip(),
            shared_data=items,
            summary=build_summary(case, items),
            requested_by=actor,
            expires_at=clock.now() + TRANSFER_VALIDITY,
        )
        transfer.full_clean()
        transfer.save()
        audit_record(
            actor=actor,
            office=case.office,
            event_type="transfer.requested",
            target=case,
            changed_fields=["transfer"],
            metadata={
                "transfer_id": transfer.pk,
                "to_office": to_office.code,
                "shared_data": items,
                "consent_id": consent.pk,
            },
        )
    return transfer


def _lock_transfer(actor: Any, transfer: Transfer, side: str) -> Transfer:
    locked = (
        Transfer.objects.select_for_update(of=("self",))
        .select_related("case", "case__person", "from_office", "to_office")
        .get(pk=transfer.pk)
    )
    office = locked.to_office if side == "receiving" else locked.from_office
    if not has_perm(actor, Perm.CASE_VIEW, office=office):
        raise NotFound(_("Transfer not found."))
    require_permission(actor, Perm.CASE_WORK, office=office)
    if locked.status == TransferStatus.REQUESTED and locked.expires_at <= clock.now():
        # Nothing is written here (the caller's transaction rolls back on this error); the daily
        # `expire_transfers` run records the expiry.
        raise Conflict(_("This transfer request expired; ask the sending office to send it again."))
    if locked.status != TransferStatus.REQUESTED:
        raise Conflict(
            _("This transfer is %(status)s; it can no longer change.")
            % {"status": TransferStatus(locked.status).label.lower()}
        )
    return locked


def _person_from_summary(office: Office, identity: dict[str, Any]) -> Person:
    citizenships = list(identity.get("citizenships") or [])
    countries = {c.iso3: c for c in Country.objects.filter(iso3__in=citizenships)}
    person = Person(
        office=office,
        given_names=identity.get("given_names", ""),
        family_names=identity.get("family_names", ""),
        given_names_original=identity.get("given_names_original", ""),
        family_names_original=identity.get("family_names_original", ""),
        aliases=identity.get("aliases", []),
        sex=identity.get("sex") or Person._meta.get_field("sex").default,
        birth_date=dt.date.fromisoformat(identity["birth_date"])
        if identity.get("birth_date")
        else None,
        birth_date_precision=identity.get("birth_date_precision") or "unknown",
        birth_place=identity.get("birth_place", ""),
        citizenship=countries.get(citizenships[0]) if citizenships else None,
        other_citizenships=citizenships[1:],
        languages=identity.get("languages", []),
    )
    person.full_clean()
    person.save()
    for document in identity.get("documents", []):
        IdentityDocument.objects.create(
            person=person,
            kind=document["kind"],
            number=document["number"],
            number_index=blind_index(document["number"], purpose="document-number"),
            issuing_country_id=document.get("issuing_country"),
        )
    refresh_name_keys(person)
    return person


def _screening_from_summary(case: Case, actor: Any, fields: dict[str, Any]) -> Screening:
    values = {name: fields.get(name) for name in SCREENING_SUMMARY_FIELDS}
    for name in ("recruitment_date", "exploitation_start", "exploitation_end"):
        values[name] = dt.date.fromisoformat(str(values[name])) if values[name] else None
    screening = Screening(
        case=case,
        number=1,
        status=Screening.Status.SUBMITTED,
        created_by=actor,
        submitted_by=actor,
        submitted_at=clock.now(),
        country_of_exploitation_id=fields.get("country_of_exploitation"),
        **{k: v for k, v in values.items() if v is not None},
    )
    screening.full_clean()
    screening.save()
    TraffickingEvent.objects.bulk_create(
        TraffickingEvent(
            screening=screening,
            order=index,
            type=stage["type"],
            country_id=stage["country"],
            start_date=dt.date.fromisoformat(stage["start_date"])
            if stage.get("start_date")
            else None,
            end_date=dt.date.fromisoformat(stage["end_date"]) if stage.get("end_date") else None,
        )
        for index, stage in enumerate(fields.get("route", []), start=1)
    )
    return screening


def transfer_accept(*, actor: Any, transfer: Transfer) -> Case:
    """The receiving office accepts: it gets its own linked case with the shared data."""
    with transaction.atomic():
        locked = _lock_transfer(actor, transfer, "receiving")
        # Consent may have been withdrawn since the request.
        require_consent(locked.case, ConsentScope.SHARING_OFFICE, recipient_office=locked.to_office)
        summary = locked.summary
        person = _person_from_summary(locked.to_office, summary.get("identity", {}))
        received = case_open(
            actor=actor,
            person=person,
            registration_date=clock.today(),
            referral_source=ReferralSource.OTHER_OFFICE,
            beneficiary_category=summary["beneficiary_category"],
            source="transfer",
        )
        if "screening" in summary:
            _screening_from_summary(received, actor, summary["screening"])
            case_set_status(
                actor=actor,
                case=received,
                status=CaseStatus.SCREENED,
                event_type="case.status_changed",
                metadata={"reason": "screening summary received"},
            )
        locked.status = TransferStatus.ACCEPTED
        locked.decided_by = actor
        locked.decided_at = clock.now()
        locked.received_case = received
        locked.save(
            update_fields=["status", "decided_by", "decided_at", "received_case", "updated_at"]
        )
        for office, case in ((locked.to_office, received), (locked.from_office, locked.case)):
            audit_record(
                actor=actor,
                office=office,
                event_type="transfer.accepted",
                target=case,
                changed_fields=["transfer"],
                metadata={
                    "transfer_id": locked.pk,
                    "from_office": locked.from_office.code,
                    "to_office": locked.to_office.code,
                },
            )
    return received


def transfer_reject(*, actor: Any, transfer: Transfer, reason: str) -> Transfer:
    if not reason.strip():
        raise ValidationFailed(_("Say why the transfer is rejected."), field="reason")
    with transaction.atomic():
        locked = _lock_transfer(actor, transfer, "receiving")
        locked.status = TransferStatus.REJECTED
        locked.decided_by = actor
        locked.decided_at = clock.now()
        locked.rejection_reason = reason.strip()
        locked.save(
            update_fields=["status", "decided_by", "decided_at", "rejection_reason", "updated_at"]
        )
        audit_record(
            actor=actor,
            office=locked.to_office,
            event_type="transfer.rejected",
            target=locked.case,
            changed_fields=["status"],
            metadata={"transfer_id": locked.pk},
        )
    return locked


def transfer_cancel(*, actor: Any, transfer: Transfer) -> Transfer:
    with transaction.atomic():
        locked = _lock_transfer(actor, transfer, "sending")
        locked.status = TransferStatus.CANCELLED
        locked.decided_by = actor
        locked.decided_at = clock.now()
        locked.save(update_fields=["status", "decided_by", "decided_at", "updated_at"])
        audit_record(
            actor=actor,
            office=locked.from_office,
            event_type="transfer.cancelled",
            target=locked.case,
            changed_fields=["status"],
            metadata={"transfer_id": locked.pk},
        )
    return locked


def transfers_expire(*, now: dt.datetime | None = None) -> int:
    """Expire requests nobody answered in time (run daily: `safepassage expire_transfers`)."""
    now = now or clock.now()
    count = 0
    with transaction.atomic():
        for transfer in (
            Transfer.objects.select_for_update(of=("self",))
            .select_related("from_office", "case")
            .filter(status=TransferStatus.REQUESTED, expires_at__lte=now)
        ):
            transfer.status = TransferStatus.EXPIRED
            transfer.save(update_fields=["status", "updated_at"])
            audit_record(
                actor=None,
                office=transfer.from_office,
                event_type="transfer.expired",
                target=transfer.case,
                changed_fields=["status"],
                metadata={"transfer_id": transfer.pk},
            )
            count += 1
    return count


def referral_make(
    *,
    actor: Any,
    case: Case,
    organisation_type: str,
    organisation_name: str,
    purpose: str,
    date: dt.date,
) -> Referral:
    """Refer the person to a partner. Needs consent to share with that partner; only the
    minimum the consent covers is recorded as shared."""
    if not organisation_name.strip() or not purpose.strip():
        raise ValidationFailed(_("Name the organisation and the purpose of the referral."))
    if date > clock.today():
        raise ValidationFailed(_("The referral date is in the future."), field="date")
    with transaction.atomic():
        case = lock_case_for_work(actor, case, None)
        consents = Consent.objects.filter(
            case=case, scope=ConsentScope.SHARING_PARTNER, withdrawn_at__isnull=True
        ).order_by("-date", "-pk")
        consent = next(
            (
                c
                for c in consents
                if c.recipient_partner.casefold() == organisation_name.strip().casefold()
            ),
            None,
        )
        if consent is None or not consent.given:
            raise ConsentMissing(
                f"{ConsentScope.SHARING_PARTNER.label} ({organisation_name.strip()})",
                _("Record the person's consent naming this partner first."),
            )
        referral = Referral(
            case=case,
            organisation_type=organisation_type,
            organisation_name=organisation_name.strip(),
            purpose=purpose.strip(),
            shared_data=list(consent.shared_data),
            date=date,
            referred_by=actor,
        )
        referral.full_clean()
        referral.save()
        audit_record(
            actor=actor,
            office=case.office,
            event_type="referral.made",
            target=case,
            changed_fields=["referral"],
            metadata={
                "referral_id": referral.pk,
                "organisation_type": organisation_type,
                "consent_id": consent.pk,
            },
        )
    return referral
