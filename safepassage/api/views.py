"""Shared base for API operations (one class per operation, STYLE rule 9)."""

from __future__ import annotations

from typing import Any

from rest_framework.permissions import IsAuthenticated
from rest_framework.views import APIView


class ApiView(APIView):
    """Token-authenticated, throttled. Office scoping happens in the selectors and services the
    subclasses call, exactly as in the web app."""

    permission_classes = [IsAuthenticated]

    @classmethod
    def as_view(cls, **initkwargs: Any) -> Any:
        view = super().as_view(**initkwargs)
        # The API authenticates with tokens, not the web session: the login redirect and the
        # web two-factor step do not apply (tokens are issued to users who passed both).
        view.login_required = False  # type: ignore[attr-defined]  # marker read by Django's LoginRequiredMiddleware
        return view
