"""Hand-over of a case between offices, and referrals to partner organisations.

A transfer never moves a case: on acceptance the receiving office opens its own case (its own
instance of assistance) with the data the person's consent allows, and both offices keep their
own record. The transfer keeps the shared summary both may read, and is a certain
"same person" link for record linkage.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from safepassage.cases.models import Case
from safepassage.core.fields import EncryptedJSONField, EncryptedTextField
from safepassage.core.models import TimeStampedModel
from safepassage.offices.models import Office
from safepassage.reference.codes import OrganisationType


class TransferStatus(models.TextChoices):
    REQUESTED = "requested", _("Requested")
    ACCEPTED = "accepted", _("Accepted")
    REJECTED = "rejected", _("Rejected")
    CANCELLED = "cancelled", _("Cancelled")
    EXPIRED = "expired", _("Expired")


class Transfer(TimeStampedModel):
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="transfers_out")
    from_office = models.ForeignKey(Office, on_delete=models.PROTECT, related_name="transfers_out")
    to_office = models.ForeignKey(Office, on_delete=models.PROTECT, related_name="transfers_in")
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=TransferStatus.choices,
        default=TransferStatus.REQUESTED,
        db_index=True,
    )
    message = EncryptedTextField(_("message to the receiving office"), blank=True)
    shared_data = models.JSONField(_("data shared"), default=list)
    # The snapshot both offices may read: only what consent allowed, encrypted.
    summary = EncryptedJSONField(_("shared summary"), default=dict)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    expires_at = models.DateTimeField(_("expires"))
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    rejection_reason = EncryptedTextField(_("reason for rejection"), blank=True)
    received_case = models.OneToOneField(
        Case, null=True, blank=True, on_delete=models.PROTECT, related_name="transfer_in"
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["to_office", "status"], name="transfer_inbox")]

    def __str__(self) -> str:
        return f"transfer {self.pk} {self.from_office_id}->{self.to_office_id}"


class Referral(TimeStampedModel):
    """A referral to a partner organisation, carrying the minimum data."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="referrals")
    organisation_type = models.CharField(
        _("kind of organisation"), max_length=40, choices=OrganisationType.choices
    )
    organisation_name = models.CharField(_("organisation"), max_length=200)
    purpose = models.CharField(_("for"), max_length=200)
    shared_data = models.JSONField(_("data shared"), default=list)
    date = models.DateField(_("date"))
    referred_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-date", "-pk"]

    def __str__(self) -> str:
        return f"referral of case {self.case_id} to {self.organisation_type}"
