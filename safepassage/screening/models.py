"""Screening interviews (versioned) and eligibility determinations.

The screening records the three elements of the UN Trafficking Protocol, art. 3: the action
(recruitment, transport, transfer, harbouring, receipt), the means (the 17 CTDC / HTCDS methods
of control) and the purpose (exploitation types). A submitted version is never edited: a
revision is a new version, so every determination points at exactly what it was based on.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from safepassage.cases.models import Case
from safepassage.core.fields import EncryptedTextField
from safepassage.core.models import TimeStampedModel
from safepassage.reference.codes import TraffickingEventType
from safepassage.reference.models import Country

ACTION_FIELDS = (
    "action_recruitment",
    "action_transport",
    "action_transfer",
    "action_harbouring",
    "action_receipt",
)


class Screening(TimeStampedModel):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted")

    # Every lookup by case is served by the leading column of the unique (case, number).
    case = models.ForeignKey(
        Case, on_delete=models.CASCADE, related_name="screenings", db_index=False
    )
    number = models.PositiveIntegerField(_("version"))
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.DRAFT
    )

    # Recruitment
    recruitment_date = models.DateField(_("date of recruitment"), null=True, blank=True)
    recruitment_methods = models.JSONField(
        _("how the person was recruited"), default=list, blank=True
    )
    recruiter_relation = models.CharField(_("relation to the recruiter"), max_length=24, blank=True)
    # NULL (reads as empty) in screenings imported from anonymised sources.
    promised_job = EncryptedTextField(
        _("job or opportunity promised"), blank=True, null_reads_empty=True
    )
    # Action
    action_recruitment = models.BooleanField(_("recruited"), default=False)
    action_transport = models.BooleanField(_("transported"), default=False)
    action_transfer = models.BooleanField(_("transferred"), default=False)
    action_harbouring = models.BooleanField(_("harboured"), default=False)
    action_receipt = models.BooleanField(_("received"), default=False)
    # Means and purpose
    means_of_control = models.JSONField(_("means of control"), default=list, blank=True)
    exploitation_types = models.JSONField(_("types of exploitation"), default=list, blank=True)
    labour_sectors = models.JSONField(_("sectors of forced labour"), default=list, blank=True)
    sexual_exploitation_types = models.JSONField(
        _("types of sexual exploitation"), default=list, blank=True
    )
    exploitation_start = models.DateField(_("exploitation began"), null=True, blank=True)
    exploitation_end = models.DateField(_("exploitation ended"), null=True, blank=True)
    country_of_exploitation = models.ForeignKey(
        Country,
        verbose_name=_("country of exploitation (last)"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,  # a plain btree in Meta, without the pattern-ops twin (no LIKE on it)
    )
    exploitation_region = models.CharField(
        _("region of exploitation (UN)"),
        max_length=24,
        blank=True,
        help_text=_("When only the UN region is known (CTDC victim-perpetrator data)."),
    )
    unreported = models.JSONField(
        _("questions the source left unanswered"),
        default=list,
        blank=True,
        help_text=_(
            "Imported rows: the groups (means_of_control, exploitation_types, labour_sectors, "
            "sexual_exploitation_types, recruiter_relation) the source marked missing (-99 or "
            "blank), as opposed to answered 'no'."
        ),
    )
    source_values = models.JSONField(
        _("source values without a SafePassage field"),
        default=dict,
        blank=True,
        help_text=_("Coded values kept from an imported row so that export gives them back."),
    )
    presumed_child = models.BooleanField(
        _("presumed to be a child"),
        default=False,
        help_text=_(
            "Age is uncertain and there are reasons to believe the person was under 18 when recruited."
        ),
    )
    notes = EncryptedTextField(_("interview notes"), blank=True, null_reads_empty=True)

    # Empty for screenings imported from a file (the import batch says who imported them).
    # Indexed in Meta only where set: the one lookup by user (the PROTECT check when a user
    # is deleted) is an equality, which never matches an empty value.
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)

    class Meta:
        ordering = ["case", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["case", "number"], name="screening_version_unique")
        ]
        indexes = [
            models.Index(fields=["country_of_exploitation"], name="screening_exploitation_country"),
            models.Index(
                fields=["created_by"],
                condition=models.Q(created_by__isnull=False),
                name="screening_created_by",
            ),
            models.Index(
                fields=["submitted_by"],
                condition=models.Q(submitted_by__isnull=False),
                name="screening_submitted_by",
            ),
        ]

    def __str__(self) -> str:
        return f"screening v{self.number} of case {self.case_id}"

    @property
    def action_present(self) -> bool:
        return any(getattr(self, name) for name in ACTION_FIELDS)

    @property
    def means_present(self) -> bool:
        return bool(self.means_of_control)

    @property
    def purpose_present(self) -> bool:
        return bool(self.exploitation_types)


class TraffickingEvent(models.Model):
    """A stage of the route (HTCDS hte_): where and when the person was recruited, moved through
    and exploited."""

    screening = models.ForeignKey(Screening, on_delete=models.CASCADE, related_name="events")
    order = models.PositiveSmallIntegerField()
    type = models.CharField(_("stage"), max_length=16, choices=TraffickingEventType.choices)
    country = models.ForeignKey(
        Country, verbose_name=_("country"), on_delete=models.PROTECT, related_name="+"
    )
    place = EncryptedTextField(_("place"), blank=True)
    start_date = models.DateField(_("from"), null=True, blank=True)
    end_date = models.DateField(_("until"), null=True, blank=True)

    class Meta:
        ordering = ["screening", "order"]

    def __str__(self) -> str:
        return f"{self.type} in {self.country_id}"


class Perpetrator(models.Model):
    """HTCDS per_: the perpetrators of a case as the source describes them.

    Aggregated sources (CTDC victim-perpetrator data) describe all perpetrators of a victim in
    one row: each list holds the distinct values over those perpetrators (CTDC joins them,
    sorted, with ';'), and a role flag is True when any perpetrator had the role, None when not
    reported. Such a row (`aggregate=True`) is not one person and counts no perpetrators."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="perpetrators")
    aggregate = models.BooleanField(_("describes several perpetrators together"), default=True)
    genders = models.JSONField(_("genders"), default=list, blank=True)
    age_bands = models.JSONField(_("age bands"), default=list, blank=True)
    citizenship_regions = models.JSONField(
        _("regions of citizenship (UN)"), default=list, blank=True
    )
    relations = models.JSONField(_("relations to the victim"), default=list, blank=True)
    victim_paid = models.JSONField(_("did the victim pay (Yes / No)"), default=list, blank=True)
    role_exploiter = models.BooleanField(_("exploiter"), null=True, blank=True)
    role_recruiter_broker = models.BooleanField(_("recruiter or broker"), null=True, blank=True)
    role_transaction = models.BooleanField(
        _("transport, transfer, harbour, sale or receipt"), null=True, blank=True
    )
    role_control_abuse_kidnap = models.BooleanField(
        _("control, abuse or kidnap"), null=True, blank=True
    )

    class Meta:
        ordering = ["case", "pk"]

    def __str__(self) -> str:
        return f"perpetrators of case {self.case_id}"


class DeterminationOutcome(models.TextChoices):
    VOT = "vot", _("Victim of trafficking")
    EXPLOITED = "exploited", _("Not a victim of trafficking, but exploited or abused")
    VULNERABLE = "vulnerable", _("Not a victim of trafficking, but vulnerable")
    NOT_ELIGIBLE = "not_eligible", _("Not eligible for assistance")


class Determination(TimeStampedModel):
    """A caseworker's eligibility decision, the rule's suggestion beside it, and a supervisor's
    approval. A revision creates a new row that supersedes the previous one."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for approval")
        APPROVED = "approved", _("Approved")
        RETURNED = "returned", _("Returned for revision")
        SUPERSEDED = "superseded", _("Superseded by a revision")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="determinations")
    screening = models.ForeignKey(
        Screening, on_delete=models.PROTECT, related_name="determinations"
    )
    suggested_outcome = models.CharField(
        _("rule's suggestion"), max_length=16, choices=DeterminationOutcome.choices
    )
    suggestion_basis = models.JSONField(_("why the rule suggests it"), default=dict)
    outcome = models.CharField(_("decision"), max_length=16, choices=DeterminationOutcome.choices)
    reasons = EncryptedTextField(_("reasons"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.PENDING
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reviewed_at = models.DateTimeField(_("reviewed"), null=True, blank=True)
    review_note = EncryptedTextField(_("supervisor's note"), blank=True)
    supersedes = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="superseded_by"
    )

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"determination {self.pk} of case {self.case_id}"

    @property
    def differs_from_rule(self) -> bool:
        return self.outcome != self.suggested_outcome
