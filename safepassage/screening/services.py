"""Screening (draft, submit, revise) and determination (record, approve, return)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from safepassage.access.permissions import Perm
from safepassage.audit.services import audit_record
from safepassage.cases.lifecycle import advanced_status
from safepassage.cases.models import BeneficiaryCategory, Case, CaseStatus, ConsentScope
from safepassage.cases.services import (
    bump_case_version,
    case_set_status,
    lock_case_for_work,
    require_consent,
)
from safepassage.core import clock
from safepassage.core.errors import Conflict, PermissionDenied, ValidationFailed
from safepassage.reference.codes import (
    ExploitationType,
    LabourSector,
    MeansOfControl,
    RecruiterRelation,
    RecruitmentMethod,
    SexualExploitationType,
    TraffickingEventType,
)
from safepassage.reference.models import Country
from safepassage.screening.models import (
    ACTION_FIELDS,
    Determination,
    DeterminationOutcome,
    Screening,
    TraffickingEvent,
)
from safepassage.screening.rules import suggest
from safepassage.stats.services import case_fact_refresh

SCREENING_FIELDS = (
    "recruitment_date",
    "recruitment_methods",
    "recruiter_relation",
    "promised_job",
    *ACTION_FIELDS,
    "means_of_control",
    "exploitation_types",
    "labour_sectors",
    "sexual_exploitation_types",
    "exploitation_start",
    "exploitation_end",
    "country_of_exploitation",
    "presumed_child",
    "notes",
)

MULTI_CODE_LISTS = {
    "recruitment_methods": RecruitmentMethod,
    "means_of_control": MeansOfControl,
    "exploitation_types": ExploitationType,
    "labour_sectors": LabourSector,
    "sexual_exploitation_types": SexualExploitationType,
}


def _clean_fields(data: Mapping[str, Any], errors: dict[str, list[str]]) -> dict[str, Any]:
    unknown = set(data) - set(SCREENING_FIELDS)
    if unknown:
        raise ValidationFailed(f"unknown screening fields: {sorted(unknown)}")
    cleaned = dict(data)
    for name, codes in MULTI_CODE_LISTS.items():
        if name in cleaned:
            values = list(dict.fromkeys(cleaned[name] or []))
            bad = [v for v in values if v not in codes.values]
            if bad:
                errors.setdefault(name, []).append(
                    _("Unknown codes: %(codes)s.") % {"codes": ", ".join(map(str, bad))}
                )
            cleaned[name] = values
    relation = cleaned.get("recruiter_relation") or ""
    if relation and relation not in RecruiterRelation.values:
        errors.setdefault("recruiter_relation", []).append(_("Unknown relation."))
    country = cleaned.get("country_of_exploitation")
    if country is not None and not isinstance(country, Country):
        found = Country.objects.filter(iso3=str(country).upper()).first() if country else None
        if country and found is None:
            errors.setdefault("country_of_exploitation", []).append(_("Unknown country code."))
        cleaned["country_of_exploitation"] = found
    start, end = cleaned.get("exploitation_start"), cleaned.get("exploitation_end")
    if start and end and end < start:
        errors.setdefault("exploitation_end", []).append(
            _("Exploitation cannot end before it began.")
        )
    today = clock.today()
    for name in ("recruitment_date", "exploitation_start", "exploitation_end"):
        if cleaned.get(name) and cleaned[name] > today:
            errors.setdefault(name, []).append(_("This date is in the future."))
    return cleaned


def _clean_events(
    events: Sequence[Mapping[str, Any]], errors: dict[str, list[str]]
) -> list[TraffickingEvent]:
    rows: list[TraffickingEvent] = []
    countries = {
        c.iso3: c
        for c in Country.objects.filter(
            iso3__in=[str(e.get("country") or "").upper() for e in events]
        )
    }
    for index, event in enumerate(events, start=1):
        problem = None
        kind = event.get("type")
        country = countries.get(str(event.get("country") or "").upper())
        start, end = event.get("start_date"), event.get("end_date")
        if kind not in TraffickingEventType.values:
            problem = _("Route stage %(n)d: choose recruitment, transit or exploitation.")
        elif country is None:
            problem = _("Route stage %(n)d: unknown country.")
        elif start and end and end < start:
            problem = _("Route stage %(n)d ends before it starts.")
        if problem is not None or country is None:
            errors.setdefault("events", []).append((problem or "") % {"n": index})
            continue
        rows.append(
            TraffickingEvent(
                order=index,
                type=str(kind),
                country=country,
                place=str(event.get("place") or "").strip(),
                start_date=start,
                end_date=end,
            )
        )
    return rows


def _clean(
    data: Mapping[str, Any], events: Sequence[Mapping[str, Any]]
) -> tuple[dict[str, Any], list[TraffickingEvent]]:
    errors: dict[str, list[str]] = {}
    cleaned = _clean_fields(data, errors)
    rows = _clean_events(events, errors)
    if errors:
        raise ValidationFailed(_("The screening has errors; nothing was saved."), errors=errors)
    # The country of exploitation defaults to the last exploitation stage of the route.
    if cleaned.get("country_of_exploitation") is None:
        exploitation = [r for r in rows if r.type == TraffickingEventType.EXPLOITATION]
        if exploitation:
            cleaned["country_of_exploitation"] = exploitation[-1].country
    return cleaned, rows


def _submit_problems(
    screening: Screening, events: Sequence[TraffickingEvent]
) -> dict[str, list[str]]:
    """What a submitted screening must have, beyond a draft."""
    problems: dict[str, list[str]] = {}
    if screening.purpose_present and screening.country_of_exploitation_id is None:
        problems["country_of_exploitation"] = [
            _("Give the country of exploitation (or an exploitation stage in the route).")
        ]
    if (
        ExploitationType.FORCED_LABOUR in screening.exploitation_types
        and not screening.labour_sectors
    ):
        problems["labour_sectors"] = [_("Forced labour: give at least one sector.")]
    if (
        ExploitationType.SEXUAL_EXPLOITATION in screening.exploitation_types
        and not screening.sexual_exploitation_types
    ):
        problems["sexual_exploitation_types"] = [_("Sexual exploitation: give at least one type.")]
    if (
        screening.labour_sectors
        and ExploitationType.FORCED_LABOUR not in screening.exploitation_types
    ):
        problems["labour_sectors"] = [_("Sectors are given but forced labour is not ticked.")]
    return problems


def current_draft(case: Case) -> Screening | None:
    return case.screenings.filter(status=Screening.Status.DRAFT).first()


def latest_submitted(case: Case) -> Screening | None:
    return case.screenings.filter(status=Screening.Status.SUBMITTED).order_by("-number").first()


def latest_submitted_and_draft(case: Case) -> tuple[Screening | None, Screening | None]:
    """`latest_submitted` and `current_draft` in one query: a draft is numbered after every
    version before it (screening_save), so the two newest versions hold both."""
    latest = draft = None
    for screening in case.screenings.order_by("-number")[:2]:
        if screening.status == Screening.Status.DRAFT and draft is None:
            draft = screening
        elif screening.status == Screening.Status.SUBMITTED and latest is None:
            latest = screening
    return latest, draft


def screening_save(
    *,
    actor: Any,
    case: Case,
    expected_version: int,
    data: Mapping[str, Any],
    events: Sequence[Mapping[str, Any]] | None = None,
    submit: bool = False,
) -> Screening:
    """Save the screening draft, and submit it when `submit`. A submitted version is final: the
    next save starts a new version from a copy of it. `events` replaces the route when given;
    None keeps the route as it is."""
    cleaned, rows = _clean(data, events or [])
    with transaction.atomic():
        case = lock_case_for_work(actor, case, expected_version)
        require_consent(case, ConsentScope.INTERVIEW)
        draft = current_draft(case)
        created = draft is None
        if draft is None:
            number = (case.screenings.aggregate(n=Max("number"))["n"] or 0) + 1
            draft = Screening(case=case, number=number, created_by=actor)
            base = latest_submitted(case)
            if base is not None:
                for name in SCREENING_FIELDS:
                    setattr(draft, name, getattr(base, name))
                if events is None:
                    rows = [
                        TraffickingEvent(
                            order=e.order,
                            type=e.type,
                            country=e.country,
                            place=e.place,
                            start_date=e.start_date,
                            end_date=e.end_date,
                        )
                        for e in base.events.all()
                    ]
                    events = []
        elif events is None:
            rows = list(draft.events.all())
        changed = [name for name in cleaned if getattr(draft, name) != cleaned[name]]
        for name in changed:
            setattr(draft, name, cleaned[name])
        if submit:
            problems = _submit_problems(draft, rows)
            if problems:
                raise ValidationFailed(
                    _("The screening cannot be submitted yet; it was not saved."), errors=problems
                )
            draft.status = Screening.Status.SUBMITTED
            draft.submitted_by = actor
            draft.submitted_at = clock.now()
        draft.full_clean()
        draft.save()
        if events is not None:
            TraffickingEvent.objects.filter(screening=draft).delete()
            for row in rows:
                row.pk = None
                row.screening = draft
            TraffickingEvent.objects.bulk_create(rows)
        bump_case_version(case)
        audit_record(
            actor=actor,
            office=case.office,
            event_type="screening.submitted"
            if submit
            else ("screening.started" if created else "screening.draft_saved"),
            target=case,
            changed_fields=[*changed, *(["events"] if events is not None else [])],
            metadata={"screening_id": draft.pk, "version": draft.number, "route_stages": len(rows)},
        )
        if submit:
            case_set_status(
                actor=actor,
                case=case,
                status=advanced_status(case.status, CaseStatus.SCREENED),
                event_type="case.status_changed",
                metadata={"reason": "screening submitted"},
            )
            case_fact_refresh(case)
    return draft


def determination_record(
    *, actor: Any, case: Case, expected_version: int, outcome: str, reasons: str = ""
) -> Determination:
    """Record the caseworker's decision beside the rule's suggestion; it waits for a
    supervisor's approval. A decision that departs from the rule needs reasons."""
    if outcome not in DeterminationOutcome.values:
        raise ValidationFailed(_("Choose an outcome."), field="outcome")
    with transaction.atomic():
        case = lock_case_for_work(actor, case, expected_version)
        screening = latest_submitted(case)
        if screening is None:
            raise ValidationFailed(_("Submit the screening before recording a determination."))
        suggestion = suggest(case, screening)
        if outcome != suggestion.outcome and not reasons.strip():
            raise ValidationFailed(
                _("Your decision differs from the rule's suggestion: explain why."), field="reasons"
            )
        previous = (
            Determination.objects.select_for_update()
            .filter(
                case=case,
                status__in=[
                    Determination.Status.PENDING,
                    Determination.Status.APPROVED,
                    Determination.Status.RETURNED,
                ],
            )
            .order_by("-created_at", "-pk")
            .first()
        )
        determination = Determination(
            case=case,
            screening=screening,
            suggested_outcome=suggestion.outcome,
            suggestion_basis=suggestion.basis,
            outcome=outcome,
            reasons=reasons.strip(),
            decided_by=actor,
            supersedes=previous,
        )
        determination.full_clean()
        determination.save()
        if previous is not None:
            previous.status = Determination.Status.SUPERSEDED
            previous.save(update_fields=["status", "updated_at"])
        bump_case_version(case)
        audit_record(
            actor=actor,
            office=case.office,
            event_type="determination.recorded" if previous is None else "determination.revised",
            target=case,
            changed_fields=["outcome", "reasons"],
            metadata={
                "determination_id": determination.pk,
                "outcome": outcome,
                "suggested": suggestion.outcome,
                "screening_version": screening.number,
                "supersedes": getattr(previous, "pk", None),
            },
        )
    return determination


def _review(actor: Any, determination: Determination, status: str, note: str) -> Determination:
    with transaction.atomic():
        case = lock_case_for_work(actor, determination.case, None, Perm.CASE_APPROVE)
        locked = Determination.objects.select_for_update().get(pk=determination.pk, case=case)
        if locked.status != Determination.Status.PENDING:
            raise Conflict(_("This determination is no longer waiting for approval."))
        if locked.decided_by_id == actor.pk:
            raise PermissionDenied(
                _("Another supervisor must approve a decision you made yourself.")
            )
        locked.status = status
        locked.reviewed_by = actor
        locked.reviewed_at = clock.now()
        locked.review_note = note.strip()
        locked.save(
            update_fields=["status", "reviewed_by", "reviewed_at", "review_note", "updated_at"]
        )
        changed = ["status", "reviewed_by"]
        if (
            status == Determination.Status.APPROVED
            and locked.outcome == DeterminationOutcome.VOT
            and case.beneficiary_category == BeneficiaryCategory.PRESUMED_VOT
        ):
            case.beneficiary_category = BeneficiaryCategory.VOT
            case.save(update_fields=["beneficiary_category", "updated_at"])
            changed.append("beneficiary_category")
        bump_case_version(case)
        audit_record(
            actor=actor,
            office=case.office,
            event_type="determination.approved"
            if status == Determination.Status.APPROVED
            else "determination.returned",
            target=case,
            changed_fields=changed,
            metadata={"determination_id": locked.pk, "outcome": locked.outcome},
        )
        if "beneficiary_category" in changed:
            case_fact_refresh(case)
    return locked


def determination_approve(
    *, actor: Any, determination: Determination, note: str = ""
) -> Determination:
    return _review(actor, determination, Determination.Status.APPROVED, note)


def determination_return(*, actor: Any, determination: Determination, note: str) -> Determination:
    if not note.strip():
        raise ValidationFailed(_("Say what should be revised."), field="note")
    return _review(actor, determination, Determination.Status.RETURNED, note)


def approved_determination(case: Case) -> Determination | None:
    return (
        case.determinations.filter(status=Determination.Status.APPROVED)
        .order_by("-reviewed_at", "-pk")
        .first()
    )
