"""Writes on persons, cases, consent and notes. Every function checks access, validates,
writes in one transaction and records an audit event in it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from safepassage.access.permissions import Perm
from safepassage.access.policy import access_case, has_perm, require_permission
from safepassage.audit.services import audit_record
from safepassage.cases.errors import CaseClosed, ConsentMissing, StaleVersion
from safepassage.cases.lifecycle import check_transition
from safepassage.cases.models import (
    BirthDatePrecision,
    Case,
    CaseNote,
    CaseReferenceCounter,
    CaseStatus,
    ClosureReason,
    Consent,
    ConsentScope,
    IdentityDocument,
    Person,
    PersonNameKey,
    SharedData,
)
from safepassage.core import clock
from safepassage.core.crypto import blind_index
from safepassage.core.errors import IllegalTransition, ValidationFailed
from safepassage.core.names import skeleton, tokens
from safepassage.offices.models import Office
from safepassage.reference.models import Country
from safepassage.stats.services import case_fact_refresh

PERSON_FIELDS = (
    "given_names",
    "family_names",
    "given_names_original",
    "family_names_original",
    "aliases",
    "sex",
    "birth_date",
    "birth_date_precision",
    "birth_place",
    "citizenship",
    "other_citizenships",
    "languages",
    "phone",
    "email",
    "address",
)


# --- names -----------------------------------------------------------------------------------


def name_keys(person: Person) -> set[str]:
    """Blind-indexed keys for every name token and its skeleton (see core.names)."""
    texts = [
        person.given_names,
        person.family_names,
        person.given_names_original,
        person.family_names_original,
        *(person.aliases or []),
    ]
    keys: set[str] = set()
    for text in texts:
        for token in tokens(text or ""):
            keys.add(blind_index(token, purpose="name-token"))
            keys.add(blind_index(skeleton(token), purpose="name-skeleton"))
    return keys


def refresh_name_keys(person: Person) -> None:
    PersonNameKey.objects.filter(person=person).delete()
    PersonNameKey.objects.bulk_create(
        PersonNameKey(person=person, office_id=person.office_id, key=key)
        for key in sorted(name_keys(person))
    )


# --- persons ---------------------------------------------------------------------------------


def _country(code: str | None, field: str) -> Country | None:
    if not code:
        return None
    try:
        return Country.objects.get(iso3=code.strip().upper())
    except Country.DoesNotExist:
        raise ValidationFailed(
            _("Unknown country code %(code)s.") % {"code": code}, field=field
        ) from None


def _clean_person_data(data: Mapping[str, Any]) -> dict[str, Any]:
    unknown = set(data) - set(PERSON_FIELDS)
    if unknown:
        raise ValidationFailed(f"unknown person fields: {sorted(unknown)}")
    cleaned = dict(data)
    if "citizenship" in cleaned and not isinstance(cleaned["citizenship"], Country):
        cleaned["citizenship"] = _country(cleaned["citizenship"], "citizenship")
    if "other_citizenships" in cleaned:
        others = [
            str(c).strip().upper() for c in cleaned["other_citizenships"] or [] if str(c).strip()
        ]
        for code in others:
            _country(code, "other_citizenships")
        cleaned["other_citizenships"] = others
    if "aliases" in cleaned:
        cleaned["aliases"] = [str(a).strip() for a in cleaned["aliases"] or [] if str(a).strip()]
    birth_date = cleaned.get("birth_date")
    if birth_date is not None and birth_date > clock.today():
        raise ValidationFailed(_("The date of birth is in the future."), field="birth_date")
    if birth_date is None and cleaned.get("birth_date_precision") not in (
        None,
        BirthDatePrecision.UNKNOWN,
    ):
        raise ValidationFailed(
            _("Give a date of birth or set its precision to unknown."), field="birth_date"
        )
    if birth_date is not None and cleaned.get("birth_date_precision") in (
        None,
        "",
        BirthDatePrecision.UNKNOWN,
    ):
        # A date given without its precision is taken as exact: the age rules need one.
        cleaned["birth_date_precision"] = BirthDatePrecision.EXACT
    return cleaned


def person_register(
    *,
    actor: Any,
    office: Office,
    data: Mapping[str, Any],
    documents: Iterable[Mapping[str, Any]] = (),
    source: str = "",
) -> Person:
    """Register a person at an office (before opening their case)."""
    if actor is not None:
        require_permission(actor, Perm.CASE_WORK, office=office)
    cleaned = _clean_person_data(data)
    if not any(
        cleaned.get(name)
        for name in (
            "given_names",
            "family_names",
            "given_names_original",
            "family_names_original",
            "aliases",
        )
    ):
        raise ValidationFailed(_("Record at least one name or alias."), field="given_names")
    with transaction.atomic():
        person = Person(office=office, **cleaned)
        person.full_clean()
        person.save()
        refresh_name_keys(person)
        for document in documents:
            _add_document(person, document)
        audit_record(
            actor=actor,
            office=office,
            event_type="person.registered",
            target=person,
            changed_fields=[name for name in cleaned if cleaned[name] not in (None, "", [])],
            source=source,
        )
    return person


def _add_document(person: Person, data: Mapping[str, Any]) -> IdentityDocument:
    number = str(data.get("number", "")).strip()
    if not number:
        raise ValidationFailed(_("A document needs its number."), field="number")
    document = IdentityDocument(
        person=person,
        kind=data.get("kind", IdentityDocument.Kind.OTHER),
        number=number,
        number_index=blind_index(number, purpose="document-number"),
        issuing_country=_country(data.get("issuing_country"), "issuing_country"),
        expiry_date=data.get("expiry_date"),
        held_by_person=bool(data.get("held_by_person", True)),
    )
    document.full_clean()
    document.save()
    return document


def person_update(
    *, actor: Any, case: Case, expected_version: int, data: Mapping[str, Any]
) -> Person:
    """Correct the identity of the person of a case (bumps the case version)."""
    cleaned = _clean_person_data(data)
    with transaction.atomic():
        case = _lock_for_work(actor, case, expected_version)
        person = case.person
        changed = [name for name, value in cleaned.items() if getattr(person, name) != value]
        for name in changed:
            setattr(person, name, cleaned[name])
        if changed:
            person.full_clean()
            person.save()
            refresh_name_keys(person)
            _bump(case)
            audit_record(
                actor=actor,
                office=case.office,
                event_type="person.updated",
                target=case,
                changed_fields=changed,
                metadata={"person_id": person.pk},
            )
            case_fact_refresh(case)
    return person


def document_add(*, actor: Any, case: Case, data: Mapping[str, Any]) -> IdentityDocument:
    with transaction.atomic():
        case = _lock_for_work(actor, case, None)
        document = _add_document(case.person, data)
        audit_record(
            actor=actor,
            office=case.office,
            event_type="person.document_added",
            target=case,
            changed_fields=["kind", "number", "issuing_country", "expiry_date"],
            metadata={"document_id": document.pk, "kind": document.kind},
        )
    return document


# --- cases -----------------------------------------------------------------------------------


def _next_reference(office: Office, year: int) -> str:
    counter, _ = CaseReferenceCounter.objects.select_for_update().get_or_create(
        office=office, year=year
    )
    counter.last += 1
    counter.save(update_fields=["last"])
    return f"{office.code}-{year}-{counter.last:05d}"


def case_open(
    *,
    actor: Any,
    person: Person,
    registration_date: dt.date,
    referral_source: str,
    beneficiary_category: str,
    assigned_to: Any = None,
    reference: str | None = None,
    assistance_country: str | None = None,
    source: str = "",
) -> Case:
    """Open a case (an instance of assistance) for a person registered at the same office."""
    office = person.office
    if actor is not None:
        require_permission(actor, Perm.CASE_WORK, office=office)
    if registration_date > clock.today():
        raise ValidationFailed(
            _("The registration date is in the future."), field="registration_date"
        )
    if assigned_to is not None and not has_perm(assigned_to, Perm.CASE_WORK, office=office):
        raise ValidationFailed(
            _("The assigned caseworker does not work at this office."), field="assigned_to"
        )
    with transaction.atomic():
        if reference is None:
            reference = _next_reference(office, registration_date.year)
        elif Case.objects.filter(office=office, reference=reference).exists():
            raise ValidationFailed(
                _("Reference %(ref)s is already used at this office.") % {"ref": reference},
                field="reference",
            )
        country = (
            _country(assistance_country, "assistance_country")
            if assistance_country
            else office.country
        )
        case = Case(
            office=office,
            person=person,
            reference=reference,
            registration_date=registration_date,
            referral_source=referral_source,
            beneficiary_category=beneficiary_category,
            assistance_country=country,
            assigned_to=assigned_to,
        )
        case.full_clean()
        case.save()
        audit_record(
            actor=actor,
            office=office,
            event_type="case.opened",
            target=case,
            changed_fields=[
                "reference",
                "registration_date",
                "referral_source",
                "beneficiary_category",
                "assigned_to",
                "person",
            ],
            metadata={
                "person_id": person.pk,
                "category": beneficiary_category,
                "referral_source": referral_source,
            },
            source=source,
        )
        case_fact_refresh(case)
    return case


def _bump(case: Case) -> None:
    case.version += 1
    case.save(update_fields=["version", "updated_at"])


def _lock_for_work(
    actor: Any, case: Case, expected_version: int | None, perm: str = Perm.CASE_WORK
) -> Case:
    """Lock the case row, check the actor may work on it, that it is open, and (for edits made
    from a form) that nobody changed it since the form was loaded."""
    if actor is None:
        locked = (
            Case.objects.select_for_update(of=("self",))
            .select_related("office", "office__country", "person")
            .get(pk=case.pk)
        )
    else:
        # Seeing the case is checked first, so another office gets "not found"; a colleague
        # who may see it but not do this gets "not allowed".
        locked = access_case(actor, case.pk, Perm.CASE_VIEW, for_update=True)
        require_permission(actor, perm, office=locked.office)
    if locked.is_closed:
        raise CaseClosed
    if expected_version is not None and locked.version != expected_version:
        raise StaleVersion
    return locked


def lock_case_for_work(
    actor: Any, case: Case, expected_version: int | None, perm: str = Perm.CASE_WORK
) -> Case:
    """For services of other case-work apps (screening, assistance, returns...)."""
    return _lock_for_work(actor, case, expected_version, perm)


def bump_case_version(case: Case) -> None:
    _bump(case)


def case_set_status(
    *,
    actor: Any,
    case: Case,
    status: str,
    event_type: str,
    metadata: Mapping[str, Any] | None = None,
) -> Case:
    """Move a locked case along the transition table (called inside another service's
    transaction)."""
    if case.status == status:
        return case
    previous = case.status
    check_transition(previous, status)
    case.status = status
    case.version += 1
    case.save(update_fields=["status", "version", "updated_at"])
    audit_record(
        actor=actor,
        office=case.office,
        event_type=event_type,
        target=case,
        changed_fields=["status"],
        metadata={"from": previous, "to": status, **(metadata or {})},
    )
    case_fact_refresh(case)
    return case


def case_assign(*, actor: Any, case: Case, assignee: Any, expected_version: int) -> Case:
    with transaction.atomic():
        case = _lock_for_work(actor, case, expected_version)
        if assignee is not None and not has_perm(assignee, Perm.CASE_WORK, office=case.office):
            raise ValidationFailed(
                _("The caseworker does not work at this office."), field="assigned_to"
            )
        case.assigned_to = assignee
        case.version += 1
        case.save(update_fields=["assigned_to", "version", "updated_at"])
        audit_record(
            actor=actor,
            office=case.office,
            event_type="case.assigned",
            target=case,
            changed_fields=["assigned_to"],
            metadata={"assignee_id": getattr(assignee, "pk", None)},
        )
    return case


def case_close(*, actor: Any, case: Case, reason: str, expected_version: int) -> Case:
    """A supervisor closes the case; a caseworker's close is recorded as a request that appears
    in the supervisor's approval queue."""
    if reason not in ClosureReason.values:
        raise ValidationFailed(_("Choose a reason for closing."), field="reason")
    with transaction.atomic():
        case = _lock_for_work(actor, case, expected_version)
        if not has_perm(actor, Perm.CASE_APPROVE, office=case.office):
            case.closure_requested_by = actor
            case.closure_requested_reason = reason
            case.version += 1
            case.save(
                update_fields=[
                    "closure_requested_by",
                    "closure_requested_reason",
                    "version",
                    "updated_at",
                ]
            )
            audit_record(
                actor=actor,
                office=case.office,
                event_type="case.closure_requested",
                target=case,
                changed_fields=["closure_requested_reason"],
                metadata={"reason": reason},
            )
            return case
        previous = case.status
        check_transition(previous, CaseStatus.CLOSED)
        case.status_before_closure = previous
        case.status = CaseStatus.CLOSED
        case.closure_reason = reason
        case.closed_at = clock.now()
        case.closure_requested_by = None
        case.closure_requested_reason = ""
        case.version += 1
        case.save()
        audit_record(
            actor=actor,
            office=case.office,
            event_type="case.closed",
            target=case,
            changed_fields=["status", "closure_reason", "closed_at"],
            metadata={"from": previous, "reason": reason},
        )
        case_fact_refresh(case)
    return case


def case_closure_decline(*, actor: Any, case: Case, expected_version: int) -> Case:
    with transaction.atomic():
        case = _lock_for_work(actor, case, expected_version, Perm.CASE_APPROVE)
        case.closure_requested_by = None
        case.closure_requested_reason = ""
        case.version += 1
        case.save(
            update_fields=[
                "closure_requested_by",
                "closure_requested_reason",
                "version",
                "updated_at",
            ]
        )
        audit_record(
            actor=actor,
            office=case.office,
            event_type="case.closure_declined",
            target=case,
            changed_fields=["closure_requested_reason"],
        )
    return case


def case_reopen(*, actor: Any, case: Case, expected_version: int) -> Case:
    with transaction.atomic():
        locked = access_case(actor, case.pk, Perm.CASE_VIEW, for_update=True)
        require_permission(actor, Perm.CASE_WORK, office=locked.office)
        if locked.version != expected_version:
            raise StaleVersion
        if not locked.is_closed:
            raise IllegalTransition(_("Only a closed case can be reopened."))
        target = locked.status_before_closure or CaseStatus.REGISTERED
        check_transition(locked.status, target)
        locked.status = target
        locked.status_before_closure = ""
        locked.closure_reason = ""
        locked.closed_at = None
        locked.version += 1
        locked.save()
        audit_record(
            actor=actor,
            office=locked.office,
            event_type="case.reopened",
            target=locked,
            changed_fields=["status", "closure_reason", "closed_at"],
            metadata={"to": target},
        )
        case_fact_refresh(locked)
    return locked


# --- consent ---------------------------------------------------------------------------------


def consent_record(
    *,
    actor: Any,
    case: Case,
    scope: str,
    given: bool,
    form: str,
    date: dt.date,
    given_by: str = Consent.GivenBy.PERSON,
    guardian_name: str = "",
    recipient_office: Office | None = None,
    recipient_partner: str = "",
    shared_data: Iterable[str] | None = None,
) -> Consent:
    """Record a consent decision. Sharing consents name their recipient and what may be shared
    (all of identity, screening summary and assistance history unless narrowed)."""
    if scope not in ConsentScope.values:
        raise ValidationFailed(_("Unknown consent scope."), field="scope")
    sharing = scope in Consent.RECIPIENT_SCOPES
    items = (
        list(dict.fromkeys(shared_data if shared_data is not None else SharedData.values))
        if sharing
        else []
    )
    if sharing and (not items or set(items) - set(SharedData.values)):
        raise ValidationFailed(_("Choose what may be shared."), field="shared_data")
    if date > clock.today():
        raise ValidationFailed(_("The consent date is in the future."), field="date")
    if scope == ConsentScope.SHARING_OFFICE and recipient_office is None:
        raise ValidationFailed(
            _("Name the office the data may be shared with."), field="recipient_office"
        )
    if scope == ConsentScope.SHARING_PARTNER and not recipient_partner.strip():
        raise ValidationFailed(
            _("Name the partner the data may be shared with."), field="recipient_partner"
        )
    if given_by == Consent.GivenBy.GUARDIAN and not guardian_name.strip():
        raise ValidationFailed(_("Give the guardian's name."), field="guardian_name")
    with transaction.atomic():
        case = _lock_for_work(actor, case, None)
        consent = Consent(
            case=case,
            scope=scope,
            given=given,
            form=form,
            given_by=given_by,
            guardian_name=guardian_name.strip(),
            recipient_office=recipient_office if scope == ConsentScope.SHARING_OFFICE else None,
            recipient_partner=recipient_partner.strip()
            if scope == ConsentScope.SHARING_PARTNER
            else "",
            shared_data=items,
            date=date,
            recorded_by=actor,
        )
        consent.full_clean()
        consent.save()
        audit_record(
            actor=actor,
            office=case.office,
            event_type="consent.recorded" if given else "consent.refused",
            target=case,
            changed_fields=[
                "scope",
                "given",
                "form",
                "given_by",
                "date",
                *(["shared_data"] if sharing else []),
            ],
            metadata={
                "consent_id": consent.pk,
                "scope": scope,
                "given": given,
                "form": form,
                "recipient_office_id": getattr(recipient_office, "pk", None),
            },
        )
    return consent


def consent_withdraw(*, actor: Any, consent: Consent, note: str = "") -> Consent:
    with transaction.atomic():
        case = _lock_for_work(actor, consent.case, None)
        consent = Consent.objects.select_for_update().get(pk=consent.pk, case=case)
        if not consent.active:
            raise ValidationFailed(_("This consent is not in force."))
        consent.withdrawn_at = clock.now()
        consent.withdrawn_by = actor
        consent.withdrawal_note = note.strip()
        consent.save(
            update_fields=["withdrawn_at", "withdrawn_by", "withdrawal_note", "updated_at"]
        )
        audit_record(
            actor=actor,
            office=case.office,
            event_type="consent.withdrawn",
            target=case,
            changed_fields=["withdrawn_at"],
            metadata={"consent_id": consent.pk, "scope": consent.scope},
        )
    return consent


def active_consent(
    case: Case, scope: str, *, recipient_office: Office | None = None, written: bool = False
) -> Consent | None:
    """The consent in force for a scope (the most recent decision counts: a later refusal
    overrides an earlier consent)."""
    queryset = Consent.objects.filter(case=case, scope=scope, withdrawn_at__isnull=True)
    if recipient_office is not None:
        queryset = queryset.filter(recipient_office=recipient_office)
    latest = queryset.order_by("-date", "-pk").first()
    if latest is None or not latest.given:
        return None
    if written and latest.form != Consent.Form.WRITTEN:
        return None
    return latest


def require_consent(
    case: Case, scope: str, *, recipient_office: Office | None = None, written: bool = False
) -> Consent:
    consent = active_consent(case, scope, recipient_office=recipient_office, written=written)
    if consent is None:
        detail = (
            _("Record the person's written consent first.")
            if written
            else _("Record the person's consent first.")
        )
        label = str(ConsentScope(scope).label)
        if recipient_office is not None:
            label = f"{label} ({recipient_office.code})"
        raise ConsentMissing(label, detail)
    return consent


# --- notes -----------------------------------------------------------------------------------


def case_note_add(*, actor: Any, case: Case, text: str) -> CaseNote:
    if not text.strip():
        raise ValidationFailed(_("The note is empty."), field="text")
    with transaction.atomic():
        case = _lock_for_work(actor, case, None)
        note = CaseNote.objects.create(case=case, author=actor, text=text.strip())
        audit_record(
            actor=actor,
            office=case.office,
            event_type="case.note_added",
            target=case,
            changed_fields=["text"],
            metadata={"note_id": note.pk},
        )
    return note


# --- registration ----------------------------------------------------------------------------


def person_register_and_open_case(
    *,
    actor: Any,
    office: Office,
    person_data: Mapping[str, Any],
    registration_date: dt.date,
    referral_source: str,
    beneficiary_category: str,
    assigned_to: Any = None,
    documents: Iterable[Mapping[str, Any]] = (),
    source: str = "",
) -> Case:
    """Register a new person and open their first case at `office`, both or neither: a person
    without a case would be personal data kept for no purpose."""
    with transaction.atomic():
        person = person_register(
            actor=actor, office=office, data=person_data, documents=documents, source=source
        )
        return case_open(
            actor=actor,
            person=person,
            registration_date=registration_date,
            referral_source=referral_source,
            beneficiary_category=beneficiary_category,
            assigned_to=assigned_to,
            source=source,
        )
