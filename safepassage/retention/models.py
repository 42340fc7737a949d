"""Anonymisation state and erasure requests.

The state lives here rather than on Person so that the case-work tables need no column for it:
a person is anonymised exactly when an `Anonymisation` row points at it. Anonymised persons keep
their coded values (sex, citizenship, age group, case codes), so every figure stays as it was;
names, contacts, documents, free text and exact dates are gone.
"""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from safepassage.cases.models import Person
from safepassage.core.models import TimeStampedModel
from safepassage.offices.models import Office


class AnonymisationReason(models.TextChoices):
    RETENTION = "retention", _("Retention period ended")
    ERASURE = "erasure", _("Erasure on the person's request")


class ErasureBasis(models.TextChoices):
    """Why the person asks for erasure: a code, so the request itself holds no free text."""

    CONSENT_WITHDRAWN = "consent_withdrawn", _("Consent to data collection withdrawn")
    NO_LONGER_NEEDED = "no_longer_needed", _("Data no longer needed for assistance")
    OBJECTION = "objection", _("Objection to processing")
    SAFETY = "safety", _("Risk to the person's safety if the data is kept")
    OTHER = "other", _("Other lawful ground")


class ErasureStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for approval")
    APPROVED = "approved", _("Approved and carried out")
    REJECTED = "rejected", _("Rejected")


class ErasureRejection(models.TextChoices):
    LEGAL_HOLD = "legal_hold", _("Data must be kept for legal proceedings")
    NOT_VERIFIED = "not_verified", _("The requester's identity could not be verified")
    ONGOING_ASSISTANCE = "ongoing_assistance", _("Assistance is still being given")
    DUPLICATE = "duplicate", _("Duplicate request")
    OTHER = "other", _("Other reason (see the case)")


class ErasureRequest(TimeStampedModel):
    """A person's request to erase their data: recorded by a caseworker, decided by a
    supervisor of the person's office who did not record it (four eyes)."""

    # status to -> statuses it may be reached from
    TRANSITIONS: ClassVar[dict[str, frozenset[str]]] = {
        ErasureStatus.APPROVED: frozenset({ErasureStatus.PENDING}),
        ErasureStatus.REJECTED: frozenset({ErasureStatus.PENDING}),
    }

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="erasure_requests")
    office = models.ForeignKey(Office, on_delete=models.PROTECT, related_name="+")
    received_on = models.DateField(_("request received"))
    basis = models.CharField(_("ground"), max_length=24, choices=ErasureBasis.choices)
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=ErasureStatus.choices,
        default=ErasureStatus.PENDING,
        db_index=True,
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    rejection_reason = models.CharField(
        _("reason for rejection"), max_length=24, choices=ErasureRejection.choices, blank=True
    )

    class Meta:
        ordering = ["-received_on", "-pk"]
        verbose_name = _("erasure request")
        verbose_name_plural = _("erasure requests")
        indexes = [models.Index(fields=["office", "status"], name="erasure_office_status")]

    def __str__(self) -> str:
        return f"erasure request {self.pk} ({self.status})"


class Anonymisation(models.Model):
    """The record that a person was anonymised: when, why and by whom (None: the retention
    command). `individual_id` is the linkage individual the person counted as, frozen so that
    later linkage runs neither re-score the person nor change the individuals counted."""

    person = models.OneToOneField(
        Person, on_delete=models.CASCADE, primary_key=True, related_name="anonymisation"
    )
    office = models.ForeignKey(Office, on_delete=models.PROTECT, related_name="+")
    reason = models.CharField(_("reason"), max_length=12, choices=AnonymisationReason.choices)
    anonymised_at = models.DateTimeField(_("anonymised"), db_index=True)
    anonymised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("approved by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    erasure_request = models.OneToOneField(
        ErasureRequest, null=True, blank=True, on_delete=models.PROTECT, related_name="result"
    )
    individual_id = models.BigIntegerField(_("individual (frozen)"))
    cases = models.PositiveIntegerField(_("cases anonymised"))

    class Meta:
        ordering = ["-anonymised_at"]
        verbose_name = _("anonymisation")
        verbose_name_plural = _("anonymisations")

    def __str__(self) -> str:
        return f"anonymisation of person {self.person_id}"
