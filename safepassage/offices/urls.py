from __future__ import annotations

from django.urls import path

from safepassage.offices import views

app_name = "offices"

urlpatterns = [
    path("", views.offices, name="office_list"),
    path("new/", views.office_create, name="office_create"),
    path("<int:office_id>/", views.office_detail, name="office_detail"),
    path("<int:office_id>/retention/", views.office_retention, name="office_retention"),
]
