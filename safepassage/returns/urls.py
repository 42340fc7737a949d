from __future__ import annotations

from django.urls import path

from safepassage.returns import views

app_name = "returns"

urlpatterns = [
    path("arrivals/", views.arrivals, name="arrivals"),
    path("arrivals/<int:plan_id>/", views.arrival, name="arrival"),
    path("alerts/", views.alerts, name="alerts"),
    path("alerts/<int:alert_id>/resolve/", views.alert_resolve, name="alert_resolve"),
    path("case/<int:case_id>/", views.case_returns, name="case_returns"),
    path("case/<int:case_id>/reintegration/", views.reintegration, name="reintegration"),
    path("case/<int:case_id>/monitoring/", views.monitoring_visit, name="monitoring_visit"),
    path("<int:plan_id>/", views.return_detail, name="return_detail"),
    path("<int:plan_id>/risk/", views.risk_assessment_record, name="risk_record"),
    path(
        "<int:plan_id>/risk/<int:assessment_id>/approve/",
        views.risk_assessment_review,
        {"decision": "approve"},
        name="risk_approve",
    ),
    path(
        "<int:plan_id>/risk/<int:assessment_id>/return/",
        views.risk_assessment_review,
        {"decision": "return"},
        name="risk_return",
    ),
    path("<int:plan_id>/schedule/", views.return_schedule, name="return_schedule"),
    path("<int:plan_id>/depart/", views.return_depart, name="return_depart"),
    path("<int:plan_id>/cancel/", views.return_cancel, name="return_cancel"),
]
