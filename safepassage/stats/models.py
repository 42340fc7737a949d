"""The reporting table: one row per case with every coded value a figure counts.

Why a table: the figures need the date of birth and other values that are encrypted at rest and
cannot be read in SQL. The write services compute a case's row in Python from the decrypted
record (`services.case_fact_refresh`) in the same transaction as the change, and the indicator
engine groups on the stored codes in the database.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from safepassage.cases.models import Case
from safepassage.offices.models import Office


class CaseFact(models.Model):
    case = models.OneToOneField(
        Case, on_delete=models.CASCADE, primary_key=True, related_name="fact"
    )
    # No single-column indexes on office and individual: report queries reach them through
    # the year-led indexes below, linkage rewrites individuals by case (the primary key), and
    # the fact table is write-heavy (one row per imported case).
    office = models.ForeignKey(Office, on_delete=models.CASCADE, related_name="+", db_index=False)
    # Record linkage fills this with the cluster id; until then it is the person id.
    individual_id = models.BigIntegerField(_("individual (linkage cluster)"))
    registration_date = models.DateField()
    year = models.PositiveSmallIntegerField()
    region = models.CharField(max_length=16)
    category = models.CharField(max_length=24)
    status = models.CharField(max_length=16)
    nationality = models.CharField(max_length=3)
    destination = models.CharField(max_length=3)
    exploitation = models.CharField(max_length=20)
    sex = models.CharField(max_length=8)
    age_group = models.CharField(max_length=8)
    trafficking = models.CharField(max_length=16)
    returned = models.BooleanField(default=False)
    reint_any = models.BooleanField(default=False)
    reint_legal = models.BooleanField(default=False)
    reint_medical = models.BooleanField(default=False)
    reint_financial = models.BooleanField(default=False)
    reint_housing = models.BooleanField(default=False)
    reint_community_based = models.BooleanField(default=False)
    reint_education = models.BooleanField(default=False)
    refreshed_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("case fact")
        verbose_name_plural = _("case facts")
        # Every report query filters on the year first; each report query has a covering index
        # (the cube of fixed-key figures, nationality, destination, individuals), so the
        # database groups over the index alone, in index order, without reading the table.
        indexes = [
            models.Index(
                fields=[
                    "year",
                    "region",
                    "exploitation",
                    "sex",
                    "age_group",
                    "trafficking",
                    "returned",
                    "reint_any",
                    "reint_legal",
                    "reint_medical",
                    "reint_financial",
                    "reint_housing",
                    "reint_community_based",
                    "reint_education",
                ],
                name="casefact_year_cube",
            ),
            models.Index(fields=["year", "region", "nationality"], name="casefact_year_nat"),
            models.Index(fields=["year", "region", "destination"], name="casefact_year_dest"),
            models.Index(fields=["year", "region", "individual_id"], name="casefact_year_indiv"),
            models.Index(fields=["year", "office"], name="casefact_year_office"),
            models.Index(fields=["year", "category"], name="casefact_year_category"),
        ]

    def __str__(self) -> str:
        return f"fact of case {self.case_id}"
