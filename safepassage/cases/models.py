"""Persons and cases (instances of assistance), consent and case notes.

A Person belongs to the office that registered it: when a case is transferred, the receiving
office gets its own Person and Case carrying what consent allows, and record linkage (not a
shared row) says the two are one individual. Direct identifiers are encrypted at rest.
"""

from __future__ import annotations

import datetime as dt
from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from safepassage.core.fields import EncryptedDateField, EncryptedJSONField, EncryptedTextField
from safepassage.core.models import TimeStampedModel
from safepassage.offices.models import Office
from safepassage.reference.codes import Gender
from safepassage.reference.models import Country


class BirthDatePrecision(models.TextChoices):
    EXACT = "exact", _("Exact date")
    MONTH = "month", _("Month and year")
    YEAR = "year", _("Year only")
    ESTIMATED = "estimated", _("Estimated")
    UNKNOWN = "unknown", _("Unknown")


class ReportedAgeGroup(models.TextChoices):
    """Majority status as a source reports it when there is no date of birth (CTDC
    `majorityStatus`); the age-group figure falls back on it."""

    CHILD = "child", _("Child (under 18)")
    ADULT = "adult", _("Adult")


def display_name(given_names: str | None, family_names: str | None) -> str:
    """A person's name as pages show it."""
    return " ".join(part for part in (given_names, family_names) if part) or str(
        _("(no name recorded)")
    )


class Person(TimeStampedModel):
    office = models.ForeignKey(Office, on_delete=models.PROTECT, related_name="persons")
    # Names as the person writes them and in Latin script; both encrypted. Identifiers a
    # source never recorded (anonymised imports) are NULL and read as empty.
    given_names = EncryptedTextField(
        _("given names (Latin script)"), blank=True, null_reads_empty=True
    )
    family_names = EncryptedTextField(
        _("family names (Latin script)"), blank=True, null_reads_empty=True
    )
    given_names_original = EncryptedTextField(
        _("given names (original script)"), blank=True, null_reads_empty=True
    )
    family_names_original = EncryptedTextField(
        _("family names (original script)"), blank=True, null_reads_empty=True
    )
    aliases = EncryptedJSONField(
        _("other names and aliases"), default=list, blank=True, null_reads_empty=True
    )
    sex = models.CharField(
        _("sex / gender"), max_length=24, choices=Gender.choices, default=Gender.UNKNOWN
    )
    birth_date = EncryptedDateField(_("date of birth"), null=True, blank=True)
    birth_date_precision = models.CharField(
        _("precision of the date of birth"),
        max_length=12,
        choices=BirthDatePrecision.choices,
        default=BirthDatePrecision.UNKNOWN,
    )
    birth_place = EncryptedTextField(_("place of birth"), blank=True, null_reads_empty=True)
    # Indexed in Meta: a plain btree only, without the pattern-ops twin Django adds to a
    # key on a text primary key (countries are matched by equality, never by LIKE).
    citizenship = models.ForeignKey(
        Country,
        verbose_name=_("citizenship"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("First citizenship; counts as nationality in statistics."),
        db_index=False,
    )
    other_citizenships = models.JSONField(
        _("other citizenships (ISO alpha-3)"), default=list, blank=True
    )
    languages = models.JSONField(_("languages (ISO 639)"), default=list, blank=True)
    phone = EncryptedTextField(_("phone"), blank=True, null_reads_empty=True)
    email = EncryptedTextField(_("email"), blank=True, null_reads_empty=True)
    address = EncryptedTextField(_("address"), blank=True, null_reads_empty=True)
    # What anonymised sources (CTDC) report instead of a date of birth and a country.
    reported_age_group = models.CharField(
        _("reported age group"),
        max_length=8,
        choices=ReportedAgeGroup.choices,
        blank=True,
        help_text=_("Majority status at registration as reported, when no date of birth is known."),
    )
    reported_age_band = models.CharField(
        _("reported age band"), max_length=8, blank=True, help_text=_("CTDC ageBroad, e.g. 9--17.")
    )
    citizenship_region = models.CharField(
        _("region of citizenship (UN)"),
        max_length=24,
        blank=True,
        help_text=_("When only the UN region is known (CTDC victim-perpetrator data)."),
    )

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("persons")
        indexes = [
            # With the id: the persons of a nationality in id order, from the index alone, for
            # the case list's nationality filter to merge with the cases' person index.
            models.Index(fields=["citizenship", "id"], name="person_citizenship"),
        ]

    def __str__(self) -> str:
        return f"person {self.pk}"

    @property
    def display_name(self) -> str:
        return display_name(self.given_names, self.family_names)

    @property
    def citizenships(self) -> list[str]:
        first = [self.citizenship_id] if self.citizenship_id else []
        return [*first, *[c for c in self.other_citizenships if c not in first]]

    def latest_possible_birth_date(self) -> dt.date | None:
        """The latest date the person may have been born, given the recorded precision; used so
        that an uncertain age resolves in favour of child protection."""
        born: dt.date | None = self.birth_date
        if born is None or self.birth_date_precision == BirthDatePrecision.UNKNOWN:
            return None
        if self.birth_date_precision == BirthDatePrecision.YEAR:
            return dt.date(born.year, 12, 31)
        if self.birth_date_precision == BirthDatePrecision.MONTH:
            next_month = dt.date(born.year + born.month // 12, born.month % 12 + 1, 1)
            return next_month - dt.timedelta(days=1)
        return born


class PersonNameKey(models.Model):
    """Blind-indexed name keys for search-before-create: keyed hashes of each folded name token
    and of its consonant skeleton, so likely matches are found without decrypting every row."""

    # No single-column indexes: every lookup by person or by office (including the deletes
    # that cascade) is served by the leading column of the unique (person, key) and of the
    # (office, key) index below.
    person = models.ForeignKey(
        Person, on_delete=models.CASCADE, related_name="name_keys", db_index=False
    )
    office = models.ForeignKey(Office, on_delete=models.CASCADE, related_name="+", db_index=False)
    key = models.CharField(max_length=64)

    class Meta:
        indexes = [
            # The person rides along in the index: a search reads a common name's thousands of
            # persons from the index alone, not from as many heap pages (140 ms against 10).
            models.Index(fields=["office", "key", "person"], name="person_namekey_lookup"),
            # A viewer who sees every office (headquarters) looks keys up without an office;
            # (office, key) cannot serve that: 0.6 s over 4.4 million keys, against a few ms.
            models.Index(fields=["key"], name="person_namekey_key"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["person", "key"], name="person_namekey_unique")
        ]

    def __str__(self) -> str:
        return f"name key of person {self.person_id}"


class IdentityDocument(TimeStampedModel):
    class Kind(models.TextChoices):
        PASSPORT = "passport", _("Passport")
        NATIONAL_ID = "national_id", _("National identity card")
        BIRTH_CERTIFICATE = "birth_certificate", _("Birth certificate")
        TRAVEL_DOCUMENT = "travel_document", _("Travel document")
        RESIDENCE_PERMIT = "residence_permit", _("Residence permit")
        OTHER = "other", _("Other")

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="documents")
    kind = models.CharField(_("kind"), max_length=24, choices=Kind.choices)
    number = EncryptedTextField(_("number"))
    number_index = models.CharField(max_length=64, db_index=True, editable=False)
    issuing_country = models.ForeignKey(
        Country,
        verbose_name=_("issued by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    expiry_date = EncryptedDateField(_("expiry date"), null=True, blank=True)
    held_by_person = models.BooleanField(
        _("in the person's possession"),
        default=True,
        help_text=_("Untick when the document is withheld (e.g. by an exploiter)."),
    )

    def __str__(self) -> str:
        return f"{self.kind} of person {self.person_id}"


class ReferralSource(models.TextChoices):
    SELF = "self", _("Self-referred")
    POLICE = "police", _("Police / law enforcement")
    IMMIGRATION = "immigration", _("Immigration or border authority")
    GOVERNMENT = "government", _("Other government agency")
    NGO = "ngo", _("NGO")
    HOTLINE = "hotline", _("Hotline")
    OTHER_OFFICE = "other_office", _("Another office of the organisation")
    EMBASSY = "embassy", _("Embassy or consulate")
    HEALTH = "health", _("Health service")
    COMMUNITY = "community", _("Family, friends or community")
    INTERNATIONAL = "international", _("International organisation")
    OTHER = "other", _("Other")


class BeneficiaryCategory(models.TextChoices):
    VOT = "vot", _("Victim of trafficking")
    PRESUMED_VOT = "presumed_vot", _("Presumed victim of trafficking")
    EXPLOITED_MIGRANT = "exploited_migrant", _("Exploited or abused migrant")
    UNACCOMPANIED_CHILD = "unaccompanied_child", _("Unaccompanied or separated migrant child")
    STRANDED_MIGRANT = "stranded_migrant", _("Stranded migrant")
    VICTIM_OF_VIOLENCE = "victim_of_violence", _("Migrant victim of violence")
    HEALTH_NEEDS = "health_needs", _("Migrant with health needs")
    OTHER_VULNERABLE = "other_vulnerable", _("Other vulnerable migrant")


# Categories served under the needs-first approach: assistance may start without (or before)
# identification as a victim of trafficking.
NEEDS_FIRST_CATEGORIES = frozenset(
    {
        BeneficiaryCategory.PRESUMED_VOT,
        BeneficiaryCategory.EXPLOITED_MIGRANT,
        BeneficiaryCategory.UNACCOMPANIED_CHILD,
        BeneficiaryCategory.STRANDED_MIGRANT,
        BeneficiaryCategory.VICTIM_OF_VIOLENCE,
        BeneficiaryCategory.HEALTH_NEEDS,
        BeneficiaryCategory.OTHER_VULNERABLE,
    }
)


class CaseStatus(models.TextChoices):
    REGISTERED = "registered", _("Registered")
    SCREENED = "screened", _("Screened")
    ASSISTED = "assisted", _("Receiving assistance")
    RETURNING = "returning", _("Return in progress")
    INTEGRATING = "integrating", _("Local integration")
    MONITORING = "monitoring", _("Reintegration monitoring")
    CLOSED = "closed", _("Closed")


class ClosureReason(models.TextChoices):
    ASSISTANCE_COMPLETED = "assistance_completed", _("Assistance completed")
    REINTEGRATED = "reintegrated", _("Reintegration completed")
    TRANSFERRED = "transferred", _("Transferred to another office")
    REFERRED = "referred", _("Referred to a partner")
    NOT_ELIGIBLE = "not_eligible", _("Not eligible")
    DECLINED = "declined", _("Person declined further assistance")
    LOST_CONTACT = "lost_contact", _("Lost contact")
    DECEASED = "deceased", _("Deceased")
    OTHER = "other", _("Other")


class Case(TimeStampedModel):
    """One instance of assistance: one person assisted by one office."""

    # The office is the leading column of the reference constraint and of both list indexes
    # in Meta, which serve every lookup by office: no index of its own.
    office = models.ForeignKey(
        Office, on_delete=models.PROTECT, related_name="cases", db_index=False
    )
    # Indexed with the office (Meta.indexes, case_person_office).
    person = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="cases", db_index=False
    )
    reference = models.CharField(_("reference"), max_length=40)
    registration_date = models.DateField(_("registration date"), db_index=True)
    registration_period = models.CharField(
        _("reported registration period"),
        max_length=16,
        blank=True,
        help_text=_(
            "Blank when the registration date is known. For imported rows: the year ('2019'), a "
            "band of years ('2014-2018') or 'unknown'; the date then holds the first day of the "
            "period (the import day when unknown) and the case has no reporting year."
        ),
    )
    referral_source = models.CharField(
        _("referred by"), max_length=16, choices=ReferralSource.choices
    )
    beneficiary_category = models.CharField(
        _("beneficiary category"), max_length=24, choices=BeneficiaryCategory.choices
    )
    assistance_country = models.ForeignKey(
        Country,
        verbose_name=_("country of assistance"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_(
            "The office's country, except for imported CTDC rows (their country of exploitation, "
            "empty when unknown)."
        ),
        db_index=False,  # a plain btree in Meta, without the pattern-ops twin (no LIKE on it)
    )
    import_batch = models.ForeignKey(
        "interop.ImportBatch",
        verbose_name=_("imported by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="cases",
        # No index: no query looks cases up by their import (a batch's cases are its id
        # range, first_case_id to last_case_id) and batches are never deleted, while an index
        # would cost every imported row an entry.
        db_index=False,
    )
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("caseworker"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assigned_cases",
        db_index=False,  # indexed only where set, in Meta
    )
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=CaseStatus.choices,
        default=CaseStatus.REGISTERED,
        db_index=False,  # a plain btree in Meta, without the pattern-ops twin (no LIKE on it)
    )
    status_before_closure = models.CharField(max_length=16, choices=CaseStatus.choices, blank=True)
    closure_reason = models.CharField(
        _("closure reason"), max_length=24, choices=ClosureReason.choices, blank=True
    )
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    # Set only while a closure awaits approval: indexed in Meta for those rows alone.
    closure_requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
    )
    closure_requested_reason = models.CharField(
        max_length=24, choices=ClosureReason.choices, blank=True
    )
    version = models.PositiveIntegerField(
        default=1, help_text=_("Incremented on every change; guards concurrent edits.")
    )

    class Meta:
        ordering = ["-registration_date", "-pk"]
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        constraints = [
            models.UniqueConstraint(
                fields=["office", "reference"], name="case_reference_unique_per_office"
            )
        ]
        indexes = [
            # Status and category, the list's filters, read from the index alone (counting a
            # filtered list: a sequential scan of 11 ms against 0.4 ms).
            models.Index(
                fields=["office", "status", "beneficiary_category"], name="case_office_status"
            ),
            # The list's whole ordering, so that a page's ids come from the index alone, with
            # no sort of the rows skipped before it (page 30: 15 ms against 1). The person
            # rides along (PostgreSQL; SQLite leaves it out): a search on a common name walks
            # the office's cases newest first and keeps those of the matching persons from the
            # index alone, instead of looking up every matching person's cases and sorting
            # them (9,700 persons of a 400,000-case office: 10 ms against 50).
            models.Index(
                fields=["office", "-registration_date", "-id"],
                include=["person"],
                name="case_office_registered",
            ),
            # A person's cases, and with the office from the index alone: the list filtered
            # by nationality merges it with the persons of that nationality (counting 2,000
            # cases of an office of 400,000: 36 ms through the tables, 4 ms through indexes).
            models.Index(fields=["person", "office"], name="case_person_office"),
            # Headquarters lists filter on status across offices.
            models.Index(fields=["status"], name="case_status"),
            models.Index(fields=["assistance_country"], name="case_assistance_country"),
            # The approval queue (closure requested) and a requester's deletion (SET_NULL)
            # look up only the few cases with a pending request; every other case, and every
            # imported row, adds no entry.
            models.Index(
                fields=["closure_requested_by"],
                condition=models.Q(closure_requested_by__isnull=False),
                name="case_closure_requested",
            ),
            # "Assigned to" lists and a caseworker's deletion (SET_NULL) look cases up by a
            # caseworker; unassigned cases (every imported row) add no entry.
            models.Index(
                fields=["assigned_to"],
                condition=models.Q(assigned_to__isnull=False),
                name="case_assigned_to",
            ),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def reporting_year(self) -> int | None:
        """The year the case counts in; None for imported rows known only to a band of years."""
        if self.registration_period and not self.registration_period.isdigit():
            return None
        return self.registration_date.year

    @property
    def is_closed(self) -> bool:
        return self.status == CaseStatus.CLOSED


class ConsentScope(models.TextChoices):
    INTERVIEW = "interview", _("Screening interview")
    ASSISTANCE = "assistance", _("Receiving assistance")
    DATA_COLLECTION = "data_collection", _("Collection and storage of personal data")
    SHARING_OFFICE = "sharing_office", _("Sharing with a named office")
    SHARING_PARTNER = "sharing_partner", _("Sharing with a named partner")
    RETURN = "return", _("Voluntary return")
    RESEARCH = "research", _("Anonymised research use")


class SharedData(models.TextChoices):
    """What a consent to share with an office or partner covers."""

    IDENTITY = "identity", _("Identity (names, date of birth, documents, contacts)")
    SCREENING_SUMMARY = "screening_summary", _("Screening summary (route, means, exploitation)")
    ASSISTANCE_HISTORY = "assistance_history", _("Assistance history")


class Consent(TimeStampedModel):
    class Form(models.TextChoices):
        WRITTEN = "written", _("Written (signed form)")
        VERBAL = "verbal", _("Verbal (witnessed)")

    class GivenBy(models.TextChoices):
        PERSON = "person", _("The person")
        GUARDIAN = "guardian", _("Parent or legal guardian")

    RECIPIENT_SCOPES: ClassVar[frozenset[str]] = frozenset(
        {ConsentScope.SHARING_OFFICE, ConsentScope.SHARING_PARTNER}
    )

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="consents")
    scope = models.CharField(_("scope"), max_length=24, choices=ConsentScope.choices)
    given = models.BooleanField(_("consent given"), help_text=_("Untick to record a refusal."))
    form = models.CharField(_("form"), max_length=8, choices=Form.choices)
    given_by = models.CharField(
        _("given by"), max_length=8, choices=GivenBy.choices, default=GivenBy.PERSON
    )
    guardian_name = EncryptedTextField(_("guardian's name"), blank=True)
    recipient_office = models.ForeignKey(
        Office,
        verbose_name=_("office data may be shared with"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    recipient_partner = models.CharField(
        _("partner data may be shared with"), max_length=200, blank=True
    )
    shared_data = models.JSONField(
        _("data that may be shared"),
        default=list,
        blank=True,
        help_text=_("For sharing consents: which parts of the record the recipient may receive."),
    )
    date = models.DateField(_("date"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    withdrawn_at = models.DateTimeField(_("withdrawn"), null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    withdrawal_note = EncryptedTextField(_("withdrawal note"), blank=True)

    class Meta:
        ordering = ["-date", "-pk"]
        verbose_name = _("consent")
        verbose_name_plural = _("consents")

    def __str__(self) -> str:
        return f"{self.scope} consent on case {self.case_id}"

    @property
    def active(self) -> bool:
        return self.given and self.withdrawn_at is None


class CaseNote(TimeStampedModel):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    text = EncryptedTextField(_("note"))

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"note on case {self.case_id}"


class CaseReferenceCounter(models.Model):
    """Next reference number per office and year, locked when a case opens."""

    office = models.ForeignKey(Office, on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["office", "year"], name="case_counter_unique")
        ]

    def __str__(self) -> str:
        return f"{self.office_id}/{self.year}: {self.last}"
