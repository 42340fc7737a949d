from __future__ import annotations

from django.urls import path

from safepassage.projects import views

app_name = "projects"

urlpatterns = [
    path("", views.projects, name="project_list"),
    path("new/", views.project_create, name="project_create"),
    path("import/", views.project_import, name="project_import"),
    path("<int:project_id>/", views.project_detail, name="project_detail"),
    path("<int:project_id>/edit/", views.project_edit, name="project_edit"),
    path(
        "<int:project_id>/funding/<int:funding_id>/remove/",
        views.project_funding_remove,
        name="project_funding_remove",
    ),
    path("donors/", views.donors, name="donor_list"),
    path("funds/", views.funds, name="fund_list"),
    path("funds/new/", views.fund_create, name="fund_create"),
    path("funds/<int:fund_id>/", views.fund_detail, name="fund_detail"),
    path("funds/<int:fund_id>/charge/", views.fund_charge, name="fund_charge"),
]
