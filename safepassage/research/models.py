"""The releases registry: every research release that left the system, what it promised and
what was verified, the file it was and who made it."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from safepassage.offices.models import Office


class ResearchRelease(models.Model):
    class Method(models.TextChoices):
        KANON = "kanon", _("k-anonymised records (CTDC layout)")
        DP = "dp", _("differentially private marginal tables")

    class Status(models.TextChoices):
        RELEASED = "released", _("Released")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    method = models.CharField(_("method"), max_length=8, choices=Method.choices)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.RELEASED
    )
    parameters = models.JSONField(_("requested parameters"), default=dict)
    k_achieved = models.PositiveIntegerField(_("k verified"), null=True, blank=True)
    l_achieved = models.PositiveIntegerField(_("l verified"), null=True, blank=True)
    epsilon = models.FloatField(_("epsilon spent"), null=True, blank=True)
    rows_input = models.PositiveIntegerField(_("individuals in the source"), default=0)
    rows_released = models.PositiveIntegerField(_("rows released"), default=0)
    rows_suppressed = models.PositiveIntegerField(_("rows suppressed"), default=0)
    information_loss = models.FloatField(_("information loss (NCP)"), null=True, blank=True)
    statement = models.TextField(_("privacy statement"))
    report = models.JSONField(_("release report"), default=dict)
    # The source dataset: the individuals of these offices registered in these years. Budgets
    # are counted over every release whose source overlaps (see services.epsilon_spent).
    source = models.CharField(_("source dataset"), max_length=200)
    year_from = models.PositiveSmallIntegerField(null=True, blank=True)
    year_to = models.PositiveSmallIntegerField(null=True, blank=True)
    all_offices = models.BooleanField(default=False)
    offices = models.ManyToManyField(Office, related_name="+", blank=True)
    file_name = models.CharField(max_length=100)
    file_sha256 = models.CharField(max_length=64)
    file_size = models.PositiveBigIntegerField(default=0)
    # Relative to SAFEPASSAGE_VAR_DIR; owner-only files.
    stored_path = models.CharField(max_length=200)
    internal_path = models.CharField(max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Empty for a release made on the command line."),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True, editable=False)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("research release")
        verbose_name_plural = _("research releases")

    def __str__(self) -> str:
        return f"research release {self.pk} ({self.method})"
