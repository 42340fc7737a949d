from __future__ import annotations

from django.contrib.auth.decorators import login_not_required
from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from safepassage.cases import api as cases
from safepassage.interop import api as interop
from safepassage.returns import api as returns
from safepassage.screening import api as screening
from safepassage.stats import api as stats
from safepassage.transfers import api as transfers

app_name = "api"

urlpatterns = [
    # The schema and its documentation page describe the API; they hold no data.
    path("schema/", login_not_required(SpectacularAPIView.as_view()), name="schema"),
    path(
        "docs/",
        login_not_required(SpectacularSwaggerSplitView.as_view(url_name="api:schema")),
        name="docs",
    ),
    path("cases/", cases.CaseListView.as_view(), name="case_list"),
    path("cases/<int:case_id>/", cases.CaseDetailView.as_view(), name="case_detail"),
    path("cases/<int:case_id>/consents/", cases.ConsentCreateView.as_view(), name="consent_create"),
    path(
        "cases/<int:case_id>/consents/<int:consent_id>/withdraw/",
        cases.ConsentWithdrawView.as_view(),
        name="consent_withdraw",
    ),
    path("cases/<int:case_id>/notes/", cases.NoteCreateView.as_view(), name="note_create"),
    path(
        "cases/<int:case_id>/screening/", cases.ScreeningSaveView.as_view(), name="screening_save"
    ),
    path(
        "cases/<int:case_id>/determination/suggestion/",
        cases.DeterminationSuggestionView.as_view(),
        name="determination_suggestion",
    ),
    path(
        "cases/<int:case_id>/determinations/",
        cases.DeterminationCreateView.as_view(),
        name="determination_create",
    ),
    path(
        "cases/<int:case_id>/determinations/<int:determination_id>/approve/",
        cases.DeterminationReviewView.as_view(decision="approve"),
        name="determination_approve",
    ),
    path(
        "cases/<int:case_id>/determinations/<int:determination_id>/return/",
        cases.DeterminationReviewView.as_view(decision="return"),
        name="determination_return",
    ),
    path(
        "cases/<int:case_id>/assistance/",
        cases.AssistanceCreateView.as_view(),
        name="assistance_create",
    ),
    path("cases/<int:case_id>/close/", cases.CaseCloseView.as_view(), name="case_close"),
    path("cases/<int:case_id>/reopen/", cases.CaseReopenView.as_view(), name="case_reopen"),
    path(
        "cases/<int:case_id>/transfers/",
        transfers.TransferRequestView.as_view(),
        name="transfer_request",
    ),
    path(
        "cases/<int:case_id>/referrals/",
        transfers.ReferralCreateView.as_view(),
        name="referral_create",
    ),
    path("transfers/", transfers.TransferListView.as_view(), name="transfer_list"),
    path(
        "transfers/<int:transfer_id>/",
        transfers.TransferDetailView.as_view(),
        name="transfer_detail",
    ),
    path(
        "transfers/<int:transfer_id>/accept/",
        transfers.TransferAcceptView.as_view(),
        name="transfer_accept",
    ),
    path(
        "transfers/<int:transfer_id>/reject/",
        transfers.TransferRejectView.as_view(),
        name="transfer_reject",
    ),
    path(
        "transfers/<int:transfer_id>/cancel/",
        transfers.TransferCancelView.as_view(),
        name="transfer_cancel",
    ),
    path("cases/<int:case_id>/returns/", returns.ReturnCreateView.as_view(), name="return_create"),
    path(
        "cases/<int:case_id>/returns/<int:return_id>/",
        returns.ReturnDetailView.as_view(),
        name="return_detail",
    ),
    path(
        "cases/<int:case_id>/returns/<int:return_id>/update/",
        returns.ReturnUpdateView.as_view(),
        name="return_update",
    ),
    path(
        "cases/<int:case_id>/returns/<int:return_id>/risk-assessments/",
        returns.RiskAssessmentCreateView.as_view(),
        name="risk_create",
    ),
    path(
        "cases/<int:case_id>/returns/<int:return_id>/risk-assessments/<int:assessment_id>/approve/",
        returns.RiskAssessmentApproveView.as_view(),
        name="risk_approve",
    ),
    path(
        "cases/<int:case_id>/returns/<int:return_id>/schedule/",
        returns.ReturnScheduleView.as_view(),
        name="return_schedule",
    ),
    path(
        "cases/<int:case_id>/returns/<int:return_id>/depart/",
        returns.ReturnDepartView.as_view(),
        name="return_depart",
    ),
    path(
        "cases/<int:case_id>/returns/<int:return_id>/cancel/",
        returns.ReturnCancelView.as_view(),
        name="return_cancel",
    ),
    path(
        "returns/<int:return_id>/arrival/",
        returns.ArrivalAcknowledgeView.as_view(),
        name="return_arrival",
    ),
    path(
        "cases/<int:case_id>/monitoring/",
        returns.MonitoringVisitCreateView.as_view(),
        name="monitoring_create",
    ),
    path(
        "cases/<int:case_id>/reintegration/",
        returns.ReintegrationPlanView.as_view(),
        name="reintegration_save",
    ),
    path("screening/xlsform/", screening.XlsFormView.as_view(), name="xlsform"),
    path(
        "screening/submissions/",
        screening.SubmissionsImportView.as_view(),
        name="submissions_import",
    ),
    path("reports/", stats.ReportView.as_view(), name="report"),
    path("imports/", interop.CaseImportView.as_view(), name="case_import"),
]
