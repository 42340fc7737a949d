"""Assisted voluntary return (AVRR) with its safeguards, and reintegration with monitoring.

A return cannot be scheduled until its gates hold (safepassage.returns.gates): an approved risk
assessment with a mitigation plan, written informed consent to return, and for a child the
child's wish, a best-interest determination by a competent authority concluding that return is
in the child's best interest, a guardian notified and willing and able to receive the child,
and a family assessment.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from safepassage.cases.models import Case
from safepassage.core.fields import EncryptedTextField
from safepassage.core.models import TimeStampedModel
from safepassage.offices.models import Office
from safepassage.reference.models import Country


class ReturnKind(models.TextChoices):
    RETURN = "return", _("Return to the country of origin")
    RELOCATION = "relocation", _("Relocation to a third country")
    LOCAL_INTEGRATION = "local_integration", _("Local integration")
    ASYLUM_REFERRAL = "asylum_referral", _("Referral to asylum procedures")


class ReturnStatus(models.TextChoices):
    PLANNING = "planning", _("Planning")
    SCHEDULED = "scheduled", _("Scheduled")
    DEPARTED = "departed", _("Departed")
    ARRIVED = "arrived", _("Arrival acknowledged")
    CANCELLED = "cancelled", _("Cancelled")


class ReturnPlan(TimeStampedModel):
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="returns")
    kind = models.CharField(
        _("kind"), max_length=20, choices=ReturnKind.choices, default=ReturnKind.RETURN
    )
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=ReturnStatus.choices,
        default=ReturnStatus.PLANNING,
        db_index=True,
    )
    destination_country = models.ForeignKey(
        Country, verbose_name=_("destination country"), on_delete=models.PROTECT, related_name="+"
    )
    destination_community = EncryptedTextField(_("destination community"), blank=True)
    receiving_office = models.ForeignKey(
        Office,
        verbose_name=_("receiving office"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="returns_in",
    )
    planned_date = models.DateField(_("planned departure"), null=True, blank=True)
    departure_date = models.DateField(_("departed"), null=True, blank=True)
    arrival_date = models.DateField(_("arrived"), null=True, blank=True)
    escort = models.BooleanField(_("escorted"), default=False)
    escort_details = EncryptedTextField(_("escort"), blank=True)
    pre_departure_assistance = models.BooleanField(
        _("pre-departure assistance arranged"), default=False
    )
    transit_assistance = models.BooleanField(_("transit assistance arranged"), default=False)
    reception_assistance = models.BooleanField(_("reception assistance arranged"), default=False)
    # Child safeguards (only required when the person is a child).
    child_wishes_to_return = models.BooleanField(_("the child wishes to return"), default=False)
    bid_authority = models.CharField(
        _("best-interest determination by"), max_length=200, blank=True
    )
    bid_date = models.DateField(_("date of the best-interest determination"), null=True, blank=True)
    bid_return_in_best_interest = models.BooleanField(
        _("the determination concludes that return is in the child's best interest"), default=False
    )
    guardian_notified = models.BooleanField(_("legal guardian notified"), default=False)
    guardian_willing_and_able = models.BooleanField(
        _("guardian willing and able to receive the child"), default=False
    )
    family_assessment_done = models.BooleanField(_("family assessment done"), default=False)
    family_assessment_date = models.DateField(
        _("date of the family assessment"), null=True, blank=True
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"return {self.pk} of case {self.case_id}"


class RiskLevel(models.TextChoices):
    LOW = "low", _("Low")
    MEDIUM = "medium", _("Medium")
    HIGH = "high", _("High")


class RiskAssessment(TimeStampedModel):
    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for approval")
        APPROVED = "approved", _("Approved")
        RETURNED = "returned", _("Returned for revision")

    return_plan = models.ForeignKey(
        ReturnPlan, on_delete=models.CASCADE, related_name="risk_assessments"
    )
    level = models.CharField(_("risk level"), max_length=8, choices=RiskLevel.choices)
    risks = EncryptedTextField(_("risks identified"))
    mitigation_plan = EncryptedTextField(_("mitigation plan"))
    assessed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    review_note = EncryptedTextField(_("supervisor's note"), blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"risk assessment {self.pk}"


class ReintegrationPlan(TimeStampedModel):
    case = models.OneToOneField(Case, on_delete=models.CASCADE, related_name="reintegration_plan")
    needs = EncryptedTextField(_("needs"), blank=True)
    wishes = EncryptedTextField(_("wishes"), blank=True)
    skills = EncryptedTextField(_("skills"), blank=True)
    options = EncryptedTextField(_("options discussed"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    def __str__(self) -> str:
        return f"reintegration plan of case {self.case_id}"


class MonitoringStatus(models.TextChoices):
    PROGRESSING = "progressing", _("Progressing")
    AT_RISK = "at_risk", _("At risk")
    RE_TRAFFICKED = "re_trafficked", _("Re-trafficked")
    LOST_CONTACT = "lost_contact", _("Lost contact")


class MonitoringVisit(TimeStampedModel):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="monitoring_visits")
    date = models.DateField(_("date of the visit"))
    status = models.CharField(_("situation"), max_length=16, choices=MonitoringStatus.choices)
    notes = EncryptedTextField(_("notes"), blank=True)
    next_visit_due = models.DateField(_("next visit due"), null=True, blank=True)
    visited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-date", "-pk"]

    def __str__(self) -> str:
        return f"monitoring visit of case {self.case_id}"


class Alert(TimeStampedModel):
    """Something a supervisor must act on (e.g. a person re-trafficked)."""

    class Kind(models.TextChoices):
        RE_TRAFFICKED = "re_trafficked", _("Person re-trafficked")
        LOST_CONTACT = "lost_contact", _("Lost contact with the person")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="alerts")
    office = models.ForeignKey(Office, on_delete=models.PROTECT, related_name="alerts")
    kind = models.CharField(_("alert"), max_length=16, choices=Kind.choices)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["office", "resolved_at"], name="alert_open_by_office")]

    def __str__(self) -> str:
        return f"{self.kind} alert on case {self.case_id}"
