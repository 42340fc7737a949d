"""Writes on donors, projects, funds, GAF attestations and fund charges. Every function checks
access, validates, writes in one transaction and records an audit event in it (field names and
ids only: never personal values)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

import pycountry
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from safepassage.access.permissions import Perm
from safepassage.access.policy import has_perm, has_perm_somewhere, require_permission, scope_for
from safepassage.assistance.models import AssistanceService
from safepassage.audit.services import audit_record
from safepassage.cases.models import Case
from safepassage.cases.services import lock_case_for_work
from safepassage.core import clock
from safepassage.core.errors import Conflict, GateNotMet, PermissionDenied, ValidationFailed
from safepassage.offices.models import Office
from safepassage.projects.errors import FundNotEligible
from safepassage.projects.models import (
    PROJECT_TRANSITIONS,
    Donor,
    Fund,
    FundCharge,
    GafAttestation,
    Project,
    ProjectFunding,
    ProjectStatus,
    ThematicArea,
)
from safepassage.reference.models import Country
from safepassage.screening.services import latest_submitted

USD = "USD"
PROJECT_FIELDS = (
    "code",
    "title",
    "thematic_areas",
    "status",
    "start_date",
    "end_date",
    "offices",
    "countries",
)


@dataclass(frozen=True)
class FundingLine:
    """One donor contribution as given to a service (before it is a ProjectFunding row)."""

    donor: Donor
    year: int
    amount: Decimal
    currency: str
    usd_rate: Decimal


# --- validation shared by the services and the importer ---------------------------------------


def check_currency(code: str) -> str | None:
    """The error for a currency code, or None when it is an ISO 4217 code."""
    if not code:
        return _("Give the currency (ISO 4217, e.g. EUR).")
    if pycountry.currencies.get(alpha_3=code) is None:
        return _("Unknown currency code %(code)s (use ISO 4217, e.g. EUR).") % {"code": code}
    return None


def check_rate(currency: str, usd_rate: Decimal | None) -> str | None:
    if usd_rate is None:
        return None if currency == USD else _("Give the USD rate used (USD per unit).")
    if usd_rate <= 0:
        return _("The USD rate must be positive.")
    if currency == USD and usd_rate != 1:
        return _("An amount in USD has the rate 1.")
    return None


def parse_decimal(value: Any) -> Decimal | None:
    if value is None or str(value).strip() == "":
        return None
    try:
        number = Decimal(str(value).strip().replace(" ", ""))
    except InvalidOperation:
        raise ValueError(str(value)) from None
    if not number.is_finite():
        raise ValueError(str(value))
    return number


def check_project(
    *,
    code: str,
    title: str,
    thematic_areas: Sequence[str],
    status: str,
    start_date: dt.date | None,
    end_date: dt.date | None,
) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if not code:
        errors["code"] = [_("Give the project code.")]
    elif len(code) > 40:
        errors["code"] = [_("Use at most 40 characters.")]
    if not title:
        errors["title"] = [_("Give the project title.")]
    bad = [a for a in thematic_areas if a not in ThematicArea.values]
    if bad:
        errors["thematic_areas"] = [
            _("Unknown thematic areas: %(codes)s (use %(allowed)s).")
            % {"codes": ", ".join(bad), "allowed": ", ".join(ThematicArea.values)}
        ]
    elif not thematic_areas:
        errors["thematic_areas"] = [_("Choose at least one thematic area.")]
    if status not in ProjectStatus.values:
        errors["status"] = [
            _("Unknown status (use %(allowed)s).") % {"allowed": ", ".join(ProjectStatus.values)}
        ]
    if start_date is None:
        errors["start_date"] = [_("Give the start date.")]
    elif end_date is not None and end_date < start_date:
        errors["end_date"] = [_("The project cannot end before it starts.")]
    return errors


def check_funding_year(year: int, start_date: dt.date, end_date: dt.date | None) -> str | None:
    if year < start_date.year or (end_date is not None and year > end_date.year):
        return _("The year is outside the project's duration.")
    return None


def _require_manage_all(actor: Any, offices: Iterable[Office]) -> None:
    for office in offices:
        require_permission(actor, Perm.PROJECT_MANAGE, office=office)


# --- donors ------------------------------------------------------------------------------------


def donor_create(
    *, actor: Any, name: str, kind: str, country: Country | None = None, source: str = ""
) -> Donor:
    """Record a donor. Donors are shared by every office: any programme manager may add one."""
    if actor is not None and not has_perm_somewhere(actor, Perm.PROJECT_MANAGE):
        raise PermissionDenied(_("You do not have permission to do this here."))
    with transaction.atomic():
        if Donor.objects.filter(name__iexact=name.strip()).exists():
            raise ValidationFailed(_("A donor with this name exists."), field="name")
        return _donor_new(actor=actor, name=name, kind=kind, country=country, source=source)


def _donor_new(*, actor: Any, name: str, kind: str, country: Country | None, source: str) -> Donor:
    donor = Donor(name=name.strip(), kind=kind, country=country)
    donor.full_clean()
    donor.save()
    audit_record(
        actor=actor,
        office=None,
        event_type="donor.created",
        target=donor,
        changed_fields=["name", "kind", *(["country"] if country else [])],
        source=source,
    )
    return donor


# --- projects ----------------------------------------------------------------------------------


def _write_project(
    *,
    actor: Any,
    code: str,
    title: str,
    thematic_areas: Sequence[str],
    status: str,
    start_date: dt.date,
    end_date: dt.date | None,
    offices: Sequence[Office],
    countries: Sequence[Country],
    fundings: Sequence[FundingLine],
    event_type: str,
    source: str,
) -> Project:
    """Create a project and its funding lines; the caller holds the transaction and has
    checked the data."""
    project = Project(
        code=code,
        title=title,
        thematic_areas=list(dict.fromkeys(thematic_areas)),
        status=status,
        start_date=start_date,
        end_date=end_date,
    )
    project.full_clean()
    try:
        with transaction.atomic():
            project.save()
    except IntegrityError:
        raise Conflict(
            _("A project with the code %(code)s exists.") % {"code": code}, field="code"
        ) from None
    project.offices.set(offices)
    project.countries.set(countries)
    for line in fundings:
        _funding_new(project, line)
    audit_record(
        actor=actor,
        office=offices[0] if len(offices) == 1 else None,
        event_type=event_type,
        target=project,
        changed_fields=[*PROJECT_FIELDS, *(["fundings"] if fundings else [])],
        metadata={
            "code": code,
            "offices": sorted(o.code for o in offices),
            "fundings": len(fundings),
        },
        source=source,
    )
    return project


def _funding_new(project: Project, line: FundingLine) -> ProjectFunding:
    funding = ProjectFunding(
        project=project,
        donor=line.donor,
        year=line.year,
        amount=line.amount,
        currency=line.currency,
        usd_rate=line.usd_rate,
    )
    funding.full_clean(exclude=["amount_usd"])
    funding.save()
    return funding


def _check_lists(
    errors: dict[str, list[str]], offices: Sequence[Office], countries: Sequence[Country]
) -> None:
    if not offices:
        errors["offices"] = [_("Choose at least one implementing office.")]
    if not countries:
        errors["countries"] = [_("Choose at least one country.")]


def project_create(
    *,
    actor: Any,
    code: str,
    title: str,
    thematic_areas: Sequence[str],
    status: str = ProjectStatus.PLANNED,
    start_date: dt.date,
    end_date: dt.date | None = None,
    offices: Sequence[Office],
    countries: Sequence[Country],
    source: str = "",
) -> Project:
    """Create a project. The actor needs `project.manage` at every implementing office."""
    code, title = code.strip(), title.strip()
    errors = check_project(
        code=code,
        title=title,
        thematic_areas=thematic_areas,
        status=status,
        start_date=start_date,
        end_date=end_date,
    )
    _check_lists(errors, offices, countries)
    if errors:
        raise ValidationFailed(_("The project has errors; nothing was saved."), errors=errors)
    if actor is not None:
        _require_manage_all(actor, offices)
    with transaction.atomic():
        return _write_project(
            actor=actor,
            code=code,
            title=title,
            thematic_areas=thematic_areas,
            status=status,
            start_date=start_date,
            end_date=end_date,
            offices=offices,
            countries=countries,
            fundings=(),
            event_type="project.created",
            source=source,
        )


def _lock_project(actor: Any, project: Project) -> Project:
    """Lock the row; the actor must manage at least one of the project's offices."""
    locked = Project.objects.select_for_update().get(pk=project.pk)
    if actor is not None:
        scope = scope_for(actor, Perm.PROJECT_MANAGE)
        office_ids = set(locked.offices.values_list("pk", flat=True))
        if not scope.everything and not office_ids & scope.office_ids:
            raise PermissionDenied(_("You do not have permission to do this here."))
    return locked


def project_update(
    *,
    actor: Any,
    project: Project,
    title: str,
    thematic_areas: Sequence[str],
    status: str,
    start_date: dt.date,
    end_date: dt.date | None,
    offices: Sequence[Office],
    countries: Sequence[Country],
) -> Project:
    """Change a project. The actor must manage one of its offices, and every office added or
    removed; a status change must follow PROJECT_TRANSITIONS."""
    title = title.strip()
    errors = check_project(
        code=project.code,
        title=title,
        thematic_areas=thematic_areas,
        status=status,
        start_date=start_date,
        end_date=end_date,
    )
    _check_lists(errors, offices, countries)
    if errors:
        raise ValidationFailed(_("The project has errors; nothing was saved."), errors=errors)
    with transaction.atomic():
        project = _lock_project(actor, project)
        before_offices = {o.pk: o for o in project.offices.all()}
        after_offices = {o.pk: o for o in offices}
        touched = [
            before_offices.get(pk) or after_offices[pk]
            for pk in set(before_offices) ^ set(after_offices)
        ]
        if actor is not None:
            _require_manage_all(actor, touched)
        if status != project.status and status not in PROJECT_TRANSITIONS[project.status]:
            raise ValidationFailed(
                _("A %(from)s project cannot become %(to)s.")
                % {"from": project.status, "to": status},
                field="status",
            )
        values = {
            "title": title,
            "thematic_areas": list(dict.fromkeys(thematic_areas)),
            "status": status,
            "start_date": start_date,
            "end_date": end_date,
        }
        changed = [name for name, value in values.items() if getattr(project, name) != value]
        for name in changed:
            setattr(project, name, values[name])
        for funding in project.fundings.all():
            if check_funding_year(funding.year, start_date, end_date):
                raise ValidationFailed(
                    _("Funding is recorded for %(year)s, outside the new dates.")
                    % {"year": funding.year},
                    field="end_date",
                )
        if touched:
            changed.append("offices")
            project.offices.set(offices)
        if {c.pk for c in countries} != set(project.countries.values_list("pk", flat=True)):
            changed.append("countries")
            project.countries.set(countries)
        if changed:
            project.full_clean()
            project.save()
            audit_record(
                actor=actor,
                office=None,
                event_type="project.updated",
                target=project,
                changed_fields=changed,
                metadata={"code": project.code},
            )
    return project


def project_funding_add(
    *,
    actor: Any,
    project: Project,
    donor: Donor,
    year: int,
    amount: Decimal,
    currency: str,
    usd_rate: Decimal | None,
) -> ProjectFunding:
    """Record a donor's contribution for a year, in its currency with the USD rate used; the
    USD amount is computed once, here."""
    currency = currency.strip().upper()
    errors: dict[str, list[str]] = {}
    if amount is None or amount <= 0:
        errors["amount"] = [_("The amount must be positive.")]
    if message := check_currency(currency):
        errors["currency"] = [message]
    elif message := check_rate(currency, usd_rate):
        errors["usd_rate"] = [message]
    if message := check_funding_year(year, project.start_date, project.end_date):
        errors["year"] = [message]
    if errors:
        raise ValidationFailed(_("The funding has errors; nothing was saved."), errors=errors)
    with transaction.atomic():
        project = _lock_project(actor, project)
        funding = _funding_new(
            project,
            FundingLine(
                donor=donor,
                year=year,
                amount=amount,
                currency=currency,
                usd_rate=usd_rate if usd_rate is not None else Decimal(1),
            ),
        )
        audit_record(
            actor=actor,
            office=None,
            event_type="project.funding_added",
            target=project,
            changed_fields=["fundings"],
            metadata={"funding_id": funding.pk, "donor_id": donor.pk, "year": year},
        )
    return funding


def project_funding_remove(*, actor: Any, funding: ProjectFunding) -> None:
    with transaction.atomic():
        project = _lock_project(actor, funding.project)
        audit_record(
            actor=actor,
            office=None,
            event_type="project.funding_removed",
            target=project,
            changed_fields=["fundings"],
            metadata={"funding_id": funding.pk, "donor_id": funding.donor_id},
        )
        funding.delete()


# --- funds -------------------------------------------------------------------------------------


def fund_create(
    *,
    actor: Any,
    code: str,
    name: str,
    kind: str,
    budget_usd: Decimal = Decimal(0),
    offices: Sequence[Office] = (),
    member_countries: Sequence[Country] = (),
    project: Project | None = None,
    source: str = "",
) -> Fund:
    """Create a fund. A global fund (no offices) needs `project.manage` at headquarters; a fund
    of listed offices needs it at each of them."""
    code, name = code.strip().upper(), name.strip()
    errors: dict[str, list[str]] = {}
    if kind == Fund.Kind.REGIONAL and not member_countries:
        errors["member_countries"] = [_("A regional fund needs its member states.")]
    if kind != Fund.Kind.REGIONAL and member_countries:
        errors["member_countries"] = [_("Only a regional fund has member states.")]
    if kind == Fund.Kind.PROJECT and project is None:
        errors["project"] = [_("A project fund names its project.")]
    if budget_usd < 0:
        errors["budget_usd"] = [_("The budget cannot be negative.")]
    if errors:
        raise ValidationFailed(_("The fund has errors; nothing was saved."), errors=errors)
    if actor is not None:
        if offices:
            _require_manage_all(actor, offices)
        else:
            require_permission(actor, Perm.PROJECT_MANAGE, office=None)
    with transaction.atomic():
        if Fund.objects.filter(code=code).exists():
            raise Conflict(_("A fund with this code exists."), field="code")
        fund = Fund(code=code, name=name, kind=kind, budget_usd=budget_usd, project=project)
        fund.full_clean()
        fund.save()
        fund.offices.set(offices)
        fund.member_countries.set(member_countries)
        audit_record(
            actor=actor,
            office=offices[0] if len(offices) == 1 else None,
            event_type="fund.created",
            target=fund,
            changed_fields=[
                "code",
                "name",
                "kind",
                "budget_usd",
                *(["offices"] if offices else []),
                *(["member_countries"] if member_countries else []),
                *(["project"] if project else []),
            ],
            metadata={"code": code, "kind": kind},
            source=source,
        )
    return fund


def _require_fund_manager(actor: Any, fund: Fund) -> None:
    offices = list(fund.offices.all())
    if offices:
        scope = scope_for(actor, Perm.PROJECT_MANAGE)
        if scope.everything or {o.pk for o in offices} & scope.office_ids:
            return
        raise PermissionDenied(_("You do not have permission to do this here."))
    require_permission(actor, Perm.PROJECT_MANAGE, office=None)


def fund_update(
    *,
    actor: Any,
    fund: Fund,
    name: str,
    budget_usd: Decimal,
    is_active: bool,
    member_countries: Sequence[Country] | None = None,
) -> Fund:
    if budget_usd < 0:
        raise ValidationFailed(_("The budget cannot be negative."), field="budget_usd")
    with transaction.atomic():
        fund = Fund.objects.select_for_update().get(pk=fund.pk)
        if actor is not None:
            _require_fund_manager(actor, fund)
        values = {"name": name.strip(), "budget_usd": budget_usd, "is_active": is_active}
        changed = [k for k, v in values.items() if getattr(fund, k) != v]
        for k in changed:
            setattr(fund, k, values[k])
        if member_countries is not None and fund.kind == Fund.Kind.REGIONAL:
            if not member_countries:
                raise ValidationFailed(
                    _("A regional fund needs its member states."), field="member_countries"
                )
            if {c.pk for c in member_countries} != set(
                fund.member_countries.values_list("pk", flat=True)
            ):
                fund.member_countries.set(member_countries)
                changed.append("member_countries")
        if changed:
            fund.full_clean()
            fund.save()
            audit_record(
                actor=actor,
                office=None,
                event_type="fund.updated",
                target=fund,
                changed_fields=changed,
                metadata={"code": fund.code},
            )
    return fund


# --- eligibility and charges --------------------------------------------------------------------


def fund_eligibility_gaps(*, fund: Fund, case: Case) -> list[str]:
    """What the case lacks for the fund, each as a sentence; empty when eligible.

    - Global Assistance Fund: trafficked across an international border (the latest submitted
      screening records a country of exploitation, the person's citizenship is recorded, and
      the country is not one of their citizenships) and an attestation that no comparable
      regional or national project can assist.
    - Regional fund: the person is a national of a member state (any citizenship) and the
      country where they are assisted (`Case.assistance_country`) is a member state.
    - Project fund: no person-level rule.
    """
    gaps: list[str] = []
    person = case.person
    citizenships = person.citizenships
    if fund.kind == Fund.Kind.GLOBAL_ASSISTANCE:
        screening = latest_submitted(case)
        exploitation = screening.country_of_exploitation_id if screening else None
        if screening is None:
            gaps.append(_("No submitted screening records where the person was exploited."))
        elif exploitation is None:
            gaps.append(
                _("The latest submitted screening does not record the country of exploitation.")
            )
        elif not citizenships:
            gaps.append(
                _(
                    "The person's citizenship is not recorded, so crossing an international "
                    "border cannot be established."
                )
            )
        elif exploitation in citizenships:
            gaps.append(
                _(
                    "The person was not trafficked across an international border: the country "
                    "of exploitation (%(country)s) is one of their citizenships."
                )
                % {"country": exploitation}
            )
        if not GafAttestation.objects.filter(case=case).exists():
            gaps.append(
                _(
                    "No attestation is recorded that no comparable regional or national project "
                    "can assist the person."
                )
            )
    elif fund.kind == Fund.Kind.REGIONAL:
        members = set(fund.member_countries.values_list("pk", flat=True))
        if not citizenships:
            gaps.append(_("The person's nationality is not recorded."))
        elif not members.intersection(citizenships):
            gaps.append(
                _("The person is not a national of a member state (%(codes)s).")
                % {"codes": ", ".join(citizenships)}
            )
        if case.assistance_country_id not in members:
            gaps.append(
                _("The country where the person is assisted (%(country)s) is not a member state.")
                % {"country": case.assistance_country_id}
            )
    return gaps


def _lock_case_for_charge(actor: Any, case: Case) -> Case:
    """The case, locked. Another office's case answers "not found"; charging takes case work
    (caseworker, supervisor) or project management (data manager) at the case's office."""
    if actor is None:
        return lock_case_for_work(None, case, None)
    perm = Perm.CASE_WORK if has_perm(actor, Perm.CASE_WORK, office=case.office) else None
    return lock_case_for_work(actor, case, None, perm or Perm.PROJECT_MANAGE)


def _check_fund_open_to(fund: Fund, case: Case) -> None:
    if not fund.is_active:
        raise GateNotMet(_("The fund %(code)s is closed for charges.") % {"code": fund.code})
    office_ids = set(fund.offices.values_list("pk", flat=True))
    if office_ids and case.office_id not in office_ids:
        raise GateNotMet(
            _("The fund %(code)s is not available to the office of this case.")
            % {"code": fund.code}
        )


def _check_eligible(fund: Fund, case: Case) -> None:
    _check_fund_open_to(fund, case)
    if gaps := fund_eligibility_gaps(fund=fund, case=case):
        raise FundNotEligible(fund.code, gaps)


def _charge_date(charged_on: dt.date | None) -> dt.date:
    day = charged_on or clock.today()
    if day > clock.today():
        raise ValidationFailed(_("The date is in the future."), field="charged_on")
    return day


def gaf_attestation_record(
    *, actor: Any, case: Case, statement: str, attested_on: dt.date | None = None
) -> GafAttestation:
    """Record that no comparable regional or national project can assist the person."""
    statement = statement.strip()
    if len(statement) < 10:
        raise ValidationFailed(
            _("Say which regional and national projects were checked and why none can assist."),
            field="statement",
        )
    day = _charge_date(attested_on)
    with transaction.atomic():
        case = _lock_case_for_charge(actor, case)
        attestation = GafAttestation(
            case=case, statement=statement, attested_on=day, attested_by=actor
        )
        attestation.full_clean(exclude=["attested_by"])
        attestation.save()
        audit_record(
            actor=actor,
            office=case.office,
            event_type="fund.gaf_attested",
            target=case,
            changed_fields=["statement", "attested_on"],
            metadata={"attestation_id": attestation.pk},
        )
    return attestation


def fund_charge_case(
    *,
    actor: Any,
    fund: Fund,
    case: Case,
    amount_usd: Decimal | None = None,
    charged_on: dt.date | None = None,
) -> FundCharge:
    """Attach a case to a fund (a commitment, optionally reserving `amount_usd`). Refused with
    FundNotEligible naming every unmet rule."""
    if amount_usd is not None and amount_usd < 0:
        raise ValidationFailed(_("The amount cannot be negative."), field="amount_usd")
    day = _charge_date(charged_on)
    with transaction.atomic():
        case = _lock_case_for_charge(actor, case)
        _check_eligible(fund, case)
        if FundCharge.objects.filter(
            fund=fund, case=case, kind=FundCharge.Kind.COMMITMENT
        ).exists():
            raise Conflict(_("The case is already charged to this fund."))
        charge = FundCharge(
            fund=fund,
            case=case,
            kind=FundCharge.Kind.COMMITMENT,
            amount=amount_usd,
            currency=USD if amount_usd is not None else "",
            usd_rate=Decimal(1) if amount_usd is not None else None,
            charged_on=day,
            charged_by=actor,
        )
        charge.full_clean(exclude=["charged_by", "amount_usd"])
        charge.save()
        audit_record(
            actor=actor,
            office=case.office,
            event_type="fund.case_charged",
            target=charge,
            changed_fields=["fund", "case", *(["amount_usd"] if amount_usd is not None else [])],
            metadata={"fund": fund.code, "case_id": case.pk},
        )
    return charge


def fund_charge_assistance(
    *,
    actor: Any,
    fund: Fund,
    assistance: AssistanceService,
    usd_rate: Decimal | None = None,
    charged_on: dt.date | None = None,
) -> FundCharge:
    """Pay an assistance record from a fund: its amount in its currency, converted to USD with
    the rate given (1 for USD) once, here. The fund's eligibility rules apply to its case."""
    if assistance.amount is None:
        raise ValidationFailed(
            _("The assistance record has no amount to charge."), field="assistance"
        )
    currency = assistance.currency.upper()
    if message := check_currency(currency) or check_rate(currency, usd_rate):
        raise ValidationFailed(message, field="usd_rate")
    day = _charge_date(charged_on)
    with transaction.atomic():
        case = _lock_case_for_charge(actor, assistance.case)
        _check_eligible(fund, case)
        if FundCharge.objects.filter(assistance_service=assistance).exists():
            raise Conflict(_("This assistance record is already charged to a fund."))
        charge = FundCharge(
            fund=fund,
            case=case,
            assistance_service=assistance,
            kind=FundCharge.Kind.EXPENDITURE,
            amount=assistance.amount,
            currency=currency,
            usd_rate=usd_rate if usd_rate is not None else Decimal(1),
            charged_on=day,
            charged_by=actor,
        )
        charge.full_clean(exclude=["charged_by", "amount_usd"])
        charge.save()
        audit_record(
            actor=actor,
            office=case.office,
            event_type="fund.assistance_charged",
            target=charge,
            changed_fields=["fund", "assistance_service", "amount_usd", "usd_rate"],
            metadata={"fund": fund.code, "case_id": case.pk, "service_id": assistance.pk},
        )
    return charge


def funding_lines(rows: Iterable[Mapping[str, Any]]) -> list[FundingLine]:
    """FundingLine values from plain mappings (already validated)."""
    return [
        FundingLine(
            donor=row["donor"],
            year=int(row["year"]),
            amount=Decimal(row["amount"]),
            currency=str(row["currency"]),
            usd_rate=Decimal(row["usd_rate"]),
        )
        for row in rows
    ]
