from __future__ import annotations

from django.urls import path

from safepassage.stats import views

app_name = "stats"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("report.<str:fmt>", views.report_download, name="report"),
]
