"""Words for the codes of the figures (one place for the dashboard, report and charts)."""

from __future__ import annotations

from functools import cache

from django.utils.translation import gettext_lazy as _

from safepassage.cases.models import BeneficiaryCategory
from safepassage.reference.regions import Region

LABELS: dict[str, dict[str, object]] = {
    "exploitation": {
        "labour": _("Labour"),
        "sexual": _("Sexual"),
        "sexual_and_labour": _("Sexual and labour"),
        "begging": _("Begging"),
        "other": _("Other"),
        "unknown": _("Unknown"),
    },
    "sex": {"female": _("Female"), "male": _("Male"), "other": _("Other"), "unknown": _("Unknown")},
    "age": {"child": _("Children (under 18)"), "adult": _("Adults"), "unknown": _("Unknown")},
    "trafficking": {
        "cross_border": _("Cross-border"),
        "internal": _("In-country"),
        "unknown": _("Unknown"),
    },
    "region": dict(Region.choices),
    "category": dict(BeneficiaryCategory.choices),
    "reintegration": {
        "legal": _("Legal"),
        "medical": _("Medical"),
        "financial": _("Financial"),
        "housing": _("Housing"),
        "community_based": _("Community-based"),
        "education": _("Education"),
    },
    "avrr": {
        "child_female": _("Girls"),
        "child_male": _("Boys"),
        "adult_female": _("Women"),
        "adult_male": _("Men"),
        "other_or_unknown": _("Other or unknown age or sex"),
    },
}


@cache
def _countries() -> dict[str, str]:
    from safepassage.reference.models import Country

    return dict(Country.objects.values_list("iso3", "name"))


def label(kind: str, key: str) -> str:
    if kind == "country":
        return "Unknown" if key == "UNK" else _countries().get(key, key)
    return str(LABELS[kind].get(key, key))
