"""Two-factor enforcement: a signed-in user who has not passed the second factor can reach only
the two-factor page and logout while SAFEPASSAGE_REQUIRE_2FA is on."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

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
