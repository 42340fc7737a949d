"""Record linkage state: the runs, the current individual of every person and the scored pairs
with data managers' decisions.

Why pairs are stored with their probability: a decision re-clusters the affected individuals at
once from the stored pairs (`pipeline.cluster_pairs`), without re-reading or re-scoring
personal data, and undoing a decision re-clusters them back the same way. Decisions outlive
runs: an accepted pair is a must-link and a rejected pair a cannot-link in every later run.
No personal value is stored here, only ids, probabilities and counts.
"""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from safepassage.cases.models import Person


class LinkageRun(models.Model):
    class Mode(models.TextChoices):
        FULL = "full", _("Full (every person scored again)")
        INCREMENTAL = "incremental", _("Incremental (new persons only)")

    class Status(models.TextChoices):
        RUNNING = "running", _("Running")
        SUCCEEDED = "succeeded", _("Succeeded")
        FAILED = "failed", _("Failed")

    started_at = models.DateTimeField(_("started"))
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    mode = models.CharField(_("mode"), max_length=12, choices=Mode.choices)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.RUNNING
    )
    auto_link_threshold = models.FloatField(_("automatic link threshold"))
    review_threshold = models.FloatField(_("review threshold"))
    # The trained Splink parameters (`LinkageModel.to_json`), so a run can be reproduced and
    # an incremental run scores with the same model as the full run before it.
    model_parameters = models.JSONField(_("model parameters"), default=dict, blank=True)
    ran_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("run by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    source = models.CharField(_("source"), max_length=16, blank=True)
    instances = models.PositiveIntegerField(_("instances (persons)"), default=0)
    new_instances = models.PositiveIntegerField(_("persons scored as new"), default=0)
    individuals = models.PositiveIntegerField(_("individuals"), default=0)
    scored_pairs = models.PositiveIntegerField(_("scored pairs"), default=0)
    auto_links = models.PositiveIntegerField(_("automatic links"), default=0)
    review_pairs = models.PositiveIntegerField(_("pairs sent to review"), default=0)
    refused_links = models.PositiveIntegerField(_("links refused by a cannot-link"), default=0)
    must_links = models.PositiveIntegerField(_("must-links"), default=0)
    cannot_links = models.PositiveIntegerField(_("cannot-links"), default=0)
    error_code = models.CharField(_("error"), max_length=40, blank=True)

    class Meta:
        ordering = ["-started_at", "-pk"]
        verbose_name = _("linkage run")
        verbose_name_plural = _("linkage runs")

    def __str__(self) -> str:
        return f"linkage run {self.pk} ({self.mode}, {self.status})"


class PersonCluster(models.Model):
    """The current individual of a person: the smallest person id of its linkage cluster."""

    person = models.OneToOneField(
        Person, on_delete=models.CASCADE, primary_key=True, related_name="cluster"
    )
    individual_id = models.BigIntegerField(_("individual"), db_index=True)
    run = models.ForeignKey(
        LinkageRun, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("person cluster")
        verbose_name_plural = _("person clusters")

    def __str__(self) -> str:
        return f"person {self.person_id} -> individual {self.individual_id}"


class PairStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for review")
    ACCEPTED = "accepted", _("Same person")
    REJECTED = "rejected", _("Not the same person")
    SKIPPED = "skipped", _("Skipped")


class PairBand(models.TextChoices):
    AUTO = "auto", _("Linked automatically")
    REVIEW = "review", _("Sent to review")


class CandidatePair(models.Model):
    """Two persons the engine scored at or above the review threshold (person_a < person_b).

    `band` says where the last run put the score: automatic links are kept so that a decision
    can re-cluster from the stored pairs alone; only review-band pairs are queued.
    """

    # decision -> statuses it may be taken from
    TRANSITIONS: ClassVar[dict[str, frozenset[str]]] = {
        PairStatus.ACCEPTED: frozenset({PairStatus.PENDING, PairStatus.SKIPPED}),
        PairStatus.REJECTED: frozenset({PairStatus.PENDING, PairStatus.SKIPPED}),
        PairStatus.SKIPPED: frozenset({PairStatus.PENDING}),
        PairStatus.PENDING: frozenset(
            {PairStatus.ACCEPTED, PairStatus.REJECTED, PairStatus.SKIPPED}
        ),
    }

    person_a = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    person_b = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    probability = models.FloatField(_("match probability"))
    band = models.CharField(_("band"), max_length=8, choices=PairBand.choices)
    run = models.ForeignKey(
        LinkageRun, null=True, blank=True, on_delete=models.SET_NULL, related_name="pairs"
    )
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=PairStatus.choices,
        default=PairStatus.PENDING,
        db_index=True,
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["-probability", "pk"]
        verbose_name = _("candidate pair")
        verbose_name_plural = _("candidate pairs")
        constraints = [
            models.UniqueConstraint(fields=["person_a", "person_b"], name="linkage_pair_unique"),
            models.CheckConstraint(
                condition=models.Q(person_a__lt=models.F("person_b")),
                name="linkage_pair_ordered",
            ),
        ]
        indexes = [models.Index(fields=["band", "status"], name="linkage_pair_queue")]

    def __str__(self) -> str:
        return f"pair {self.person_a_id}-{self.person_b_id} ({self.status})"

    @property
    def decided(self) -> bool:
        return self.status in (PairStatus.ACCEPTED, PairStatus.REJECTED)
