from __future__ import annotations

from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from safepassage.access.permissions import Perm, Role
from safepassage.access.policy import forget_memberships, require_permission
from safepassage.accounts.errors import MembershipExists, UsernameTaken
from safepassage.accounts.models import Membership, User
from safepassage.audit.services import audit_record
from safepassage.core.errors import ValidationFailed
from safepassage.offices.models import Office


def user_create(
    *,
    actor: Any,
    username: str,
    password: str,
    office: Office,
    role: str,
    email: str = "",
    first_name: str = "",
    last_name: str = "",
    source: str = "",
) -> User:
    """Create a staff account with its first role. `actor` None means an operator on the
    command line (already trusted with the server)."""
    if actor is not None:
        require_permission(actor, Perm.USER_MANAGE, office=office)
    if role not in Role.values:
        raise ValidationFailed(_("Unknown role %(role)s.") % {"role": role}, field="role")
    username = username.strip()
    with transaction.atomic():
        if User.objects.filter(username__iexact=username).exists():
            raise UsernameTaken(username)
        user = User(
            username=username, email=email.strip(), first_name=first_name, last_name=last_name
        )
        try:
            validate_password(password, user)
        except ValidationError as exc:
            raise ValidationFailed(" ".join(exc.messages), field="password") from None
        user.set_password(password)
        user.full_clean()
        user.save()
        Membership.objects.create(user=user, office=office, role=role)
        audit_record(
            actor=actor,
            office=office,
            event_type="user.created",
            target=user,
            changed_fields=["username", "email", "first_name", "last_name", "password"],
            metadata={"role": role},
            source=source,
        )
    return user


def membership_grant(
    *, actor: Any, user: User, office: Office, role: str, source: str = ""
) -> Membership:
    if actor is not None:
        require_permission(actor, Perm.USER_MANAGE, office=office)
    if role not in Role.values:
        raise ValidationFailed(_("Unknown role %(role)s.") % {"role": role}, field="role")
    with transaction.atomic():
        if Membership.objects.filter(user=user, office=office, role=role).exists():
            raise MembershipExists
        membership = Membership.objects.create(user=user, office=office, role=role)
        audit_record(
            actor=actor,
            office=office,
            event_type="membership.granted",
            target=membership,
            changed_fields=["user", "office", "role"],
            metadata={"user_id": user.pk, "role": role},
            source=source,
        )
    forget_memberships(user)
    return membership


def membership_revoke(*, actor: Any, membership: Membership) -> None:
    require_permission(actor, Perm.USER_MANAGE, office=membership.office)
    with transaction.atomic():
        audit_record(
            actor=actor,
            office=membership.office,
            event_type="membership.revoked",
            target=membership,
            changed_fields=["user", "office", "role"],
            metadata={"user_id": membership.user_id, "role": membership.role},
        )
        membership.delete()
    forget_memberships(membership.user)


def _require_manage_user(actor: Any, user: User) -> None:
    offices = [m.office for m in user.memberships.select_related("office", "office__country")]
    if not offices:
        require_permission(actor, Perm.USER_MANAGE, office=None)
        return
    for office in offices:
        require_permission(actor, Perm.USER_MANAGE, office=office)


def user_set_active(*, actor: Any, user: User, active: bool) -> User:
    _require_manage_user(actor, user)
    with transaction.atomic():
        if user.is_active != active:
            user.is_active = active
            user.save(update_fields=["is_active"])
            audit_record(
                actor=actor,
                office=None,
                event_type="user.activated" if active else "user.deactivated",
                target=user,
                changed_fields=["is_active"],
            )
    return user


def user_reset_two_factor(*, actor: Any, user: User) -> int:
    """Remove the user's authenticator devices; they enrol again at their next login."""
    _require_manage_user(actor, user)
    with transaction.atomic():
        count, _ = TOTPDevice.objects.filter(user=user).delete()
        audit_record(
            actor=actor,
            office=None,
            event_type="user.two_factor_reset",
            target=user,
            changed_fields=["otp_device"],
        )
    return int(count)


def two_factor_enrol_start(*, user: User) -> TOTPDevice:
    """An unconfirmed authenticator device for the user (reused while unconfirmed)."""
    with transaction.atomic():
        device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
        if device is None:
            device = TOTPDevice.objects.create(user=user, name="authenticator", confirmed=False)
            audit_record(
                actor=user,
                office=None,
                event_type="auth.two_factor_enrolment_started",
                target=user,
                changed_fields=["otp_device"],
            )
    return device


def two_factor_enrol_confirm(*, user: User, device: TOTPDevice, token: str) -> bool:
    with transaction.atomic():
        if not device.verify_token(token):
            audit_record(actor=user, office=None, event_type="auth.two_factor_failed", target=user)
            return False
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
        audit_record(
            actor=user,
            office=None,
            event_type="auth.two_factor_enrolled",
            target=user,
            changed_fields=["otp_device"],
        )
    return True


def password_change(*, user: User, new_password: str) -> None:
    try:
        validate_password(new_password, user)
    except ValidationError as exc:
        raise ValidationFailed(" ".join(exc.messages), field="new_password1") from None
    with transaction.atomic():
        user.set_password(new_password)
        user.save(update_fields=["password"])
        audit_record(
            actor=user,
            office=None,
            event_type="user.password_changed",
            target=user,
            changed_fields=["password"],
        )
