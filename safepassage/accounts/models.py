from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

from safepassage.access.permissions import Role
from safepassage.core.models import TimeStampedModel
from safepassage.offices.models import Office


class User(AbstractUser):
    """A staff account. What it may do comes only from its memberships, never from Django's
    is_staff / is_superuser flags, which SafePassage does not use."""

    class Meta:
        ordering = ["username"]
        verbose_name = _("user")
        verbose_name_plural = _("users")


class Membership(TimeStampedModel):
    """A role held by a user at an office."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    office = models.ForeignKey(Office, on_delete=models.PROTECT, related_name="memberships")
    role = models.CharField(_("role"), max_length=16, choices=Role.choices)

    class Meta:
        ordering = ["office__code", "role"]
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "office", "role"], name="membership_unique_role"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.role}@{self.office_id}"
