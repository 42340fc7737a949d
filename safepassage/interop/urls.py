from __future__ import annotations

from django.urls import path

from safepassage.interop import views

app_name = "interop"

urlpatterns = [
    path("import/", views.import_start, name="import_start"),
    path("import/confirm/", views.import_confirm, name="import_confirm"),
    path("aggregates/", views.aggregate_list, name="aggregates"),
    path("aggregates/template.csv", views.aggregate_template, name="aggregate_template"),
]
