from __future__ import annotations

from django.urls import path

from safepassage.screening import views

app_name = "screening"

urlpatterns = [
    path("xlsform/", views.xlsform_download, name="xlsform"),
    path("submissions/", views.submissions_upload, name="submissions"),
]
