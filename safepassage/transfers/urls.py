from __future__ import annotations

from django.urls import path

from safepassage.transfers import views

app_name = "transfers"

urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("case/<int:case_id>/new/", views.transfer_request, name="transfer_request"),
    path("case/<int:case_id>/referrals/", views.referrals, name="referrals"),
    path("<int:transfer_id>/", views.transfer_detail, name="transfer_detail"),
    path("<int:transfer_id>/accept/", views.transfer_accept, name="transfer_accept"),
    path("<int:transfer_id>/reject/", views.transfer_reject, name="transfer_reject"),
    path("<int:transfer_id>/cancel/", views.transfer_cancel, name="transfer_cancel"),
]
