"""REST operations on cases, persons, consent, screening, determinations, assistance and notes.
Each class parses input with an explicit serializer, calls one service or selector, and returns
an explicit output serializer."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from safepassage.access.permissions import Perm
from safepassage.access.policy import access_case, scope_for
from safepassage.api.fields import OfficeCodeField, choice_field, multi_choice
from safepassage.api.fields import validated as _valid
from safepassage.api.idempotency import idempotent
from safepassage.api.pagination import Pagination
from safepassage.api.views import ApiView
from safepassage.assistance.models import Phase, ProviderKind, ServiceType
from safepassage.assistance.services import assistance_record
from safepassage.audit.services import access_record
from safepassage.cases import services
from safepassage.cases.models import (
    BeneficiaryCategory,
    BirthDatePrecision,
    CaseStatus,
    ClosureReason,
    Consent,
    ConsentScope,
    ReferralSource,
    SharedData,
)
from safepassage.cases.selectors import CaseFilters, case_for_view, case_list
from safepassage.core.errors import NotFound, ValidationFailed
from safepassage.offices.models import Office
from safepassage.reference.codes import (
    ExploitationType,
    Gender,
    LabourSector,
    MeansOfControl,
    RecruiterRelation,
    RecruitmentMethod,
    SexualExploitationType,
    TraffickingEventType,
)
from safepassage.screening import services as screening_services
from safepassage.screening.models import Determination, DeterminationOutcome
from safepassage.screening.rules import suggest

# --- output ----------------------------------------------------------------------------------


class PersonOut(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    given_names = serializers.CharField()
    family_names = serializers.CharField()
    given_names_original = serializers.CharField()
    family_names_original = serializers.CharField()
    aliases = serializers.ListField(child=serializers.CharField())
    sex = serializers.CharField()
    birth_date = serializers.DateField(allow_null=True)
    birth_date_precision = serializers.CharField()
    birth_place = serializers.CharField()
    citizenships = serializers.ListField(child=serializers.CharField())
    languages = serializers.ListField(child=serializers.CharField())


class CaseSummaryOut(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    reference = serializers.CharField()
    office = serializers.CharField(source="office.code")
    registration_date = serializers.DateField()
    status = serializers.CharField()
    beneficiary_category = serializers.CharField()
    referral_source = serializers.CharField()
    assigned_to = serializers.CharField(
        source="assigned_to.username", allow_null=True, default=None
    )
    person_id = serializers.IntegerField()
    person_name = serializers.CharField(source="person.display_name")
    nationality = serializers.CharField(source="person.citizenship_id", allow_null=True)
    version = serializers.IntegerField()


class CasePageOut(serializers.Serializer[Any]):
    count = serializers.IntegerField(help_text="Matching cases, counted up to 2,000.")
    count_capped = serializers.BooleanField(
        help_text="More cases match than were counted: narrow the filters to see them all."
    )
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = CaseSummaryOut(many=True)


class SuggestionOut(serializers.Serializer[Any]):
    suggested_outcome = serializers.CharField()
    basis = serializers.DictField()


class ConsentOut(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    scope = serializers.CharField()
    given = serializers.BooleanField()
    form = serializers.CharField()
    given_by = serializers.CharField()
    date = serializers.DateField()
    recipient_office = serializers.CharField(
        source="recipient_office.code", allow_null=True, default=None
    )
    recipient_partner = serializers.CharField()
    shared_data = serializers.ListField(child=serializers.CharField())
    active = serializers.BooleanField()
    withdrawn_at = serializers.DateTimeField(allow_null=True)


class EventIO(serializers.Serializer[Any]):
    type = choice_field(TraffickingEventType)
    country = serializers.CharField(max_length=3, source="country_id")
    place = serializers.CharField(required=False, allow_blank=True, default="")
    start_date = serializers.DateField(required=False, allow_null=True, default=None)
    end_date = serializers.DateField(required=False, allow_null=True, default=None)


class ScreeningOut(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    number = serializers.IntegerField()
    status = serializers.CharField()
    recruitment_date = serializers.DateField(allow_null=True)
    recruitment_methods = serializers.ListField(child=serializers.CharField())
    recruiter_relation = serializers.CharField()
    action_recruitment = serializers.BooleanField()
    action_transport = serializers.BooleanField()
    action_transfer = serializers.BooleanField()
    action_harbouring = serializers.BooleanField()
    action_receipt = serializers.BooleanField()
    means_of_control = serializers.ListField(child=serializers.CharField())
    exploitation_types = serializers.ListField(child=serializers.CharField())
    labour_sectors = serializers.ListField(child=serializers.CharField())
    sexual_exploitation_types = serializers.ListField(child=serializers.CharField())
    exploitation_start = serializers.DateField(allow_null=True)
    exploitation_end = serializers.DateField(allow_null=True)
    country_of_exploitation = serializers.CharField(
        source="country_of_exploitation_id", allow_null=True
    )
    presumed_child = serializers.BooleanField()
    events = EventIO(many=True, source="events.all")


class DeterminationOut(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    screening_version = serializers.IntegerField(source="screening.number")
    suggested_outcome = serializers.CharField()
    suggestion_basis = serializers.DictField()
    outcome = serializers.CharField()
    status = serializers.CharField()
    decided_by = serializers.CharField(source="decided_by.username")
    reviewed_by = serializers.CharField(
        source="reviewed_by.username", allow_null=True, default=None
    )
    created_at = serializers.DateTimeField()


class ServiceOut(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    service_type = serializers.CharField()
    phase = serializers.CharField()
    provider_kind = serializers.CharField()
    provider_name = serializers.CharField()
    start_date = serializers.DateField()
    end_date = serializers.DateField(allow_null=True)
    amount = serializers.DecimalField(max_digits=12, decimal_places=2, allow_null=True)
    currency = serializers.CharField()


class CaseDetailOut(CaseSummaryOut):
    person = PersonOut()
    assistance_country = serializers.CharField(source="assistance_country_id", allow_null=True)
    closure_reason = serializers.CharField()
    consents = ConsentOut(many=True, source="consents.all")
    screenings = ScreeningOut(many=True, source="screenings.all")
    determinations = DeterminationOut(many=True, source="determinations.all")
    services = ServiceOut(many=True, source="services.all")


# --- input -----------------------------------------------------------------------------------


class PersonIn(serializers.Serializer[Any]):
    given_names = serializers.CharField(required=False, allow_blank=True, max_length=200)
    family_names = serializers.CharField(required=False, allow_blank=True, max_length=200)
    given_names_original = serializers.CharField(required=False, allow_blank=True, max_length=200)
    family_names_original = serializers.CharField(required=False, allow_blank=True, max_length=200)
    aliases = serializers.ListField(
        child=serializers.CharField(max_length=200), required=False, max_length=20
    )
    sex = choice_field(Gender, required=False)
    birth_date = serializers.DateField(required=False, allow_null=True)
    birth_date_precision = choice_field(BirthDatePrecision, required=False)
    birth_place = serializers.CharField(required=False, allow_blank=True, max_length=200)
    citizenship = serializers.CharField(required=False, allow_blank=True, max_length=3)
    other_citizenships = serializers.ListField(
        child=serializers.CharField(max_length=3), required=False, max_length=5
    )
    languages = serializers.ListField(
        child=serializers.CharField(max_length=3), required=False, max_length=10
    )
    phone = serializers.CharField(required=False, allow_blank=True, max_length=60)
    email = serializers.CharField(required=False, allow_blank=True, max_length=200)
    address = serializers.CharField(required=False, allow_blank=True, max_length=500)


class CaseCreateIn(serializers.Serializer[Any]):
    office = OfficeCodeField()
    person = PersonIn()
    registration_date = serializers.DateField()
    referral_source = choice_field(ReferralSource)
    beneficiary_category = choice_field(BeneficiaryCategory)


class CaseListQuery(serializers.Serializer[Any]):
    status = choice_field(CaseStatus, required=False)
    category = choice_field(BeneficiaryCategory, required=False)
    nationality = serializers.CharField(required=False, max_length=3)
    registered_from = serializers.DateField(required=False)
    registered_to = serializers.DateField(required=False)
    q = serializers.CharField(required=False, max_length=200)
    page = serializers.IntegerField(required=False, min_value=1)
    page_size = serializers.IntegerField(required=False, min_value=1, max_value=500)


class ConsentIn(serializers.Serializer[Any]):
    scope = choice_field(ConsentScope)
    given = serializers.BooleanField()
    form = choice_field(Consent.Form)
    date = serializers.DateField()
    given_by = choice_field(Consent.GivenBy, required=False, default=Consent.GivenBy.PERSON)
    guardian_name = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=200
    )
    recipient_office = OfficeCodeField(required=False, allow_null=True, default=None)
    recipient_partner = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=200
    )
    shared_data = multi_choice(SharedData, allow_null=True, default=None)


class NoteIn(serializers.Serializer[Any]):
    text = serializers.CharField(max_length=10000)


class VersionIn(serializers.Serializer[Any]):
    version = serializers.IntegerField(min_value=1)


class ScreeningIn(VersionIn):
    submit = serializers.BooleanField(default=False)
    recruitment_date = serializers.DateField(required=False, allow_null=True)
    recruitment_methods = multi_choice(RecruitmentMethod)
    recruiter_relation = serializers.ChoiceField(
        choices=[("", "-"), *RecruiterRelation.choices], required=False
    )
    promised_job = serializers.CharField(required=False, allow_blank=True, max_length=2000)
    action_recruitment = serializers.BooleanField(required=False)
    action_transport = serializers.BooleanField(required=False)
    action_transfer = serializers.BooleanField(required=False)
    action_harbouring = serializers.BooleanField(required=False)
    action_receipt = serializers.BooleanField(required=False)
    means_of_control = multi_choice(MeansOfControl)
    exploitation_types = multi_choice(ExploitationType)
    labour_sectors = multi_choice(LabourSector)
    sexual_exploitation_types = multi_choice(SexualExploitationType)
    exploitation_start = serializers.DateField(required=False, allow_null=True)
    exploitation_end = serializers.DateField(required=False, allow_null=True)
    country_of_exploitation = serializers.CharField(
        required=False, allow_null=True, allow_blank=True, max_length=3
    )
    presumed_child = serializers.BooleanField(required=False)
    notes = serializers.CharField(required=False, allow_blank=True, max_length=10000)
    events = EventIO(many=True, required=False)


class DeterminationIn(VersionIn):
    outcome = choice_field(DeterminationOutcome)
    reasons = serializers.CharField(required=False, allow_blank=True, default="", max_length=5000)


class ReviewIn(serializers.Serializer[Any]):
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=5000)


class AssistanceIn(serializers.Serializer[Any]):
    service_type = choice_field(ServiceType)
    phase = choice_field(Phase)
    start_date = serializers.DateField()
    end_date = serializers.DateField(required=False, allow_null=True, default=None)
    provider_kind = choice_field(ProviderKind, required=False, default=ProviderKind.OFFICE)
    provider_name = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=200
    )
    amount = serializers.DecimalField(
        max_digits=12, decimal_places=2, required=False, allow_null=True, default=None
    )
    currency = serializers.CharField(required=False, allow_blank=True, default="", max_length=3)
    notes = serializers.CharField(required=False, allow_blank=True, default="", max_length=5000)


class CloseIn(VersionIn):
    reason = choice_field(ClosureReason)


# --- operations ------------------------------------------------------------------------------


def _detail(case_id: int, request: Request, *, status_code: int = status.HTTP_200_OK) -> Response:
    case = case_for_view(viewer=request.user, case_id=case_id)
    return Response(CaseDetailOut(case).data, status=status_code)


class CaseListView(ApiView):
    @extend_schema(parameters=[CaseListQuery], responses=CasePageOut, operation_id="cases_list")
    def get(self, request: Request) -> Response:
        query = _valid(CaseListQuery, request.query_params)
        filters = CaseFilters(
            status=query.get("status", ""),
            category=query.get("category", ""),
            nationality=query.get("nationality", ""),
            registered_from=query.get("registered_from"),
            registered_to=query.get("registered_to"),
            query=query.get("q", ""),
        )
        if scope_for(request.user, Perm.CASE_VIEW).empty:
            raise NotFound(_("Not found."))
        # As the web list pages it: a search counts from its ordered ids, and the page's rows
        # are read by id from the viewer's cases, without the search's filters again.
        paginator = Pagination(
            rows=case_list(viewer=request.user) if filters.searching else None,
            count_from_ids=filters.searching,
        )
        page = paginator.paginate_queryset(
            case_list(viewer=request.user, filters=filters), request, view=self
        )
        access_record(
            actor=request.user,
            office=None,
            action="search",
            target=("cases.case", "list"),
            metadata={"rows": len(page or []), "via": "api"},
        )
        return paginator.get_paginated_response(CaseSummaryOut(page, many=True).data)

    @extend_schema(
        request=CaseCreateIn, responses={201: CaseDetailOut}, operation_id="cases_create"
    )
    @idempotent
    def post(self, request: Request) -> Response:
        if scope_for(request.user, Perm.CASE_WORK).empty:
            raise NotFound(_("Not found."))
        data = _valid(CaseCreateIn, request.data)
        office: Office = data["office"]
        case = services.person_register_and_open_case(
            actor=request.user,
            office=office,
            person_data=dict(data["person"]),
            registration_date=data["registration_date"],
            referral_source=data["referral_source"],
            beneficiary_category=data["beneficiary_category"],
        )
        return _detail(case.pk, request, status_code=status.HTTP_201_CREATED)


class CaseDetailView(ApiView):
    @extend_schema(responses=CaseDetailOut, operation_id="cases_retrieve")
    def get(self, request: Request, case_id: int) -> Response:
        return _detail(case_id, request)


class ConsentCreateView(ApiView):
    @extend_schema(
        request=ConsentIn, responses={201: ConsentOut}, operation_id="cases_consents_create"
    )
    @idempotent
    def post(self, request: Request, case_id: int) -> Response:
        case = access_case(request.user, case_id)
        data = _valid(ConsentIn, request.data)
        consent = services.consent_record(actor=request.user, case=case, **data)
        return Response(ConsentOut(consent).data, status=status.HTTP_201_CREATED)


class ConsentWithdrawView(ApiView):
    @extend_schema(request=NoteIn, responses=ConsentOut, operation_id="cases_consents_withdraw")
    @idempotent
    def post(self, request: Request, case_id: int, consent_id: int) -> Response:
        case = access_case(request.user, case_id)
        consent = case.consents.filter(pk=consent_id).first()
        if consent is None:
            raise NotFound(_("Consent not found."))
        text = str(request.data.get("text", "")) if hasattr(request.data, "get") else ""
        consent = services.consent_withdraw(actor=request.user, consent=consent, note=text[:5000])
        return Response(ConsentOut(consent).data)


class NoteCreateView(ApiView):
    @extend_schema(request=NoteIn, responses={201: None}, operation_id="cases_notes_create")
    @idempotent
    def post(self, request: Request, case_id: int) -> Response:
        case = access_case(request.user, case_id)
        note = services.case_note_add(actor=request.user, case=case, **_valid(NoteIn, request.data))
        return Response({"id": note.pk}, status=status.HTTP_201_CREATED)


class ScreeningSaveView(ApiView):
    @extend_schema(
        request=ScreeningIn, responses={201: ScreeningOut}, operation_id="cases_screening_save"
    )
    @idempotent
    def post(self, request: Request, case_id: int) -> Response:
        case = access_case(request.user, case_id)
        data = _valid(ScreeningIn, request.data)
        version, submit = data.pop("version"), data.pop("submit")
        events = data.pop("events", None)
        if events is not None:
            events = [{**e, "country": e.pop("country_id")} for e in events]
        screening = screening_services.screening_save(
            actor=request.user,
            case=case,
            expected_version=version,
            data=data,
            events=events,
            submit=submit,
        )
        return Response(ScreeningOut(screening).data, status=status.HTTP_201_CREATED)


class DeterminationSuggestionView(ApiView):
    @extend_schema(responses=SuggestionOut, operation_id="cases_determination_suggestion")
    def get(self, request: Request, case_id: int) -> Response:
        case = access_case(request.user, case_id)
        screening = screening_services.latest_submitted(case)
        if screening is None:
            raise ValidationFailed(_("Submit the screening before asking for a determination."))
        suggestion = suggest(case, screening)
        return Response({"suggested_outcome": suggestion.outcome, "basis": suggestion.basis})


class DeterminationCreateView(ApiView):
    @extend_schema(
        request=DeterminationIn,
        responses={201: DeterminationOut},
        operation_id="cases_determinations_create",
    )
    @idempotent
    def post(self, request: Request, case_id: int) -> Response:
        case = access_case(request.user, case_id)
        data = _valid(DeterminationIn, request.data)
        determination = screening_services.determination_record(
            actor=request.user,
            case=case,
            expected_version=data["version"],
            outcome=data["outcome"],
            reasons=data["reasons"],
        )
        return Response(DeterminationOut(determination).data, status=status.HTTP_201_CREATED)


class DeterminationReviewView(ApiView):
    decision = "approve"

    @extend_schema(request=ReviewIn, responses=DeterminationOut)
    @idempotent
    def post(self, request: Request, case_id: int, determination_id: int) -> Response:
        case = access_case(request.user, case_id)
        determination = Determination.objects.filter(case=case, pk=determination_id).first()
        if determination is None:
            raise NotFound(_("Determination not found."))
        note = _valid(ReviewIn, request.data)["note"]
        if self.decision == "approve":
            determination = screening_services.determination_approve(
                actor=request.user, determination=determination, note=note
            )
        else:
            determination = screening_services.determination_return(
                actor=request.user, determination=determination, note=note
            )
        return Response(DeterminationOut(determination).data)


class AssistanceCreateView(ApiView):
    @extend_schema(
        request=AssistanceIn, responses={201: ServiceOut}, operation_id="cases_assistance_create"
    )
    @idempotent
    def post(self, request: Request, case_id: int) -> Response:
        case = access_case(request.user, case_id)
        service = assistance_record(
            actor=request.user, case=case, **_valid(AssistanceIn, request.data)
        )
        return Response(ServiceOut(service).data, status=status.HTTP_201_CREATED)


class CaseCloseView(ApiView):
    @extend_schema(request=CloseIn, responses=CaseSummaryOut, operation_id="cases_close")
    @idempotent
    def post(self, request: Request, case_id: int) -> Response:
        case = access_case(request.user, case_id)
        data = _valid(CloseIn, request.data)
        case = services.case_close(
            actor=request.user, case=case, reason=data["reason"], expected_version=data["version"]
        )
        return Response(CaseSummaryOut(case).data)


class CaseReopenView(ApiView):
    @extend_schema(request=VersionIn, responses=CaseSummaryOut, operation_id="cases_reopen")
    @idempotent
    def post(self, request: Request, case_id: int) -> Response:
        case = access_case(request.user, case_id)
        data = _valid(VersionIn, request.data)
        case = services.case_reopen(actor=request.user, case=case, expected_version=data["version"])
        return Response(CaseSummaryOut(case).data)
