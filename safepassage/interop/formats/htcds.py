"""HTCDS 2.0 tabular: one row per case, HTCDS field names as headers plus SafePassage's
extensions (cas_*, vic_CountryOfExploitation...), ';' between the values of a multi-select.
The person's identifiers (names, date of birth) are the only personal columns."""

from __future__ import annotations

from typing import ClassVar

from safepassage.cases.models import BeneficiaryCategory, BirthDatePrecision, ReferralSource
from safepassage.interop.formats.base import UNKNOWN_PERIOD, Format, Record, RowParser
from safepassage.reference.codes import (
    ExploitationType,
    Gender,
    LabourSector,
    MeansOfControl,
    RecruiterRelation,
    SexualExploitationType,
)

IDENTIFIER_COLUMNS = ("prs_FirstName", "prs_SecondName", "prs_Birthdate", "prs_BirthdatePrecision")
_choices = dict.fromkeys


class Htcds(Format):
    key: ClassVar[str] = "htcds"
    label: ClassVar[str] = "HTCDS 2.0 tabular (CSV or XLSX)"
    reference_prefix: ClassVar[str] = "HTCDS"
    carries_identifiers: ClassVar[bool] = True
    reference_column: ClassVar[str | None] = "cas_Reference"
    columns: ClassVar[tuple[str, ...]] = (
        "cas_Reference",
        "cas_Office",
        "cas_RegistrationDate",
        "cas_RegistrationPeriod",
        "cas_ReferralSource",
        "cas_BeneficiaryCategory",
        "cas_AssistanceCountry",
        *IDENTIFIER_COLUMNS,
        "prs_Gender",
        "prs_Citizenship",
        "prs_ReportedAgeGroup",
        "prs_ReportedAgeBand",
        "vic_MethodsOfControl",
        "vic_TypeOfExploitation",
        "vic_ForcedLabourSector",
        "vic_TypeOfSexExploitation",
        "vic_RecruiterRelation",
        "vic_CountryOfExploitation",
    )
    optional_columns: ClassVar[frozenset[str]] = frozenset(set(columns) - {"cas_RegistrationDate"})

    def parse(self, row: dict[str, str], parser: RowParser) -> Record:
        get = row.get
        record = Record(reference=(get("cas_Reference") or "").strip())
        if len(record.reference) > 40:
            parser.fail("cas_Reference", record.reference, "longer than 40 characters")
        record.registration_date = parser.date(
            "cas_RegistrationDate", get("cas_RegistrationDate") or ""
        )
        if record.registration_date is None and not (get("cas_RegistrationDate") or ""):
            parser.fail("cas_RegistrationDate", "", "a registration date is required")
        period = (get("cas_RegistrationPeriod") or "").strip()
        if period:
            _start, normalised = parser.year_period("cas_RegistrationPeriod", period)
            if normalised == UNKNOWN_PERIOD and period != UNKNOWN_PERIOD:
                pass
            record.registration_period = normalised if period != UNKNOWN_PERIOD else UNKNOWN_PERIOD
        record.referral_source = (
            parser.choice(
                "cas_ReferralSource",
                get("cas_ReferralSource") or "other",
                _choices(ReferralSource.values, None) | {k: k for k in ReferralSource.values},
            )
            or ReferralSource.OTHER
        )
        record.beneficiary_category = (
            parser.choice(
                "cas_BeneficiaryCategory",
                get("cas_BeneficiaryCategory") or BeneficiaryCategory.VOT,
                {k: k for k in BeneficiaryCategory.values},
            )
            or BeneficiaryCategory.VOT
        )
        record.assistance_country = parser.iso3(
            "cas_AssistanceCountry", get("cas_AssistanceCountry") or ""
        )
        record.given_names = (get("prs_FirstName") or "").strip()
        record.family_names = (get("prs_SecondName") or "").strip()
        for column, text in (
            ("prs_FirstName", record.given_names),
            ("prs_SecondName", record.family_names),
        ):
            if len(text) > 200:
                parser.fail(column, text, "longer than 200 characters")
        record.birth_date = parser.date("prs_Birthdate", get("prs_Birthdate") or "")
        precision = get("prs_BirthdatePrecision") or ""
        if record.birth_date is not None:
            record.birth_date_precision = (
                parser.choice(
                    "prs_BirthdatePrecision",
                    precision or "exact",
                    {k: k for k in BirthDatePrecision.values},
                )
                or BirthDatePrecision.EXACT
            )
        record.sex = (
            parser.choice(
                "prs_Gender", get("prs_Gender") or Gender.UNKNOWN, {k: k for k in Gender.values}
            )
            or Gender.UNKNOWN
        )
        citizenships = [
            code
            for code in (
                parser.iso3("prs_Citizenship", part.strip())
                for part in (get("prs_Citizenship") or "").split(";")
                if part.strip()
            )
            if code
        ]
        record.citizenship = citizenships[0] if citizenships else None
        record.other_citizenships = citizenships[1:]
        record.reported_age_group = (
            parser.choice(
                "prs_ReportedAgeGroup",
                get("prs_ReportedAgeGroup") or "",
                {"": "", "child": "child", "adult": "adult"},
            )
            or ""
        )
        record.reported_age_band = (get("prs_ReportedAgeBand") or "")[:8]
        record.means_of_control = parser.multi(
            "vic_MethodsOfControl", get("vic_MethodsOfControl") or "", tuple(MeansOfControl.values)
        )
        record.exploitation_types = parser.multi(
            "vic_TypeOfExploitation",
            get("vic_TypeOfExploitation") or "",
            tuple(ExploitationType.values),
        )
        record.labour_sectors = parser.multi(
            "vic_ForcedLabourSector",
            get("vic_ForcedLabourSector") or "",
            tuple(LabourSector.values),
        )
        record.sexual_exploitation_types = parser.multi(
            "vic_TypeOfSexExploitation",
            get("vic_TypeOfSexExploitation") or "",
            tuple(SexualExploitationType.values),
        )
        relation = get("vic_RecruiterRelation") or ""
        record.recruiter_relation = (
            parser.choice(
                "vic_RecruiterRelation",
                relation,
                {"": "", **{k: k for k in RecruiterRelation.values}},
            )
            or ""
        )
        record.country_of_exploitation = parser.iso3(
            "vic_CountryOfExploitation", get("vic_CountryOfExploitation") or ""
        )
        return record

    def render(self, record: Record) -> list[str]:
        return [
            record.reference,
            str(record.source_values.get("office", "")),
            record.registration_date.isoformat() if record.registration_date else "",
            record.registration_period,
            record.referral_source,
            record.beneficiary_category,
            record.assistance_country or "",
            record.given_names,
            record.family_names,
            record.birth_date.isoformat() if record.birth_date else "",
            record.birth_date_precision if record.birth_date else "",
            record.sex,
            ";".join([c for c in [record.citizenship, *record.other_citizenships] if c]),
            record.reported_age_group,
            record.reported_age_band,
            ";".join(record.means_of_control),
            ";".join(record.exploitation_types),
            ";".join(record.labour_sectors),
            ";".join(record.sexual_exploitation_types),
            record.recruiter_relation,
            record.country_of_exploitation or "",
        ]
