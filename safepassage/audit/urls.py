from __future__ import annotations

from django.urls import path

from safepassage.audit import views

app_name = "audit"

urlpatterns = [
    path("", views.audit_events, name="event_list"),
    path("access/", views.access_events, name="access_list"),
    path("verify/", views.verify, name="verify"),
]
