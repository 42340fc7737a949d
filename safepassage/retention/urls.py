from __future__ import annotations

from django.urls import path

from safepassage.retention import views

app_name = "retention"

urlpatterns = [
    path("erasure/", views.erasure_list, name="erasure_list"),
    path("erasure/<int:request_id>/", views.erasure_detail, name="erasure_detail"),
    path("erasure/<int:request_id>/approve/", views.erasure_approve, name="erasure_approve"),
    path("erasure/<int:request_id>/reject/", views.erasure_reject, name="erasure_reject"),
    path("persons/<int:person_id>/erasure/", views.erasure_new, name="erasure_new"),
    path("persons/<int:person_id>/export/", views.person_export, name="person_export"),
]
