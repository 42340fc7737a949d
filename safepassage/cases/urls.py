from __future__ import annotations

from django.urls import path

from safepassage.cases import views

app_name = "cases"

urlpatterns = [
    path("", views.case_index, name="case_list"),
    path("new/", views.case_register, name="case_register"),
    path("new/person/", views.person_register, name="person_register"),
    path("new/person/<int:person_id>/", views.case_open_for_person, name="case_open"),
    path("approvals/", views.approvals, name="approvals"),
    path("<int:case_id>/", views.case_detail, name="case_detail"),
    path("<int:case_id>/print/", views.case_print, name="case_print"),
    path("<int:case_id>/notes/", views.note_add, name="note_add"),
    path("<int:case_id>/screening/", views.screening_edit, name="screening"),
    path("<int:case_id>/determination/", views.determination, name="determination"),
    path(
        "<int:case_id>/determination/<int:determination_id>/approve/",
        views.determination_review,
        {"decision": "approve"},
        name="determination_approve",
    ),
    path(
        "<int:case_id>/determination/<int:determination_id>/return/",
        views.determination_review,
        {"decision": "return"},
        name="determination_return",
    ),
    path("<int:case_id>/consent/", views.consent, name="consent"),
    path(
        "<int:case_id>/consent/<int:consent_id>/withdraw/",
        views.consent_withdraw,
        name="consent_withdraw",
    ),
    path("<int:case_id>/assistance/", views.assistance, name="assistance"),
    path("<int:case_id>/close/", views.case_close, name="case_close"),
    path("<int:case_id>/reopen/", views.case_reopen, name="case_reopen"),
    path("<int:case_id>/closure/approve/", views.closure_approve, name="closure_approve"),
    path("<int:case_id>/closure/decline/", views.closure_decline, name="closure_decline"),
]
