from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from safepassage.core.models import TimeStampedModel
from safepassage.reference.models import Country
from safepassage.reference.regions import Region

MAX_RETENTION_YEARS = 100

office_code_validator = RegexValidator(
    r"^[A-Z0-9][A-Z0-9-]{1,31}$",
    _("Use 2-32 capital letters, digits or hyphens, e.g. UA-KYIV."),
)


class Office(TimeStampedModel):
    """A country office (mission), a regional office or headquarters.

    Access follows the kind: a role held at a country office covers that office; at a regional
    office, every office in the region it covers; at headquarters, every office.
    """

    class Kind(models.TextChoices):
        COUNTRY = "country", _("Country office")
        REGIONAL = "regional", _("Regional office")
        HEADQUARTERS = "headquarters", _("Headquarters")

    code = models.CharField(
        _("code"), max_length=32, unique=True, validators=[office_code_validator]
    )
    name = models.CharField(_("name"), max_length=120)
    country = models.ForeignKey(
        Country, verbose_name=_("country"), on_delete=models.PROTECT, related_name="offices"
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.COUNTRY)
    covered_region = models.CharField(
        _("region covered"),
        max_length=16,
        choices=Region.choices,
        blank=True,
        help_text=_("Regional offices only: the region whose offices it oversees."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    # Per-office policy: how long closed cases keep their identifiers (`safepassage
    # apply_retention`). Blank follows the organisation default (SAFEPASSAGE_RETENTION_YEARS),
    # so most offices need no setting and a change of default reaches them all.
    retention_years = models.PositiveSmallIntegerField(
        _("retention period (years after closure)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_RETENTION_YEARS)],
        help_text=_("Blank: the organisation default."),
    )

    class Meta:
        ordering = ["code"]
        verbose_name = _("office")
        verbose_name_plural = _("offices")
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(kind="regional") & ~models.Q(covered_region=""))
                | (~models.Q(kind="regional") & models.Q(covered_region="")),
                name="office_region_only_for_regional",
            )
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    @property
    def effective_retention_years(self) -> int:
        """The office's retention period, or the organisation default when it sets none."""
        if self.retention_years is not None:
            return self.retention_years
        default: int = settings.SAFEPASSAGE_RETENTION_YEARS
        return default

    @property
    def region(self) -> str:
        """The Annex 2 region of the office's country (where assistance is given)."""
        return self.country.region
