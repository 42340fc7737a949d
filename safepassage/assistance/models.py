from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from safepassage.cases.models import Case
from safepassage.core.fields import EncryptedTextField
from safepassage.core.models import TimeStampedModel


class ServiceType(models.TextChoices):
    """Types of direct assistance named in the annual report."""

    ACCOMMODATION = "accommodation", _("Accommodation / shelter")
    MEDICAL = "medical", _("Medical")
    PSYCHOSOCIAL = "psychosocial", _("Psychosocial")
    LEGAL = "legal", _("Legal")
    FINANCIAL = "financial", _("Financial")
    HOUSING = "housing", _("Housing")
    EDUCATION = "education", _("Education")
    VOCATIONAL_TRAINING = "vocational_training", _("Vocational training")
    JOB_PLACEMENT = "job_placement", _("Job placement")
    MICRO_ENTERPRISE = "micro_enterprise", _("Micro-enterprise grant")
    INCOME_GENERATION = "income_generation", _("Income-generating grant")
    FAMILY_TRACING = "family_tracing", _("Family tracing")
    FAMILY_MEDIATION = "family_mediation", _("Family mediation")
    DOCUMENTATION = "documentation", _("Documentation")
    TRAVEL = "travel", _("Travel")
    COMMUNITY_BASED = "community_based", _("Community-based")


class Phase(models.TextChoices):
    PROTECTION = "protection", _("Protection")
    PRE_DEPARTURE = "pre_departure", _("Pre-departure")
    TRANSIT = "transit", _("Transit")
    RECEPTION = "reception", _("Reception")
    REINTEGRATION = "reintegration", _("Reintegration")
    INTEGRATION = "integration", _("Local integration")


class ProviderKind(models.TextChoices):
    OFFICE = "office", _("This office")
    PARTNER = "partner", _("Partner organisation")


class AssistanceService(TimeStampedModel):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="services")
    service_type = models.CharField(_("service"), max_length=24, choices=ServiceType.choices)
    phase = models.CharField(_("phase"), max_length=16, choices=Phase.choices)
    provider_kind = models.CharField(
        _("provided by"), max_length=8, choices=ProviderKind.choices, default=ProviderKind.OFFICE
    )
    provider_name = models.CharField(_("provider"), max_length=200, blank=True)
    start_date = models.DateField(_("from"))
    end_date = models.DateField(_("until"), null=True, blank=True)
    amount = models.DecimalField(
        _("amount"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    currency = models.CharField(_("currency (ISO 4217)"), max_length=3, blank=True)
    notes = EncryptedTextField(_("notes"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-start_date", "-pk"]
        verbose_name = _("assistance service")
        verbose_name_plural = _("assistance services")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(amount__isnull=True) | ~models.Q(currency=""),
                name="assistance_amount_has_currency",
            ),
            models.CheckConstraint(
                condition=models.Q(end_date__isnull=True)
                | models.Q(end_date__gte=models.F("start_date")),
                name="assistance_dates_ordered",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.service_type} for case {self.case_id}"
