"""Import batches (one per imported file) and aggregate submissions (core variable approach)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from safepassage.core.models import TimeStampedModel
from safepassage.offices.models import Office


class ImportBatch(TimeStampedModel):
    """One import of one file into one office. Every case it created points to it."""

    class Status(models.TextChoices):
        COMPLETED = "completed", _("Completed")
        VALIDATED = "validated", _("Validated only (dry run)")

    office = models.ForeignKey(Office, on_delete=models.PROTECT, related_name="import_batches")
    format = models.CharField(_("format"), max_length=16)
    file_name = models.CharField(_("file name"), max_length=255, blank=True)
    file_sha256 = models.CharField(_("file SHA-256"), max_length=64, db_index=True)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices)
    rows_read = models.PositiveIntegerField(_("rows read"), default=0)
    rows_imported = models.PositiveIntegerField(_("rows imported"), default=0)
    rows_skipped_invalid = models.PositiveIntegerField(_("invalid rows skipped"), default=0)
    rows_already_present = models.PositiveIntegerField(_("rows already imported"), default=0)
    first_case_id = models.BigIntegerField(null=True, blank=True)
    last_case_id = models.BigIntegerField(null=True, blank=True)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("import batch")
        verbose_name_plural = _("import batches")

    def __str__(self) -> str:
        return f"import {self.pk} ({self.format}) into {self.office_id}"


class AggregateSubmission(TimeStampedModel):
    """Counts an office sends under the core variable approach. They cannot be de-duplicated and
    are kept apart from case data: the report shows them as a separate, flagged source.

    `counts` holds one mapping per core variable (sex, age_group, nationality,
    exploitation_type, trafficking_type), each summing to `total`."""

    office = models.ForeignKey(
        Office, on_delete=models.PROTECT, related_name="aggregate_submissions"
    )
    year = models.PositiveSmallIntegerField(_("year"))
    total = models.PositiveIntegerField(_("instances of assistance"))
    counts = models.JSONField(_("counts by core variable"), default=dict)
    file_sha256 = models.CharField(_("file SHA-256"), max_length=64, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-year", "office"]
        constraints = [
            models.UniqueConstraint(fields=["office", "year"], name="aggregate_one_per_office_year")
        ]

    def __str__(self) -> str:
        return f"aggregate {self.year} of office {self.office_id}"
