from __future__ import annotations

from django.urls import include, path

urlpatterns = [
    path("", include("safepassage.web.urls")),
    path("accounts/", include("safepassage.accounts.urls")),
    path("offices/", include("safepassage.offices.urls")),
    path("audit/", include("safepassage.audit.urls")),
]
