from __future__ import annotations

import base64
from typing import Any

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.forms import AuthenticationForm, PasswordChangeForm
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_otp import login as otp_login
from django_otp import user_has_device
from django_otp.plugins.otp_totp.models import TOTPDevice

from safepassage.access.permissions import Perm
from safepassage.access.policy import access_membership, access_user, can_manage_users
from safepassage.accounts import services
from safepassage.accounts.forms import MembershipGrantForm, TokenForm, UserCreateForm
from safepassage.accounts.middleware import is_two_factor_verified, two_factor_exempt
from safepassage.accounts.models import User
from safepassage.accounts.selectors import memberships_visible, offices_where, user_list
from safepassage.audit.services import audit_record
from safepassage.core.errors import DomainError, NotFound
from safepassage.web.errors import add_domain_error


@method_decorator(login_not_required, name="dispatch")
class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    redirect_authenticated_user = True

    def form_valid(self, form: AuthenticationForm) -> HttpResponse:
        response = super().form_valid(form)
        audit_record(
            actor=form.get_user(), office=None, event_type="auth.login", target=form.get_user()
        )
        return response

    def form_invalid(self, form: AuthenticationForm) -> HttpResponse:
        audit_record(
            actor=None, office=None, event_type="auth.login_failed", target=None, source="web"
        )
        return super().form_invalid(form)


@method_decorator(two_factor_exempt, name="dispatch")
class LogoutView(auth_views.LogoutView):
    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.user.is_authenticated:
            audit_record(
                actor=request.user, office=None, event_type="auth.logout", target=request.user
            )
        return super().post(request, *args, **kwargs)


def _qr_data_uri(url: str) -> str:
    # A standalone SVG image needs its xmlns, which svg_data_uri() keeps (svg_inline drops it).
    return str(segno.make(url, error="m").svg_data_uri(scale=4))


@two_factor_exempt
def two_factor(request: HttpRequest) -> HttpResponse:
    """Second step of login: verify a code, or enrol an authenticator on first login."""
    user = request.user
    assert isinstance(user, User)  # noqa: S101  # login is required by the middleware
    if is_two_factor_verified(user):
        return redirect(settings.LOGIN_REDIRECT_URL)
    form = TokenForm(request.POST or None)
    enrolling = not user_has_device(user, confirmed=True)
    device: TOTPDevice | None
    if enrolling:
        device = services.two_factor_enrol_start(user=user)
    else:
        device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if request.method == "POST" and form.is_valid() and device is not None:
        token = form.cleaned_data["token"]
        if enrolling:
            ok = services.two_factor_enrol_confirm(user=user, device=device, token=token)
        else:
            ok = bool(device.verify_is_allowed()[0] and device.verify_token(token))
            audit_record(
                actor=user,
                office=None,
                event_type="auth.two_factor_verified" if ok else "auth.two_factor_failed",
                target=user,
            )
        if ok:
            otp_login(request, device)
            return redirect(request.GET.get("next") or settings.LOGIN_REDIRECT_URL)
        form.add_error("token", _("That code is not valid. Wait for a new code and try again."))
    context: dict[str, Any] = {"form": form, "enrolling": enrolling}
    if enrolling and device is not None:
        context["qr"] = _qr_data_uri(device.config_url)
        context["secret"] = base64.b32encode(device.bin_key).decode("ascii")
    return TemplateResponse(request, "accounts/two_factor.html", context)


def password_change(request: HttpRequest) -> HttpResponse:
    user = request.user
    assert isinstance(user, User)  # noqa: S101  # login is required by the middleware
    form = PasswordChangeForm(user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.password_change(user=user, new_password=form.cleaned_data["new_password1"])
        except DomainError as error:
            add_domain_error(form, error)
        else:
            update_session_auth_hash(request, user)
            messages.success(request, _("Your password was changed."))
            return redirect("web:home")
    return TemplateResponse(request, "accounts/password_change.html", {"form": form})


def users(request: HttpRequest) -> HttpResponse:
    rows = user_list(viewer=request.user)
    if not offices_where(viewer=request.user, perm=Perm.USER_VIEW).exists():
        raise NotFound(_("Page not found."))
    return TemplateResponse(
        request,
        "accounts/user_list.html",
        {"users": rows, "can_create": can_manage_users(request.user)},
    )


def user_create(request: HttpRequest) -> HttpResponse:
    offices = offices_where(viewer=request.user, perm=Perm.USER_MANAGE)
    if not offices.exists():
        raise NotFound(_("Page not found."))
    form = UserCreateForm(request.POST or None, offices=offices)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user = services.user_create(
                actor=request.user,
                username=data["username"],
                password=data["password1"],
                office=data["office"],
                role=data["role"],
                email=data["email"],
                first_name=data["first_name"],
                last_name=data["last_name"],
                source="web",
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, _("User %(name)s created.") % {"name": user.username})
            return redirect("accounts:user_detail", user_id=user.pk)
    return TemplateResponse(request, "accounts/user_form.html", {"form": form})


def user_detail(request: HttpRequest, user_id: int) -> HttpResponse:
    user = access_user(request.user, user_id)
    grant_offices = offices_where(viewer=request.user, perm=Perm.USER_MANAGE)
    form = MembershipGrantForm(request.POST or None, offices=grant_offices)
    if request.method == "POST" and form.is_valid():
        try:
            services.membership_grant(
                actor=request.user,
                user=user,
                office=form.cleaned_data["office"],
                role=form.cleaned_data["role"],
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, _("Role granted."))
            return redirect("accounts:user_detail", user_id=user.pk)
    return TemplateResponse(
        request,
        "accounts/user_detail.html",
        {
            "subject": user,
            "memberships": memberships_visible(viewer=request.user, user=user),
            "form": form,
            "can_manage": grant_offices.exists(),
            "has_device": user_has_device(user, confirmed=True),
        },
    )


@require_POST
def membership_revoke(request: HttpRequest, membership_id: int) -> HttpResponseBase:
    membership = access_membership(request.user, membership_id)
    services.membership_revoke(actor=request.user, membership=membership)
    messages.success(request, _("Role revoked."))
    return redirect("accounts:user_detail", user_id=membership.user_id)


@require_POST
def user_reset_two_factor(request: HttpRequest, user_id: int) -> HttpResponseBase:
    user = access_user(request.user, user_id)
    services.user_reset_two_factor(actor=request.user, user=user)
    messages.success(
        request, _("Two-factor reset: the user enrols a new authenticator at next login.")
    )
    return redirect("accounts:user_detail", user_id=user.pk)


@require_POST
def user_set_active(request: HttpRequest, user_id: int) -> HttpResponseBase:
    user = access_user(request.user, user_id)
    services.user_set_active(
        actor=request.user, user=user, active=request.POST.get("active") == "1"
    )
    return redirect("accounts:user_detail", user_id=user.pk)
