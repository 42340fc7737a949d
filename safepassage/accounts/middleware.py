"""Two-factor enforcement: a signed-in user who has not passed the second factor can reach only
the two-factor page and logout while SAFEPASSAGE_REQUIRE_2FA is on. Idle sessions: their expiry
moved forward without a write on every request."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from safepassage.core import clock

TWO_FACTOR_EXEMPT_ATTR = "two_factor_exempt"


def two_factor_exempt(view: Callable[..., Any]) -> Callable[..., Any]:
    setattr(view, TWO_FACTOR_EXEMPT_ATTR, True)
    return view


def is_two_factor_verified(user: object) -> bool:
    """django-otp's OTPMiddleware gives request.user an is_verified() method."""
    check = getattr(user, "is_verified", None)
    return bool(check is not None and check())


class TwoFactorRequiredMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self,
        request: HttpRequest,
        view_func: Callable[..., Any],
        view_args: Any,
        view_kwargs: Any,
    ) -> HttpResponse | None:
        if not settings.SAFEPASSAGE_REQUIRE_2FA:
            return None
        user = request.user
        if not user.is_authenticated or is_two_factor_verified(user):
            return None
        if getattr(view_func, TWO_FACTOR_EXEMPT_ATTR, False) or not getattr(
            view_func, "login_required", True
        ):
            return None
        return redirect("accounts:two_factor")


SESSION_REFRESHED_KEY = "_refreshed_at"


class SessionIdleRefreshMiddleware:
    """The idle timeout without a write per request: a session is saved (and its expiry moved
    SESSION_COOKIE_AGE into the future) when SAFEPASSAGE_SESSION_REFRESH_SECONDS have passed
    since it was last saved, instead of on every request (SESSION_SAVE_EVERY_REQUEST). A
    session then ends between SESSION_COOKIE_AGE minus the refresh interval and
    SESSION_COOKIE_AGE after its last request. Sits below SessionMiddleware, so that the
    session it marks is saved on the way out; an empty session (an anonymous visitor) is never
    started here."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        session = getattr(request, "session", None)
        if session is None or session.is_empty() or not session.keys():
            return response
        now = int(clock.now().timestamp())
        refreshed = session.get(SESSION_REFRESHED_KEY)
        if not isinstance(refreshed, int) or not (
            0 <= now - refreshed < settings.SAFEPASSAGE_SESSION_REFRESH_SECONDS
        ):
            session[SESSION_REFRESHED_KEY] = now
        return response
