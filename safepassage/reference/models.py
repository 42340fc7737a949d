from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from safepassage.reference.regions import Region


class Country(models.Model):
    """ISO 3166-1 country with its Annex 2 region; kept in the database so reports can join and
    group on region. Loaded and kept current by `safepassage load_reference`."""

    iso3 = models.CharField(_("ISO alpha-3"), max_length=3, primary_key=True)
    iso2 = models.CharField(_("ISO alpha-2"), max_length=2, unique=True)
    name = models.CharField(_("name"), max_length=100)
    region = models.CharField(
        _("region"), max_length=16, choices=Region.choices, default=Region.UNASSIGNED
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("country")
        verbose_name_plural = _("countries")

    def __str__(self) -> str:
        return self.name
