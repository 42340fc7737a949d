from __future__ import annotations

from django.contrib.auth.decorators import login_not_required
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.response import TemplateResponse
from django.views.decorators.cache import never_cache

from safepassage.access.policy import (
    can_manage_offices,
    can_manage_users,
    can_view_audit,
    memberships_of,
)
from safepassage.core import clock
from safepassage.returns.selectors import home_queues


def home(request: HttpRequest) -> HttpResponse:
    memberships = memberships_of(request.user)
    return TemplateResponse(
        request,
        "web/home.html",
        {
            "memberships": memberships,
            "can_manage_users": can_manage_users(request.user),
            "can_manage_offices": can_manage_offices(request.user),
            "can_view_audit": can_view_audit(request.user),
            "today": clock.today(),
            **home_queues(viewer=request.user, day=clock.today()),
        },
    )


@login_not_required
@never_cache
def health(request: HttpRequest) -> HttpResponse:
    """Liveness and database reachability for load balancers; reveals nothing else."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:  # any database failure means "not healthy"
        return JsonResponse({"status": "unavailable"}, status=503)
    return JsonResponse({"status": "ok"})
