from __future__ import annotations

from django.urls import include, path

# A lost database connection outside a view answers 503 (safepassage.web.errors).
handler500 = "safepassage.web.errors.server_error"

urlpatterns = [
    path("", include("safepassage.web.urls")),
    path("accounts/", include("safepassage.accounts.urls")),
    path("offices/", include("safepassage.offices.urls")),
    path("audit/", include("safepassage.audit.urls")),
    path("projects/", include("safepassage.projects.urls")),
    path("cases/", include("safepassage.cases.urls")),
    path("screening/", include("safepassage.screening.urls")),
    path("api/v1/", include("safepassage.api.urls")),
    path("transfers/", include("safepassage.transfers.urls")),
    path("returns/", include("safepassage.returns.urls")),
    path("stats/", include("safepassage.stats.urls")),
    path("linkage/", include("safepassage.linkage.urls")),
    path("interop/", include("safepassage.interop.urls")),
    path("research/", include("safepassage.research.urls")),
    path("retention/", include("safepassage.retention.urls")),
]
