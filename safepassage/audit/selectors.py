from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from safepassage.access.permissions import Perm
from safepassage.access.policy import scope_for
from safepassage.audit.models import AccessEvent, AuditEvent


def _scoped(queryset: QuerySet[Any], viewer: Any) -> QuerySet[Any]:
    scope = scope_for(viewer, Perm.AUDIT_VIEW)
    if scope.empty:
        return queryset.none()
    if scope.everything:
        return queryset
    # Office-less events (logins, reference loads) belong to headquarters' view only.
    return queryset.filter(Q(office_id__in=sorted(scope.office_ids)))


def audit_event_list(
    *, viewer: Any, event_type: str = "", target_type: str = ""
) -> QuerySet[AuditEvent]:
    queryset = AuditEvent.objects.select_related("office")
    if event_type:
        queryset = queryset.filter(event_type__startswith=event_type)
    if target_type:
        queryset = queryset.filter(target_type=target_type)
    return _scoped(queryset, viewer).order_by("-seq")


def access_event_list(*, viewer: Any, action: str = "") -> QuerySet[AccessEvent]:
    queryset = AccessEvent.objects.select_related("office")
    if action:
        queryset = queryset.filter(action=action)
    return _scoped(queryset, viewer).order_by("-seq")


def events_for_target(*, target_type: str, target_id: str) -> QuerySet[AuditEvent]:
    """Audit events about one record, oldest first (for timelines; the caller has already
    authorised access to the record)."""
    return (
        AuditEvent.objects.filter(target_type=target_type, target_id=target_id)
        .select_related("actor")
        .order_by("seq")
    )
