"""Generated case work for the demo: persons, cases, consent, screenings with their routes,
determinations, assistance, returns with their gates, transfers and reintegration, written in
bulk through the real models.

Everything is planned in Python first (who, where, when, which services), so that the figures
the report counts are met as a whole (docs/demo-data.md), then written in batches inside the
caller's transaction, one audit event per batch with counts only. The records are valid by
construction; the tests run `full_clean()` on a sample and check the gates and links of every
return and transfer.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.hashers import make_password
from django.db import models
from django.utils import timezone

from safepassage.access.permissions import Role
from safepassage.accounts.models import Membership, User
from safepassage.assistance.models import AssistanceService, Phase, ServiceType
from safepassage.audit.services import audit_record
from safepassage.cases.models import (
    BeneficiaryCategory,
    BirthDatePrecision,
    Case,
    CaseReferenceCounter,
    CaseStatus,
    ClosureReason,
    Consent,
    ConsentScope,
    Person,
    PersonNameKey,
    ReferralSource,
    SharedData,
)
from safepassage.cases.services import name_keys
from safepassage.demo.flows import (
    TOP_FLOWS_2011,
    UNKNOWN,
    Flow,
    Targets,
    plan_flows,
    scaled,
    targets_2010,
    targets_2011,
)
from safepassage.demo.names import LOCALES, Name, generate_name, variant
from safepassage.offices.models import Office
from safepassage.reference.codes import (
    ExploitationType,
    Gender,
    LabourSector,
    MeansOfControl,
    RecruiterRelation,
    RecruitmentMethod,
    SexualExploitationType,
    TraffickingEventType,
)
from safepassage.reference.models import Country
from safepassage.returns.models import (
    MonitoringStatus,
    MonitoringVisit,
    ReintegrationPlan,
    ReturnPlan,
    RiskAssessment,
    RiskLevel,
)
from safepassage.screening.models import Determination, Screening, TraffickingEvent
from safepassage.screening.rules import RuleInput, apply_rule
from safepassage.stats import definitions as d
from safepassage.stats.models import CaseFact
from safepassage.transfers.models import Transfer, TransferStatus
from safepassage.transfers.services import SCREENING_SUMMARY_FIELDS

SOURCE = "demo"
BATCH_PERSONS = 400
Progress = Callable[[str], None]

# The seed's reintegration chapter: share of returned beneficiaries with any reintegration
# service who received each type.
REINTEGRATION_SHARES: dict[str, float] = {
    ServiceType.LEGAL: 0.58,
    ServiceType.MEDICAL: 0.57,
    ServiceType.FINANCIAL: 0.54,
    ServiceType.HOUSING: 0.37,
    ServiceType.COMMUNITY_BASED: 0.30,
    ServiceType.EDUCATION: 0.10,
}
# The office already in the demo for a country, and the second office of countries with
# internal returns (the office near the community of origin).
PRIMARY_OFFICE = {"RUS": "RU-MOSCOW", "UKR": "UA-KYIV", "THA": "TH-BANGKOK", "HTI": "HT-PAP"}
SECOND_OFFICE = {
    "HTI": ("HT-CAP", "Cap-Haitien"),
    "YEM": ("YE-HARADH", "Haradh"),
    "AFG": ("AF-HERAT", "Herat"),
    "UKR": ("UA-ODESA", "Odesa"),
}

# Sector mix of forced labour by country of exploitation (default: a general mix).
SECTORS: dict[str, tuple[str, ...]] = {
    "RUS": (LabourSector.CONSTRUCTION, LabourSector.MANUFACTURING, LabourSector.AGRICULTURE),
    "KAZ": (LabourSector.AGRICULTURE, LabourSector.CONSTRUCTION),
    "THA": (LabourSector.AQUAFARMING, LabourSector.MANUFACTURING, LabourSector.DOMESTIC_WORK),
    "IDN": (LabourSector.AQUAFARMING,),
    "MYS": (LabourSector.AQUAFARMING, LabourSector.AGRICULTURE),
    "HTI": (LabourSector.DOMESTIC_WORK,),
    "YEM": (LabourSector.AGRICULTURE, LabourSector.DOMESTIC_WORK, LabourSector.PEDDLING),
    "AFG": (LabourSector.MANUFACTURING, LabourSector.AGRICULTURE),
    "POL": (LabourSector.AGRICULTURE, LabourSector.CONSTRUCTION),
    "TUR": (LabourSector.DOMESTIC_WORK, LabourSector.HOSPITALITY),
    "ARE": (LabourSector.DOMESTIC_WORK, LabourSector.CONSTRUCTION),
}
GENERAL_SECTORS = (
    LabourSector.AGRICULTURE,
    LabourSector.CONSTRUCTION,
    LabourSector.DOMESTIC_WORK,
    LabourSector.MANUFACTURING,
    LabourSector.HOSPITALITY,
)
OTHER_TYPES = (
    ExploitationType.FORCED_MARRIAGE,
    ExploitationType.FORCED_CRIMINALITY,
    ExploitationType.SERVITUDE,
    ExploitationType.SLAVERY,
    ExploitationType.ORGAN_REMOVAL,
)
# How likely each exploitation type is for a flow's country of exploitation (x remaining quota).
SEXUAL_AFFINITY = {"TUR": 4.0, "ARE": 4.0, "ISR": 4.0, "DEU": 3.0, "CZE": 3.0, "ITA": 4.0,
                   "NLD": 4.0, "EGY": 2.0, "THA": 1.2, "RUS": 1.0, "IDN": 0.1, "KAZ": 0.5,
                   "AFG": 0.3, "HTI": 0.3, "YEM": 0.3}  # fmt: skip
BEGGING_AFFINITY = {"YEM": 5.0, "AFG": 3.0, "HTI": 1.5, "SAU": 5.0, "THA": 1.0}


@dataclass
class Slot:
    """One instance of assistance of a planned person."""

    office: Office
    role: str  # dest | origin | dup | single_dest | single_origin
    registered: dt.date
    returned: bool
    reintegration: set[str] = field(default_factory=set)


@dataclass
class PersonPlan:
    flow: Flow
    pattern: str  # pair | triple | dest | origin
    exploitation: str = "unknown"
    female: bool = True
    child: bool = False
    slots: list[Slot] = field(default_factory=list)

    @property
    def k(self) -> int:
        return {"pair": 2, "triple": 3}.get(self.pattern, 1)


@dataclass
class SeedResult:
    year: int
    instances: int
    persons: int
    counts: Counter[str]


# --- offices and staff ---------------------------------------------------------------------------


def ensure_offices(countries: Iterable[str], second: Iterable[str]) -> dict[str, Office]:
    """A country office in every country the data needs (and the second office of countries
    with internal returns), created in bulk; keyed by code."""
    existing = {o.code: o for o in Office.objects.select_related("country")}
    names = dict(Country.objects.values_list("iso3", "name"))
    iso2 = dict(Country.objects.values_list("iso3", "iso2"))
    wanted: list[Office] = []
    for code3 in sorted(set(countries)):
        code = primary_code(code3, iso2)
        if code not in existing:
            wanted.append(Office(code=code, name=names[code3], country_id=code3))
    for code3 in sorted(set(second)):
        code, city = SECOND_OFFICE.get(code3, (f"{iso2[code3]}-FIELD", "Field office"))
        if code not in existing:
            wanted.append(Office(code=code, name=f"{names[code3]}: {city}", country_id=code3))
    for office in wanted[:3]:
        office.full_clean()
    Office.objects.bulk_create(wanted)
    if wanted:
        audit_record(
            actor=None,
            office=None,
            event_type="demo.offices_created",
            target=None,
            metadata={"offices": len(wanted)},
            source=SOURCE,
        )
    return {o.code: o for o in Office.objects.select_related("country")}


def primary_code(country: str, iso2: dict[str, str]) -> str:
    return PRIMARY_OFFICE.get(country, f"{iso2[country]}-CO")


def second_code(country: str, iso2: dict[str, str]) -> str:
    return SECOND_OFFICE.get(country, (f"{iso2[country]}-FIELD", ""))[0]


@dataclass
class Staff:
    caseworker: User
    supervisor: User


def ensure_staff(offices: Iterable[Office]) -> dict[int, Staff]:
    """The caseworker and supervisor who recorded each office's cases: the demo accounts where
    the office has them, otherwise generated accounts without a usable password (they exist so
    that every record names who did it; nobody logs in with them)."""
    staff: dict[int, Staff] = {}
    by_office: dict[tuple[int, str], User] = {}
    for membership in Membership.objects.select_related("user").filter(
        role__in=(Role.CASEWORKER, Role.SUPERVISOR)
    ):
        by_office.setdefault((membership.office_id, membership.role), membership.user)
    unusable = make_password(None)
    new_users: list[User] = []
    new_roles: list[tuple[User, Office, str]] = []
    for office in offices:
        if office.kind != Office.Kind.COUNTRY:
            continue
        for role in (Role.CASEWORKER, Role.SUPERVISOR):
            if (office.pk, role) not in by_office:
                user = User(username=f"{office.code.lower()}.{role}", password=unusable)
                new_users.append(user)
                new_roles.append((user, office, role))
                by_office[(office.pk, role)] = user
    User.objects.bulk_create(new_users)
    Membership.objects.bulk_create(
        Membership(user=user, office=office, role=role) for user, office, role in new_roles
    )
    if new_users:
        audit_record(
            actor=None,
            office=None,
            event_type="demo.staff_created",
            target=None,
            metadata={"users": len(new_users), "memberships": len(new_roles)},
            source=SOURCE,
        )
    for office in offices:
        cw = by_office.get((office.pk, Role.CASEWORKER))
        sv = by_office.get((office.pk, Role.SUPERVISOR))
        if cw is not None and sv is not None:
            staff[office.pk] = Staff(cw, sv)
    return staff


# --- planning ------------------------------------------------------------------------------------


def _weighted(rng: random.Random, weights: dict[str, float]) -> str:
    total = sum(weights.values())
    if total <= 0:
        return max(weights, key=lambda k: weights[k])
    point = rng.random() * total
    for key, weight in weights.items():
        point -= weight
        if point <= 0:
            return key
    return next(reversed(weights))


def assign_attributes(rng: random.Random, plans: list[PersonPlan], targets: Targets) -> None:
    """Exploitation type, sex and age group per person, drawn in proportion to what is left of
    each target (counted in instances) times the flow's affinity, so that the totals come out
    at the targets and the mix stays plausible (sexual exploitation mostly of women, labour of
    men and women, children where the seed says they are many)."""
    left = dict(targets.exploitation)
    female_left = targets.female
    male_left = targets.instances - targets.female
    child_left = targets.children
    adult_left = targets.instances - targets.children
    # Persons with more instances first, singles last: they settle the remainders exactly.
    order = sorted(plans, key=lambda p: (-p.k, rng.random()))
    for plan in order:
        dest = plan.flow.destination
        k = plan.k
        if dest == UNKNOWN:
            weights = {"unknown": 1.0, "other": 0.2}
        else:
            weights = {
                "labour": 1.0,
                "sexual": SEXUAL_AFFINITY.get(dest, 1.5),
                "sexual_and_labour": 0.8,
                "begging": BEGGING_AFFINITY.get(dest, 0.2),
                "other": 0.6,
                "unknown": 0.3,
            }
        kind = _weighted(rng, {key: w * max(left.get(key, 0), 0) for key, w in weights.items()})
        left[kind] = left.get(kind, 0) - k
        plan.exploitation = kind
        female_affinity = {"sexual": 12.0, "sexual_and_labour": 4.0, "other": 2.0}.get(kind, 0.7)
        female = _weighted(
            rng, {"f": female_affinity * max(female_left, 0), "m": max(male_left, 0)}
        )
        plan.female = female == "f"
        if plan.female:
            female_left -= k
        else:
            male_left -= k
        child_affinity = 1.0
        if dest in ("HTI", "YEM", "AFG") or plan.flow.nationality in ("HTI", "GTM", "HND"):
            child_affinity = 4.0
        if kind == "begging":
            child_affinity *= 3.0
        child = _weighted(rng, {"c": child_affinity * max(child_left, 0), "a": max(adult_left, 0)})
        plan.child = child == "c"
        if plan.child:
            child_left -= k
        else:
            adult_left -= k


def expand(flows: Iterable[Flow]) -> list[PersonPlan]:
    plans: list[PersonPlan] = []
    for flow in flows:
        for pattern, count in (
            ("triple", flow.triples),
            ("pair", flow.pairs),
            ("dest", flow.dest_only),
            ("origin", flow.origin_only),
        ):
            plans.extend(PersonPlan(flow, pattern) for _ in range(count))
    return plans


def place(
    rng: random.Random,
    plans: list[PersonPlan],
    year: int,
    offices: dict[str, Office],
    iso2: dict[str, str],
) -> None:
    """Offices and registration dates of every instance: the destination office first, the
    origin office after the return (two to twelve weeks later), a duplicate later still; all
    within the year."""
    start = dt.date(year, 1, 1)
    for plan in plans:
        flow = plan.flow
        nat, dest = flow.nationality, flow.destination
        if plan.pattern in ("pair", "triple"):
            first = start + dt.timedelta(days=rng.randrange(0, 270))
            back = first + dt.timedelta(days=rng.randrange(14, 84))
            dest_office = offices[primary_code(dest, iso2)]
            origin_office = offices[
                second_code(nat, iso2) if flow.internal else primary_code(nat, iso2)
            ]
            plan.slots = [
                Slot(dest_office, "dest", first, returned=False),
                Slot(origin_office, "origin", back, returned=True),
            ]
            if plan.pattern == "triple":
                later = back + dt.timedelta(
                    days=rng.randrange(20, max(21, 364 - (back - start).days))
                )
                later = min(later, dt.date(year, 12, 31))
                plan.slots.append(Slot(origin_office, "dup", later, returned=True))
        elif plan.pattern == "dest":
            where = dest if dest != UNKNOWN else nat
            registered = start + dt.timedelta(days=rng.randrange(0, 365))
            plan.slots = [
                Slot(offices[primary_code(where, iso2)], "single_dest", registered, False)
            ]
        else:
            where = nat if nat != UNKNOWN else dest
            registered = start + dt.timedelta(days=rng.randrange(0, 365))
            plan.slots = [
                Slot(offices[primary_code(where, iso2)], "single_origin", registered, True)
            ]


def assign_reintegration(rng: random.Random, plans: list[PersonPlan]) -> None:
    """Exactly the seed's shares of each reintegration service among the returned instances;
    everyone returned gets at least one reintegration service."""
    slots = [slot for plan in plans for slot in plan.slots if slot.returned]
    for service, share in REINTEGRATION_SHARES.items():
        for slot in rng.sample(slots, round(share * len(slots))):
            slot.reintegration.add(service)
    for slot in slots:
        if not slot.reintegration:
            slot.reintegration.add(
                rng.choice((ServiceType.PSYCHOSOCIAL, ServiceType.VOCATIONAL_TRAINING))
            )
        elif rng.random() < 0.3:
            slot.reintegration.add(ServiceType.VOCATIONAL_TRAINING)


def plan_year(
    rng: random.Random, *, year: int, instances: int, main_year: int
) -> tuple[list[PersonPlan], Targets, tuple[Flow, ...]]:
    regions = dict(Country.objects.values_list("iso3", "region"))
    if year == main_year:
        targets = targets_2011(instances)
        top = scaled(TOP_FLOWS_2011, instances / 5498)
    else:
        targets = targets_2010(instances)
        top = scaled(TOP_FLOWS_2011, 0.8 * instances / 5498)
    flows = plan_flows(top, targets, regions)
    plans = expand(flows)
    rng.shuffle(plans)
    assign_attributes(rng, plans, targets)
    return plans, targets, flows


# --- building records ----------------------------------------------------------------------------


def _birth(rng: random.Random, child: bool, first: dt.date) -> tuple[dt.date, str]:
    """A date of birth that keeps the person a child (under 17 at the first registration, so
    under 18 all year) or an adult (19 or older) whatever the precision: the age definition
    reads an imprecise date as the latest it allows, which only makes a child younger and
    leaves an adult of 19 an adult."""
    age_days = rng.randrange(8 * 365, 17 * 365 - 20) if child else rng.randrange(19 * 365, 55 * 365)
    born = first - dt.timedelta(days=age_days)
    precision = _weighted(rng, {"exact": 0.75, "month": 0.1, "year": 0.15})
    if precision == BirthDatePrecision.YEAR:
        return dt.date(born.year, 7, 1), BirthDatePrecision.YEAR
    if precision == BirthDatePrecision.MONTH:
        return dt.date(born.year, born.month, 15), BirthDatePrecision.MONTH
    return born, BirthDatePrecision.EXACT


def _aware(day: dt.date, hour: int = 10) -> dt.datetime:
    return timezone.make_aware(dt.datetime(day.year, day.month, day.day, hour))


class Builder:
    """Builds the records of one batch of planned persons and writes them."""

    def __init__(
        self,
        *,
        rng: random.Random,
        staff: dict[int, Staff],
        countries: dict[str, Country],
        counters: dict[tuple[int, int], int],
    ) -> None:
        self.rng = rng
        self.staff = staff
        self.countries = countries
        self.counters = counters
        self.rows: dict[type[models.Model], list[Any]] = defaultdict(list)
        self.keys: list[tuple[Person, str]] = []
        self.facts: list[tuple[Case, dict[str, Any]]] = []
        # Rows of each case of the batch, for transfer summaries without scanning the batch.
        self.by_case: dict[int, dict[str, Any]] = defaultdict(lambda: defaultdict(list))

    # one person, all its instances
    def person(self, plan: PersonPlan) -> None:
        rng = self.rng
        nat, dest = plan.flow.nationality, plan.flow.destination
        name = generate_name(rng, nat if nat != UNKNOWN else "UNK", plan.female)
        born, precision = _birth(rng, plan.child, plan.slots[0].registered)
        recruited = plan.slots[0].registered - dt.timedelta(days=rng.randrange(45, 700))
        exploited_from = recruited + dt.timedelta(days=rng.randrange(2, 30))
        exploited_to = plan.slots[0].registered - dt.timedelta(days=rng.randrange(0, 20))
        exploited_to = max(exploited_to, exploited_from)
        if plan.child:
            # Under 18 when recruited too (the Protocol's child rule).
            recruited = max(recruited, born + dt.timedelta(days=365 * 6))
            exploited_from = max(exploited_from, recruited)
        category = self._category(plan)
        types, sectors, sexual = self._exploitation(plan)
        cases: list[Case] = []
        for index, slot in enumerate(plan.slots):
            spelled = name
            if slot.role == "dup" or (
                slot.role == "dest" and nat not in ("HTI",) and rng.random() < 0.6
            ):
                spelled = variant(rng, name, original=LOCALES.get(nat, ""))
            person = self._person(slot, plan, spelled, born=born, precision=precision, nat=nat)
            if slot.role == "dup" and rng.random() < 0.5 and precision == BirthDatePrecision.EXACT:
                person.birth_date = dt.date(born.year, 7, 1)
                person.birth_date_precision = BirthDatePrecision.YEAR
            case = self._case(slot, plan, person, category, index)
            cases.append(case)
            screening = self._screening(
                case,
                slot,
                plan,
                types=types,
                sectors=sectors,
                sexual=sexual,
                recruited=recruited,
                exploited_from=exploited_from,
                exploited_to=exploited_to,
            )
            self._consents(case, slot, plan)
            self._determination(case, screening, plan, category)
            self._services(case, slot, plan)
            self._fact(case, person, slot, dest=dest, types=types, sectors=sectors)
        if plan.pattern in ("pair", "triple"):
            self._return_and_transfer(plan, cases[0], cases[1])

    def _category(self, plan: PersonPlan) -> str:
        if plan.exploitation == "unknown":
            if plan.child:
                return BeneficiaryCategory.UNACCOMPANIED_CHILD
            return self.rng.choice(
                (BeneficiaryCategory.STRANDED_MIGRANT, BeneficiaryCategory.OTHER_VULNERABLE)
            )
        return _weighted(
            self.rng,
            {
                BeneficiaryCategory.VOT: 0.85,
                BeneficiaryCategory.PRESUMED_VOT: 0.08,
                BeneficiaryCategory.EXPLOITED_MIGRANT: 0.07,
            },
        )

    def _exploitation(self, plan: PersonPlan) -> tuple[list[str], list[str], list[str]]:
        rng = self.rng
        kind = plan.exploitation
        sector_pool = SECTORS.get(plan.flow.destination, GENERAL_SECTORS)
        labour_type = (
            ExploitationType.CHILD_LABOUR
            if plan.child and rng.random() < 0.5
            else ExploitationType.FORCED_LABOUR
        )
        if kind == "labour":
            return [labour_type], [rng.choice(sector_pool)], []
        if kind == "sexual":
            return [ExploitationType.SEXUAL_EXPLOITATION], [], [SexualExploitationType.PROSTITUTION]
        if kind == "sexual_and_labour":
            return (
                [ExploitationType.SEXUAL_EXPLOITATION, labour_type],
                [rng.choice((LabourSector.HOSPITALITY, LabourSector.DOMESTIC_WORK))],
                [SexualExploitationType.PROSTITUTION],
            )
        if kind == "begging":
            return [ExploitationType.FORCED_BEGGING], [LabourSector.BEGGING], []
        if kind == "other":
            return [rng.choice(OTHER_TYPES)], [], []
        return [], [], []

    def _person(
        self, slot: Slot, plan: PersonPlan, name: Name, *, born: dt.date, precision: str, nat: str
    ) -> Person:
        person = Person(
            office=slot.office,
            given_names=name.given,
            family_names=name.family,
            given_names_original=name.given_original,
            family_names_original=name.family_original,
            sex=Gender.FEMININE if plan.female else Gender.MASCULINE,
            birth_date=born,
            birth_date_precision=precision,
            citizenship=self.countries.get(nat),
            languages=[],
        )
        self.rows[Person].append(person)
        return person

    def _reference(self, office: Office, year: int) -> str:
        key = (office.pk, year)
        self.counters[key] = self.counters.get(key, 0) + 1
        return f"{office.code}-{year}-{self.counters[key]:05d}"

    def _case(
        self, slot: Slot, plan: PersonPlan, person: Person, category: str, index: int
    ) -> Case:
        rng = self.rng
        status, before, reason = CaseStatus.ASSISTED, "", ""
        if slot.role == "dest":
            status, before, reason = (
                CaseStatus.CLOSED,
                CaseStatus.RETURNING,
                ClosureReason.TRANSFERRED,
            )
        elif slot.returned:
            if rng.random() < 0.4:
                status, before, reason = (
                    CaseStatus.CLOSED,
                    CaseStatus.MONITORING,
                    ClosureReason.REINTEGRATED,
                )
            else:
                status = CaseStatus.MONITORING
        elif rng.random() < 0.5:
            status, before, reason = (
                CaseStatus.CLOSED,
                CaseStatus.ASSISTED,
                rng.choice((ClosureReason.ASSISTANCE_COMPLETED, ClosureReason.LOST_CONTACT)),
            )
        elif rng.random() < 0.3:
            status = CaseStatus.INTEGRATING
        referral = (
            ReferralSource.OTHER_OFFICE
            if slot.role == "origin"
            else _weighted(
                rng,
                {
                    ReferralSource.POLICE: 3,
                    ReferralSource.NGO: 3,
                    ReferralSource.SELF: 2,
                    ReferralSource.HOTLINE: 1,
                    ReferralSource.EMBASSY: 1,
                    ReferralSource.IMMIGRATION: 1,
                },
            )
        )
        staff = self.staff[slot.office.pk]
        closed_at = _aware(slot.registered + dt.timedelta(days=rng.randrange(20, 60)))
        if slot.role == "dest":
            closed_at = _aware(slot.registered + dt.timedelta(days=1))
        case = Case(
            office=slot.office,
            person=person,
            reference=self._reference(slot.office, slot.registered.year),
            registration_date=slot.registered,
            referral_source=referral,
            beneficiary_category=category,
            assistance_country_id=slot.office.country_id,
            assigned_to=staff.caseworker,
            status=status,
            status_before_closure=before,
            closure_reason=reason,
            closed_at=closed_at if status == CaseStatus.CLOSED else None,
        )
        self.rows[Case].append(case)
        return case

    def _screening(
        self,
        case: Case,
        slot: Slot,
        plan: PersonPlan,
        *,
        types: list[str],
        sectors: list[str],
        sexual: list[str],
        recruited: dt.date,
        exploited_from: dt.date,
        exploited_to: dt.date,
    ) -> Screening:
        rng = self.rng
        staff = self.staff[slot.office.pk]
        nat, dest = plan.flow.nationality, plan.flow.destination
        known_dest = dest if dest != UNKNOWN else None
        means = (
            rng.sample(
                [
                    MeansOfControl.FALSE_PROMISES,
                    MeansOfControl.DEBT_BONDAGE,
                    MeansOfControl.WITHHOLDS_DOCUMENTS,
                    MeansOfControl.THREATS,
                    MeansOfControl.RESTRICTS_MOVEMENT,
                    MeansOfControl.TAKES_EARNINGS,
                    MeansOfControl.EXCESSIVE_WORKING_HOURS,
                    MeansOfControl.PHYSICAL_ABUSE,
                ],
                rng.randrange(2, 5),
            )
            if types
            else []
        )
        screening = Screening(
            case=case,
            number=1,
            status=Screening.Status.SUBMITTED,
            recruitment_date=recruited if types else None,
            recruitment_methods=[rng.choice(list(RecruitmentMethod.values))] if types else [],
            recruiter_relation=rng.choice(list(RecruiterRelation.values)) if types else "",
            action_recruitment=bool(types),
            action_transport=bool(types) and not plan.flow.internal,
            action_harbouring=bool(types),
            means_of_control=means,
            exploitation_types=types,
            labour_sectors=sectors,
            sexual_exploitation_types=sexual,
            exploitation_start=exploited_from if types else None,
            exploitation_end=exploited_to if types else None,
            country_of_exploitation_id=known_dest,
            presumed_child=False,
            created_by=staff.caseworker,
            submitted_by=staff.caseworker,
            submitted_at=_aware(slot.registered, 15),
        )
        self.rows[Screening].append(screening)
        mine = self.by_case[id(case)]
        mine["screening"] = screening
        order = 1
        if nat != UNKNOWN:
            event = TraffickingEvent(
                screening=screening,
                order=order,
                type=TraffickingEventType.RECRUITMENT,
                country_id=nat,
                start_date=recruited,
                end_date=recruited,
            )
            self.rows[TraffickingEvent].append(event)
            mine["events"].append(event)
            order += 1
        if known_dest is not None:
            event = TraffickingEvent(
                screening=screening,
                order=order,
                type=TraffickingEventType.EXPLOITATION,
                country_id=known_dest,
                start_date=exploited_from,
                end_date=exploited_to,
            )
            self.rows[TraffickingEvent].append(event)
            mine["events"].append(event)
        return screening

    def _consent(
        self, case: Case, scope: str, day: dt.date, plan: PersonPlan, **extra: Any
    ) -> None:
        staff = self.staff[case.office_id]
        guardian = plan.child
        self.rows[Consent].append(
            Consent(
                case=case,
                scope=scope,
                given=True,
                form=extra.pop("form", Consent.Form.WRITTEN),
                given_by=Consent.GivenBy.GUARDIAN if guardian else Consent.GivenBy.PERSON,
                guardian_name="Legal guardian (generated)" if guardian else "",
                date=day,
                recorded_by=staff.caseworker,
                **extra,
            )
        )

    def _consents(self, case: Case, slot: Slot, plan: PersonPlan) -> None:
        day = slot.registered
        self._consent(case, ConsentScope.INTERVIEW, day, plan, form=Consent.Form.VERBAL)
        self._consent(case, ConsentScope.ASSISTANCE, day, plan)
        self._consent(case, ConsentScope.DATA_COLLECTION, day, plan)
        if self.rng.random() < 0.7:
            self._consent(case, ConsentScope.RESEARCH, day, plan)

    def _determination(
        self, case: Case, screening: Screening, plan: PersonPlan, category: str
    ) -> None:
        suggestion = apply_rule(
            RuleInput(
                action=screening.action_present,
                means=screening.means_present,
                purpose=screening.purpose_present,
                child=plan.child,
                needs_first_category=category != BeneficiaryCategory.VOT,
            )
        )
        staff = self.staff[case.office_id]
        self.rows[Determination].append(
            Determination(
                case=case,
                screening=screening,
                suggested_outcome=suggestion.outcome,
                suggestion_basis=suggestion.basis,
                outcome=suggestion.outcome,
                decided_by=staff.caseworker,
                status=Determination.Status.APPROVED,
                reviewed_by=staff.supervisor,
                reviewed_at=_aware(case.registration_date + dt.timedelta(days=2)),
            )
        )

    def _service(self, case: Case, kind: str, phase: str, start: dt.date, **extra: Any) -> None:
        service = AssistanceService(
            case=case,
            service_type=kind,
            phase=phase,
            provider_kind=extra.pop("provider_kind", "office"),
            start_date=start,
            end_date=start + dt.timedelta(days=self.rng.randrange(0, 10)),
            recorded_by=self.staff[case.office_id].caseworker,
            **extra,
        )
        self.rows[AssistanceService].append(service)
        self.by_case[id(case)]["services"].append(service)

    def _services(self, case: Case, slot: Slot, plan: PersonPlan) -> None:
        rng = self.rng
        day = slot.registered
        year_end = dt.date(day.year, 12, 31)
        if slot.role in ("dest", "single_dest"):
            for kind, p in (
                (ServiceType.ACCOMMODATION, 0.7),
                (ServiceType.MEDICAL, 0.6),
                (ServiceType.PSYCHOSOCIAL, 0.5),
                (ServiceType.LEGAL, 0.4),
            ):
                if rng.random() < p:
                    self._service(case, kind, Phase.PROTECTION, day)
            if slot.role == "dest":
                self._service(
                    case, ServiceType.DOCUMENTATION, Phase.PRE_DEPARTURE, day + dt.timedelta(days=3)
                )
                self._service(
                    case, ServiceType.TRAVEL, Phase.PRE_DEPARTURE, day + dt.timedelta(days=7)
                )
            return
        if slot.role == "origin" and rng.random() < 0.3:
            self._service(case, ServiceType.MEDICAL, Phase.RECEPTION, day)
        for service in sorted(str(k) for k in slot.reintegration):
            start = min(day + dt.timedelta(days=rng.randrange(3, 40)), year_end)
            extra: dict[str, Any] = {}
            if service == ServiceType.FINANCIAL:
                extra = {"amount": rng.choice((150, 200, 300, 500)), "currency": "USD"}
            if service == ServiceType.COMMUNITY_BASED:
                extra["provider_kind"] = "partner"
                extra["provider_name"] = "Community partner (generated)"
            self._service(case, service, Phase.REINTEGRATION, start, **extra)
        staff = self.staff[case.office_id]
        self.rows[ReintegrationPlan].append(
            ReintegrationPlan(
                case=case,
                needs="Income, documents, health follow-up",
                wishes="Stay with family",
                options="Grant, vocational course",
                created_by=staff.caseworker,
            )
        )
        visit = min(day + dt.timedelta(days=rng.randrange(30, 90)), year_end)
        self.rows[MonitoringVisit].append(
            MonitoringVisit(
                case=case,
                date=visit,
                status=_weighted(
                    rng,
                    {
                        MonitoringStatus.PROGRESSING: 0.85,
                        MonitoringStatus.AT_RISK: 0.12,
                        MonitoringStatus.LOST_CONTACT: 0.03,
                    },
                ),
                next_visit_due=visit + dt.timedelta(days=90),
                visited_by=staff.caseworker,
            )
        )

    def _return_and_transfer(self, plan: PersonPlan, dest: Case, origin: Case) -> None:
        rng = self.rng
        staff = self.staff[dest.office_id]
        received_by = self.staff[origin.office_id]
        arrival = origin.registration_date
        departure = (
            arrival - dt.timedelta(days=1)
            if arrival > dest.registration_date + dt.timedelta(days=1)
            else arrival
        )
        requested = dest.registration_date + dt.timedelta(days=5)
        requested = min(requested, departure)
        shared: list[str] = [
            SharedData.IDENTITY,
            SharedData.SCREENING_SUMMARY,
            SharedData.ASSISTANCE_HISTORY,
        ]
        self._consent(
            dest,
            ConsentScope.SHARING_OFFICE,
            requested,
            plan,
            recipient_office=origin.office,
            shared_data=list(shared),
        )
        self._consent(dest, ConsentScope.RETURN, requested, plan)
        child = plan.child
        return_plan = ReturnPlan(
            case=dest,
            status="arrived",
            destination_country_id=plan.flow.nationality,
            destination_community="Home community (generated)",
            receiving_office=origin.office,
            planned_date=departure,
            departure_date=departure,
            arrival_date=arrival,
            escort=child,
            pre_departure_assistance=True,
            transit_assistance=not plan.flow.internal,
            reception_assistance=True,
            child_wishes_to_return=child,
            bid_authority="Child protection authority (generated)" if child else "",
            bid_date=requested if child else None,
            bid_return_in_best_interest=child,
            guardian_notified=child,
            guardian_willing_and_able=child,
            family_assessment_done=child,
            family_assessment_date=requested if child else None,
            created_by=staff.caseworker,
            acknowledged_by=received_by.caseworker,
        )
        self.rows[ReturnPlan].append(return_plan)
        self.rows[RiskAssessment].append(
            RiskAssessment(
                return_plan=return_plan,
                level=_weighted(
                    rng, {RiskLevel.LOW: 0.6, RiskLevel.MEDIUM: 0.35, RiskLevel.HIGH: 0.05}
                ),
                risks="Contact by recruiters; debt claimed by the exploiters",
                mitigation_plan="Escort on arrival, reception by the receiving office, monitoring",
                assessed_by=staff.caseworker,
                status=RiskAssessment.Status.APPROVED,
                reviewed_by=staff.supervisor,
                reviewed_at=_aware(requested),
            )
        )
        self.rows[Transfer].append(
            Transfer(
                case=dest,
                from_office=dest.office,
                to_office=origin.office,
                status=TransferStatus.ACCEPTED,
                shared_data=list(shared),
                summary=transfer_summary(dest, shared, self.by_case[id(dest)]),
                requested_by=staff.caseworker,
                expires_at=_aware(requested + dt.timedelta(days=30)),
                decided_by=received_by.caseworker,
                decided_at=_aware(arrival, 9),
                received_case=origin,
            )
        )

    def _fact(
        self,
        case: Case,
        person: Person,
        slot: Slot,
        *,
        dest: str,
        types: list[str],
        sectors: list[str],
    ) -> None:
        citizenships = person.citizenships if person.citizenship is not None else []
        exploited_in = dest if dest != UNKNOWN else None
        reintegration = slot.reintegration
        values = {
            "year": case.registration_date.year,
            "registration_date": case.registration_date,
            "region": d.region(slot.office.country.region),
            "category": case.beneficiary_category,
            "status": case.status,
            "nationality": d.nationality(citizenships),
            "destination": d.destination(exploited_in),
            "exploitation": d.exploitation_type(types, sectors),
            "sex": d.sex_group(person.sex),
            "age_group": d.age_group(person.latest_possible_birth_date(), case.registration_date),
            "trafficking": d.trafficking_type(citizenships, exploited_in),
            "returned": d.returned(
                status=case.status,
                status_before_closure=case.status_before_closure,
                reintegration_services=len(reintegration),
            ),
            "reint_any": bool(reintegration),
            **{f"reint_{key}": key in reintegration for key in d.REINTEGRATION_KEYS},
        }
        self.facts.append((case, values))

    # writing
    def write(self) -> Counter[str]:
        """Bulk-create the batch in dependency order; returns how many of each were written."""
        counts: Counter[str] = Counter()
        self._bulk(Person, counts)
        keys: list[PersonNameKey] = []
        for person in self.rows[Person]:
            keys.extend(
                PersonNameKey(person=person, office_id=person.office_id, key=key)
                for key in sorted(name_keys(person))
            )
        PersonNameKey.objects.bulk_create(keys, batch_size=2000)
        counts["name_keys"] += len(keys)
        for model in (
            Case,
            Consent,
            Screening,
            TraffickingEvent,
            Determination,
            AssistanceService,
            ReintegrationPlan,
            MonitoringVisit,
            ReturnPlan,
            RiskAssessment,
            Transfer,
        ):
            self._bulk(model, counts)
        CaseFact.objects.bulk_create(
            (
                CaseFact(
                    case=case, office_id=case.office_id, individual_id=case.person.pk, **values
                )
                for case, values in self.facts
            ),
            batch_size=1000,
        )
        counts["case_facts"] += len(self.facts)
        self.rows.clear()
        self.facts.clear()
        self.by_case.clear()
        return counts

    def _bulk(self, model: type[models.Model], counts: Counter[str]) -> None:
        rows = self.rows.get(model, [])
        for row in rows:
            # Foreign keys to rows created earlier in this batch: take their new ids.
            row._prepare_related_fields_for_save(operation_name="bulk_create")
        model._default_manager.bulk_create(rows, batch_size=1000)
        counts[model._meta.model_name or model.__name__] += len(rows)


def transfer_summary(case: Case, shared: list[str], rows: dict[str, Any]) -> dict[str, Any]:
    """The shared summary in the shape `transfers.services.build_summary` gives (a test
    compares the two), built from the case's planned rows instead of queries per case."""
    person = case.person
    screening: Screening = rows["screening"]
    events: list[TraffickingEvent] = rows["events"]
    services = sorted(rows["services"], key=lambda s: s.start_date)
    fields = {key: getattr(screening, key) for key in SCREENING_SUMMARY_FIELDS}
    for key in ("recruitment_date", "exploitation_start", "exploitation_end"):
        fields[key] = fields[key].isoformat() if fields[key] else None
    fields["country_of_exploitation"] = screening.country_of_exploitation_id
    fields["route"] = [
        {
            "type": e.type,
            "country": e.country_id,
            "start_date": e.start_date.isoformat() if e.start_date else None,
            "end_date": e.end_date.isoformat() if e.end_date else None,
        }
        for e in events
    ]
    return {
        "origin_reference": case.reference,
        "origin_office": case.office.code,
        "registration_date": case.registration_date.isoformat(),
        "beneficiary_category": case.beneficiary_category,
        "shared_data": sorted(shared),
        "identity": {
            "given_names": person.given_names,
            "family_names": person.family_names,
            "given_names_original": person.given_names_original,
            "family_names_original": person.family_names_original,
            "aliases": [],
            "sex": person.sex,
            "birth_date": person.birth_date.isoformat() if person.birth_date else None,
            "birth_date_precision": person.birth_date_precision,
            "birth_place": "",
            "citizenships": person.citizenships if person.citizenship is not None else [],
            "languages": [],
            "documents": [],
        },
        "screening": fields,
        "assistance": [
            {
                "service_type": s.service_type,
                "phase": s.phase,
                "start_date": s.start_date.isoformat(),
                "end_date": s.end_date.isoformat() if s.end_date else None,
                "provider_kind": s.provider_kind,
            }
            for s in services
        ],
    }


def seed_cases(
    *,
    year: int,
    instances: int,
    seed: int | None,
    progress: Progress | None = None,
    previous_year: bool = True,
) -> list[SeedResult]:
    """Generate the demo case work of `year` (and of the year before, smaller, so that the
    report's year-over-year figures show). Call inside a transaction."""
    rng = random.Random(seed)  # noqa: S311  # generated demo data, not a secret
    say = progress or (lambda _message: None)
    years = [(year, instances)]
    if previous_year:
        years.append((year - 1, round(instances * 0.93)))
    planned: list[tuple[int, list[PersonPlan]]] = []
    countries_needed: set[str] = set()
    second_needed: set[str] = set()
    for y, n in years:
        plans, _targets, flows = plan_year(rng, year=y, instances=n, main_year=year)
        planned.append((y, plans))
        for flow in flows:
            countries_needed.update(c for c in (flow.nationality, flow.destination) if c != UNKNOWN)
            if flow.internal and (flow.pairs or flow.triples):
                second_needed.add(flow.nationality)
    offices = ensure_offices(countries_needed, second_needed)
    staff = ensure_staff(offices.values())
    iso2 = dict(Country.objects.values_list("iso3", "iso2"))
    countries = {c.iso3: c for c in Country.objects.all()}
    counters: dict[tuple[int, int], int] = {
        (c.office_id, c.year): c.last for c in CaseReferenceCounter.objects.all()
    }
    results: list[SeedResult] = []
    for y, plans in planned:
        place(rng, plans, y, offices, iso2)
        assign_reintegration(rng, plans)
        total = sum(plan.k for plan in plans)
        builder = Builder(rng=rng, staff=staff, countries=countries, counters=counters)
        done = 0
        counts: Counter[str] = Counter()
        for start in range(0, len(plans), BATCH_PERSONS):
            batch = plans[start : start + BATCH_PERSONS]
            for plan in batch:
                builder.person(plan)
            written = builder.write()
            counts.update(written)
            done += sum(plan.k for plan in batch)
            audit_record(
                actor=None,
                office=None,
                event_type="demo.seeded",
                target=None,
                metadata={"year": y, **dict(sorted(written.items()))},
                source=SOURCE,
            )
            say(f"demo: {y}: {done}/{total} instances")
        results.append(SeedResult(y, total, len(plans), counts))
    _save_counters(counters)
    return results


def _save_counters(counters: dict[tuple[int, int], int]) -> None:
    existing = {(c.office_id, c.year): c for c in CaseReferenceCounter.objects.all()}
    new: list[CaseReferenceCounter] = []
    for (office_id, year), last in counters.items():
        row = existing.get((office_id, year))
        if row is None:
            new.append(CaseReferenceCounter(office_id=office_id, year=year, last=last))
        elif row.last != last:
            row.last = last
            row.save(update_fields=["last"])
    CaseReferenceCounter.objects.bulk_create(new)
