"""Web forms for case work. They parse and shape input for the services; the rules (what is
required when, who may do what) live in the services."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from safepassage.assistance.models import Phase, ProviderKind, ServiceType
from safepassage.cases.models import (
    BeneficiaryCategory,
    BirthDatePrecision,
    CaseStatus,
    ClosureReason,
    Consent,
    ConsentScope,
    IdentityDocument,
    ReferralSource,
)
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
from safepassage.reference.countries import country_choices
from safepassage.screening.models import ACTION_FIELDS, DeterminationOutcome, Screening
from safepassage.web.widgets import LongSelect

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
ROUTE_STAGES = 6


def _countries(blank: str = "") -> list[tuple[str, str]]:
    return [("", blank or "-"), *country_choices()]


def _lines(text: str) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def _codes(text: str) -> list[str]:
    return [code.strip() for code in (text or "").replace(",", " ").split() if code.strip()]


def _narrow(field: forms.Field) -> forms.ModelChoiceField[Any]:
    assert isinstance(field, forms.ModelChoiceField)  # noqa: S101  # narrows the type
    return field


class VersionedForm(forms.Form):
    """Carries the case version the user saw, passed to services as `expected_version`."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


# --- list ------------------------------------------------------------------------------------


class ListedChoiceIterator(forms.models.ModelChoiceIterator):
    """The choices read by one plain query. Django's iterator reads them through a server-side
    cursor (on PostgreSQL outside a transaction: DECLARE, FETCH and CLOSE of a cursor WITH
    HOLD), three round trips for the few dozen users of a filter."""

    def __iter__(self) -> Any:
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        for obj in self.queryset:
            yield self.choice(obj)


class ListedModelChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]  # any model
    iterator = ListedChoiceIterator


class CaseFilterForm(forms.Form):
    q = forms.CharField(label=_("Reference or name"), required=False, max_length=200)
    # Every select of the list's filters is written directly (LongSelect): rendered through
    # Django's templates, the filters took a third of a list page's time.
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("any")), *CaseStatus.choices],
        widget=LongSelect,
    )
    category = forms.ChoiceField(
        label=_("Category"),
        required=False,
        choices=[("", _("any")), *BeneficiaryCategory.choices],
        widget=LongSelect,
    )
    caseworker: forms.ModelChoiceField[Any] = ListedModelChoiceField(
        label=_("Caseworker"),
        required=False,
        queryset=None,
        empty_label=_("any"),
        widget=LongSelect,
    )
    nationality = forms.ChoiceField(
        label=_("Nationality"), required=False, choices=(), widget=LongSelect
    )
    registered_from = forms.DateField(label=_("Registered from"), required=False, widget=DATE)
    registered_to = forms.DateField(label=_("Registered until"), required=False, widget=DATE)

    def __init__(self, *args: Any, caseworkers: QuerySet[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _narrow(self.fields["caseworker"]).queryset = caseworkers
        nationality = self.fields["nationality"]
        assert isinstance(nationality, forms.ChoiceField)  # noqa: S101  # narrows the type
        nationality.choices = _countries(str(_("any")))


# --- registration ----------------------------------------------------------------------------


class OfficeChoiceMixin(forms.Form):
    office = forms.ModelChoiceField(label=_("Office"), queryset=Office.objects.none())

    only_office: Office | None = None

    def set_offices(self, offices: QuerySet[Office]) -> None:
        field = _narrow(self.fields["office"])
        field.queryset = offices
        if len(offices) == 1:
            # Someone working at one office does not choose it.
            self.only_office = offices[0]
            field.initial = self.only_office.pk
            field.required = False
            field.widget = forms.HiddenInput()

    def clean_office(self) -> Office | None:
        office: Office | None = self.cleaned_data.get("office")
        return office or self.only_office


class PersonSearchForm(OfficeChoiceMixin):
    given_names = forms.CharField(label=_("Given names"), required=False, max_length=200)
    family_names = forms.CharField(label=_("Family names"), required=False, max_length=200)
    birth_year = forms.IntegerField(
        label=_("Year of birth"), required=False, min_value=1900, max_value=2100
    )
    field_order = ("given_names", "family_names", "birth_year", "office")

    def __init__(self, *args: Any, offices: QuerySet[Office], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.set_offices(offices)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if not (cleaned.get("given_names") or cleaned.get("family_names")):
            raise forms.ValidationError(_("Type at least a given or a family name."))
        return cleaned


class CaseOpenForm(forms.Form):
    registration_date = forms.DateField(label=_("Registration date"), widget=DATE)
    # No preselected value: the category drives the determination rule and statistics.
    referral_source = forms.ChoiceField(
        label=_("Referred by"), choices=[("", "-"), *ReferralSource.choices]
    )
    beneficiary_category = forms.ChoiceField(
        label=_("Beneficiary category"), choices=[("", "-"), *BeneficiaryCategory.choices]
    )
    assigned_to: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        label=_("Assigned caseworker"), required=False, queryset=None
    )

    def __init__(self, *args: Any, caseworkers: QuerySet[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _narrow(self.fields["assigned_to"]).queryset = caseworkers

    def case_kwargs(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "registration_date": data["registration_date"],
            "referral_source": data["referral_source"],
            "beneficiary_category": data["beneficiary_category"],
            "assigned_to": data["assigned_to"],
        }


class PersonForm(forms.Form):
    given_names = forms.CharField(label=_("Given names (Latin script)"), required=False)
    family_names = forms.CharField(label=_("Family names (Latin script)"), required=False)
    given_names_original = forms.CharField(label=_("Given names (original script)"), required=False)
    family_names_original = forms.CharField(
        label=_("Family names (original script)"), required=False
    )
    aliases = forms.CharField(
        label=_("Other names and aliases"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("One per line."),
    )
    sex = forms.ChoiceField(label=_("Sex / gender"), choices=Gender.choices, initial=Gender.UNKNOWN)
    birth_date = forms.DateField(label=_("Date of birth"), required=False, widget=DATE)
    birth_date_precision = forms.ChoiceField(
        label=_("Precision of the date of birth"),
        choices=BirthDatePrecision.choices,
        initial=BirthDatePrecision.EXACT,
        help_text=_("For a year only, enter 1 January of that year and choose 'Year only'."),
    )
    birth_place = forms.CharField(label=_("Place of birth"), required=False)
    citizenship = forms.ChoiceField(label=_("Citizenship"), required=False, choices=())
    other_citizenships = forms.MultipleChoiceField(
        label=_("Other citizenships"), required=False, choices=()
    )
    languages = forms.CharField(
        label=_("Languages"), required=False, help_text=_("ISO 639 codes, e.g. uk ru en.")
    )
    phone = forms.CharField(label=_("Phone"), required=False)
    email = forms.EmailField(label=_("Email"), required=False)
    address = forms.CharField(
        label=_("Address"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    document_kind = forms.ChoiceField(
        label=_("Identity document"),
        required=False,
        choices=[("", _("none recorded")), *IdentityDocument.Kind.choices],
    )
    document_number = forms.CharField(label=_("Document number"), required=False)
    document_country = forms.ChoiceField(label=_("Issued by"), required=False, choices=())

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        countries = _countries()
        for name in ("citizenship", "document_country"):
            field = self.fields[name]
            assert isinstance(field, forms.ChoiceField)  # noqa: S101  # narrows the type
            field.choices = countries
        others = self.fields["other_citizenships"]
        assert isinstance(others, forms.MultipleChoiceField)  # noqa: S101  # narrows the type
        others.choices = countries[1:]
        others.widget.attrs["size"] = 4

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("document_kind") and not cleaned.get("document_number"):
            self.add_error("document_number", _("Give the document number."))
        return cleaned

    def person_data(self) -> dict[str, Any]:
        data = self.cleaned_data
        birth_date: dt.date | None = data["birth_date"]
        return {
            "given_names": data["given_names"],
            "family_names": data["family_names"],
            "given_names_original": data["given_names_original"],
            "family_names_original": data["family_names_original"],
            "aliases": _lines(data["aliases"]),
            "sex": data["sex"],
            "birth_date": birth_date,
            "birth_date_precision": data["birth_date_precision"]
            if birth_date
            else BirthDatePrecision.UNKNOWN,
            "birth_place": data["birth_place"],
            "citizenship": data["citizenship"] or None,
            "other_citizenships": list(data["other_citizenships"]),
            "languages": _codes(data["languages"]),
            "phone": data["phone"],
            "email": data["email"],
            "address": data["address"],
        }

    def documents(self) -> list[dict[str, Any]]:
        data = self.cleaned_data
        if not data.get("document_kind"):
            return []
        return [
            {
                "kind": data["document_kind"],
                "number": data["document_number"],
                "issuing_country": data["document_country"] or None,
            }
        ]


class RegisterForm(OfficeChoiceMixin, PersonForm, CaseOpenForm):
    """A new person and their first case, on one page."""

    def __init__(
        self,
        *args: Any,
        offices: QuerySet[Office],
        caseworkers: QuerySet[Any],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, caseworkers=caseworkers, **kwargs)
        self.set_offices(offices)

    person_fields = tuple(PersonForm.base_fields)
    case_fields = ("office", *CaseOpenForm.base_fields)

    def person_part(self) -> list[forms.BoundField]:
        return [self[name] for name in self.person_fields]

    def case_part(self) -> list[forms.BoundField]:
        return [self[name] for name in self.case_fields if not self[name].is_hidden]


# --- screening -------------------------------------------------------------------------------


def _checkboxes(label: Any, choices: Any) -> forms.MultipleChoiceField:
    return forms.MultipleChoiceField(
        label=label, required=False, choices=choices, widget=forms.CheckboxSelectMultiple
    )


class ScreeningForm(VersionedForm):
    # Recruitment
    recruitment_date = forms.DateField(label=_("Date of recruitment"), required=False, widget=DATE)
    recruitment_methods = _checkboxes(_("How the person was recruited"), RecruitmentMethod.choices)
    recruiter_relation = forms.ChoiceField(
        label=_("Relation to the recruiter"),
        required=False,
        choices=[("", "-"), *RecruiterRelation.choices],
    )
    promised_job = forms.CharField(label=_("Job or opportunity promised"), required=False)
    # Action
    action_recruitment = forms.BooleanField(label=_("Recruited"), required=False)
    action_transport = forms.BooleanField(label=_("Transported"), required=False)
    action_transfer = forms.BooleanField(label=_("Transferred"), required=False)
    action_harbouring = forms.BooleanField(label=_("Harboured"), required=False)
    action_receipt = forms.BooleanField(label=_("Received"), required=False)
    # Means
    means_of_control = _checkboxes(_("Means of control"), MeansOfControl.choices)
    # Purpose
    exploitation_types = _checkboxes(_("Types of exploitation"), ExploitationType.choices)
    labour_sectors = _checkboxes(_("Sectors of forced labour"), LabourSector.choices)
    sexual_exploitation_types = _checkboxes(
        _("Types of sexual exploitation"), SexualExploitationType.choices
    )
    exploitation_start = forms.DateField(label=_("Exploitation began"), required=False, widget=DATE)
    exploitation_end = forms.DateField(label=_("Exploitation ended"), required=False, widget=DATE)
    country_of_exploitation = forms.ChoiceField(
        label=_("Country of exploitation (last)"),
        required=False,
        choices=(),
        help_text=_("Left empty, the last exploitation stage of the route is used."),
    )
    presumed_child = forms.BooleanField(
        label=_("Presumed to be a child"),
        required=False,
        help_text=_(
            "Age is uncertain and there are reasons to believe the person was under 18 when recruited."
        ),
    )
    notes = forms.CharField(
        label=_("Interview notes"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )

    sections = (
        (
            _("Recruitment"),
            ("recruitment_date", "recruitment_methods", "recruiter_relation", "promised_job"),
        ),
        (_("Action"), ACTION_FIELDS),
        (_("Means"), ("means_of_control",)),
        (
            _("Purpose"),
            (
                "exploitation_types",
                "labour_sectors",
                "sexual_exploitation_types",
                "exploitation_start",
                "exploitation_end",
                "country_of_exploitation",
            ),
        ),
        (_("Age and notes"), ("presumed_child", "notes")),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["country_of_exploitation"]
        assert isinstance(field, forms.ChoiceField)  # noqa: S101  # narrows the type
        field.choices = _countries()

    def grouped(self) -> list[tuple[Any, list[forms.BoundField]]]:
        return [(title, [self[name] for name in names]) for title, names in self.sections]

    def screening_data(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data.pop("version", None)
        data["country_of_exploitation"] = data.get("country_of_exploitation") or None
        return data

    @staticmethod
    def initial_from(screening: Screening | None) -> dict[str, Any]:
        if screening is None:
            return {}
        initial = {
            name: getattr(screening, name)
            for name in ScreeningForm.base_fields
            if name != "version"
        }
        initial["country_of_exploitation"] = screening.country_of_exploitation_id or ""
        return initial


class RouteStageForm(forms.Form):
    type = forms.ChoiceField(
        label=_("Stage"), required=False, choices=[("", "-"), *TraffickingEventType.choices]
    )
    country = forms.ChoiceField(label=_("Country"), required=False, choices=())
    place = forms.CharField(label=_("Place"), required=False)
    start_date = forms.DateField(label=_("From"), required=False, widget=DATE)
    end_date = forms.DateField(label=_("Until"), required=False, widget=DATE)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["country"]
        assert isinstance(field, forms.ChoiceField)  # noqa: S101  # narrows the type
        field.choices = _countries()


RouteFormSet = forms.formset_factory(
    RouteStageForm, extra=0, max_num=ROUTE_STAGES, absolute_max=ROUTE_STAGES, validate_max=True
)


def route_formset(data: Any = None, screening: Screening | None = None) -> Any:
    """Up to six route stages: the saved ones, then empty rows."""
    initial = (
        [
            {
                "type": event.type,
                "country": event.country_id,
                "place": event.place,
                "start_date": event.start_date,
                "end_date": event.end_date,
            }
            for event in screening.events.all()
        ]
        if screening is not None
        else []
    )
    formset = RouteFormSet(data, initial=initial, prefix="route")
    if data is None:
        formset.extra = ROUTE_STAGES - len(initial)
    return formset


def route_events(formset: Any) -> list[dict[str, Any]]:
    """Rows the user filled in (empty rows are ignored)."""
    return [
        dict(form.cleaned_data)
        for form in formset.forms
        if form.cleaned_data and any(form.cleaned_data.values())
    ]


# --- determination ---------------------------------------------------------------------------


class DeterminationForm(VersionedForm):
    outcome = forms.ChoiceField(
        label=_("Decision"), choices=DeterminationOutcome.choices, widget=forms.RadioSelect
    )
    reasons = forms.CharField(
        label=_("Reasons"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required when your decision differs from the rule's suggestion."),
    )


class ReviewForm(forms.Form):
    note = forms.CharField(
        label=_("Note to the caseworker"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Required to return a determination for revision."),
    )


# --- consent, assistance, notes, closure -----------------------------------------------------


class ConsentForm(forms.Form):
    scope = forms.ChoiceField(label=_("Scope"), choices=ConsentScope.choices)
    given = forms.TypedChoiceField(
        label=_("Decision"),
        choices=[("1", _("Consent given")), ("0", _("Consent refused"))],
        coerce=lambda value: value == "1",
        widget=forms.RadioSelect,
        initial="1",
    )
    form = forms.ChoiceField(label=_("Form"), choices=Consent.Form.choices)
    given_by = forms.ChoiceField(
        label=_("Given by"), choices=Consent.GivenBy.choices, initial=Consent.GivenBy.PERSON
    )
    guardian_name = forms.CharField(label=_("Guardian's name"), required=False)
    recipient_office = forms.ModelChoiceField(
        label=_("Office data may be shared with"),
        required=False,
        queryset=Office.objects.filter(is_active=True),
        help_text=_("For sharing with a named office."),
    )
    recipient_partner = forms.CharField(
        label=_("Partner data may be shared with"),
        required=False,
        help_text=_("For sharing with a named partner."),
    )
    date = forms.DateField(label=_("Date"), widget=DATE)


class WithdrawForm(forms.Form):
    note = forms.CharField(label=_("Withdrawal note"), required=False)


class AssistanceForm(forms.Form):
    service_type = forms.ChoiceField(label=_("Service"), choices=ServiceType.choices)
    phase = forms.ChoiceField(label=_("Phase"), choices=Phase.choices)
    provider_kind = forms.ChoiceField(label=_("Provided by"), choices=ProviderKind.choices)
    provider_name = forms.CharField(label=_("Provider"), required=False, max_length=200)
    start_date = forms.DateField(label=_("From"), widget=DATE)
    end_date = forms.DateField(label=_("Until"), required=False, widget=DATE)
    amount = forms.DecimalField(
        label=_("Amount"), required=False, max_digits=12, decimal_places=2, min_value=0
    )
    currency = forms.CharField(
        label=_("Currency"), required=False, max_length=3, help_text=_("ISO 4217, e.g. USD.")
    )
    notes = forms.CharField(
        label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class NoteForm(forms.Form):
    text = forms.CharField(label=_("Note"), widget=forms.Textarea(attrs={"rows": 3}))


class CloseForm(VersionedForm):
    reason = forms.ChoiceField(label=_("Reason for closing"), choices=ClosureReason.choices)
