"""Projects, donors and their contributions, and funds that cases and assistance are charged to.

Projects and funds are organisational data (no personal values): a project belongs to the
offices that implement it and is visible to viewers whose scope covers one of them. A fund with
no offices is global (the Global Assistance Fund): every office may charge it. Money is kept in
the donor's currency with the USD rate used, and converted once, when the row is saved.
"""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from safepassage.assistance.models import AssistanceService
from safepassage.cases.models import Case
from safepassage.core.fields import EncryptedTextField
from safepassage.core.models import TimeStampedModel
from safepassage.offices.models import Office
from safepassage.reference.models import Country

CENT = Decimal("0.01")


def to_usd(amount: Decimal, usd_rate: Decimal) -> Decimal:
    """The one currency conversion: amount x USD per unit, to the cent (banker's rounding).
    Figures sum these stored values and never convert again."""
    return (amount * usd_rate).quantize(CENT, rounding=ROUND_HALF_EVEN)


class ThematicArea(models.TextChoices):
    DIRECT_ASSISTANCE = "direct_assistance", _("Direct assistance")
    AVRR = "avrr", _("Assisted voluntary return and reintegration")
    CAPACITY_BUILDING = "capacity_building", _("Capacity building")
    PREVENTION = "prevention", _("Prevention")
    RESEARCH = "research", _("Research")
    DIALOGUE = "dialogue", _("Dialogue and cooperation")


class ProjectStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    ACTIVE = "active", _("Active")
    SUSPENDED = "suspended", _("Suspended")
    COMPLETED = "completed", _("Completed")
    CANCELLED = "cancelled", _("Cancelled")


# Allowed status changes (project_update refuses any other).
PROJECT_TRANSITIONS: dict[str, frozenset[str]] = {
    ProjectStatus.PLANNED: frozenset({ProjectStatus.ACTIVE, ProjectStatus.CANCELLED}),
    ProjectStatus.ACTIVE: frozenset({ProjectStatus.SUSPENDED, ProjectStatus.COMPLETED}),
    ProjectStatus.SUSPENDED: frozenset({ProjectStatus.ACTIVE, ProjectStatus.CANCELLED}),
    ProjectStatus.COMPLETED: frozenset({ProjectStatus.ACTIVE}),
    ProjectStatus.CANCELLED: frozenset(),
}


class Donor(TimeStampedModel):
    class Kind(models.TextChoices):
        GOVERNMENT = "government", _("Government")
        MULTILATERAL = "multilateral", _("Multilateral / UN / EU")
        REGIONAL_PROCESS = "regional_process", _("Regional consultative process")
        PRIVATE = "private", _("Private sector")
        FOUNDATION = "foundation", _("Foundation")
        INTERNAL = "internal", _("The organisation's own funds")
        OTHER = "other", _("Other")

    name = models.CharField(_("name"), max_length=200, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.GOVERNMENT)
    country = models.ForeignKey(
        Country,
        verbose_name=_("country (governments)"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("donor")
        verbose_name_plural = _("donors")

    def __str__(self) -> str:
        return self.name


class Project(TimeStampedModel):
    code = models.CharField(_("code"), max_length=40, unique=True)
    title = models.CharField(_("title"), max_length=300)
    thematic_areas = models.JSONField(
        _("thematic areas"),
        default=list,
        help_text=_("One or more; a project counts as AVRR when AVRR is among them."),
    )
    status = models.CharField(
        _("status"), max_length=12, choices=ProjectStatus.choices, default=ProjectStatus.PLANNED
    )
    start_date = models.DateField(_("start"))
    end_date = models.DateField(_("end"), null=True, blank=True)
    offices = models.ManyToManyField(
        Office, verbose_name=_("implementing offices"), related_name="projects"
    )
    countries = models.ManyToManyField(
        Country,
        verbose_name=_("countries"),
        related_name="projects",
        help_text=_("Where the project works; its funding is split equally between them."),
    )

    class Meta:
        ordering = ["-start_date", "code"]
        verbose_name = _("project")
        verbose_name_plural = _("projects")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_date__isnull=True)
                | models.Q(end_date__gte=models.F("start_date")),
                name="project_dates_ordered",
            )
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"

    def active_in(self, year: int) -> bool:
        return self.start_date.year <= year and (
            self.end_date is None or self.end_date.year >= year
        )


class ProjectFunding(TimeStampedModel):
    """One donor's contribution to a project for one year, in the donor's currency."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="fundings")
    donor = models.ForeignKey(Donor, on_delete=models.PROTECT, related_name="fundings")
    year = models.PositiveSmallIntegerField(_("year"))
    amount = models.DecimalField(_("amount"), max_digits=16, decimal_places=2)
    currency = models.CharField(_("currency (ISO 4217)"), max_length=3)
    usd_rate = models.DecimalField(_("USD per unit of currency"), max_digits=18, decimal_places=8)
    amount_usd = models.DecimalField(
        _("amount in USD"), max_digits=16, decimal_places=2, editable=False
    )

    class Meta:
        ordering = ["project", "-year", "donor__name"]
        verbose_name = _("project funding")
        verbose_name_plural = _("project funding")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(amount__gt=0), name="funding_amount_positive"
            ),
            models.CheckConstraint(
                condition=models.Q(usd_rate__gt=0), name="funding_rate_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.donor_id} -> {self.project_id} ({self.year})"

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.amount_usd = to_usd(self.amount, self.usd_rate)
        super().save(*args, **kwargs)


class Fund(TimeStampedModel):
    class Kind(models.TextChoices):
        GLOBAL_ASSISTANCE = "global_assistance", _("Global Assistance Fund (GAF)")
        REGIONAL = "regional", _("Regional fund (member states)")
        PROJECT = "project", _("Project fund")

    code = models.CharField(_("code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    budget_usd = models.DecimalField(
        _("budget (USD)"), max_digits=16, decimal_places=2, default=Decimal(0)
    )
    offices = models.ManyToManyField(
        Office,
        verbose_name=_("offices that may charge it"),
        blank=True,
        related_name="funds",
        help_text=_("Leave empty for a global fund every office may charge."),
    )
    member_countries = models.ManyToManyField(
        Country,
        verbose_name=_("member states (regional funds)"),
        blank=True,
        related_name="member_of_funds",
    )
    project = models.ForeignKey(
        Project,
        verbose_name=_("project"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="funds",
    )
    is_active = models.BooleanField(_("open for charges"), default=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("fund")
        verbose_name_plural = _("funds")

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class GafAttestation(TimeStampedModel):
    """A caseworker's recorded statement that no comparable regional or national project can
    assist the person: one of the two conditions of the Global Assistance Fund."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="gaf_attestations")
    statement = EncryptedTextField(
        _("projects considered and why none can assist"),
        help_text=_("Name the regional and national projects checked."),
    )
    attested_on = models.DateField(_("date"))
    attested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-attested_on", "-pk"]
        verbose_name = _("GAF attestation")
        verbose_name_plural = _("GAF attestations")

    def __str__(self) -> str:
        return f"GAF attestation for case {self.case_id}"


class FundCharge(TimeStampedModel):
    """A case attached to a fund (a commitment, optionally with an amount reserved) or an
    assistance record paid by the fund (spending, converted to USD once, here)."""

    class Kind(models.TextChoices):
        COMMITMENT = "commitment", _("Case commitment")
        EXPENDITURE = "expenditure", _("Assistance paid")

    fund = models.ForeignKey(Fund, on_delete=models.PROTECT, related_name="charges")
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="fund_charges")
    assistance_service = models.ForeignKey(
        AssistanceService,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="fund_charges",
    )
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    amount = models.DecimalField(
        _("amount"), max_digits=16, decimal_places=2, null=True, blank=True
    )
    currency = models.CharField(_("currency"), max_length=3, blank=True)
    usd_rate = models.DecimalField(
        _("USD per unit of currency"), max_digits=18, decimal_places=8, null=True, blank=True
    )
    amount_usd = models.DecimalField(
        _("amount in USD"), max_digits=16, decimal_places=2, default=Decimal(0)
    )
    charged_on = models.DateField(_("date"))
    charged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-charged_on", "-pk"]
        verbose_name = _("fund charge")
        verbose_name_plural = _("fund charges")
        constraints = [
            models.UniqueConstraint(
                fields=["fund", "case"],
                condition=models.Q(kind="commitment"),
                name="fund_charge_case_once",
            ),
            models.UniqueConstraint(
                fields=["assistance_service"],
                condition=models.Q(assistance_service__isnull=False),
                name="fund_charge_assistance_once",
            ),
            models.CheckConstraint(
                condition=(
                    models.Q(kind="commitment", assistance_service__isnull=True)
                    | models.Q(kind="expenditure", assistance_service__isnull=False)
                ),
                name="fund_charge_kind_matches_target",
            ),
            models.CheckConstraint(
                condition=models.Q(amount_usd__gte=0), name="fund_charge_amount_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} of case {self.case_id} to fund {self.fund_id}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.amount is not None and self.usd_rate is not None:
            self.amount_usd = to_usd(self.amount, self.usd_rate)
        super().save(*args, **kwargs)
