"""CTDC global synthetic data 2024 (27 columns, ISO alpha-3, merged means of control, 1 / blank
flags)."""

from __future__ import annotations

from typing import ClassVar

from safepassage.interop.formats.base import (
    Format,
    Record,
    RowParser,
    age_group_of_band,
    registration_year,
)
from safepassage.reference.codes import (
    ExploitationType,
    Gender,
    LabourSector,
    MeansOfControl,
    RecruiterRelation,
    SexualExploitationType,
)

GENDER_IN = {
    "Woman": Gender.FEMININE.value,
    "Man": Gender.MASCULINE.value,
    "Trans/Transgender/NonConforming": Gender.NON_CONFORMING.value,
    "": Gender.UNKNOWN.value,
}
GENDER_OUT = {
    Gender.FEMININE.value: "Woman",
    Gender.MASCULINE.value: "Man",
    Gender.NON_CONFORMING.value: "Trans/Transgender/NonConforming",
    Gender.TRANSGENDER_FEMININE.value: "Trans/Transgender/NonConforming",
    Gender.TRANSGENDER_MASCULINE.value: "Trans/Transgender/NonConforming",
}
AGE_BANDS = ("0--8", "9--17", "18--20", "21--23", "24--26", "27--29", "30--38", "39--47", "48+")
DURATIONS = ("0--12 (0-1 yr)", "13--24 (1-2 yrs)", "25+ (2+ yrs)")
# One column per SafePassage code where the 2024 release kept it; merged columns (several
# codes in one) are kept as they are in source_values, since the original code is unknowable.
MEANS_SINGLE = {
    "meansFalsePromises": MeansOfControl.FALSE_PROMISES.value,
    "meansDrugsAlcohol": MeansOfControl.PSYCHOACTIVE_SUBSTANCES.value,
    "meansExcessiveWorkHours": MeansOfControl.EXCESSIVE_WORKING_HOURS.value,
    "meansWithholdDocs": MeansOfControl.WITHHOLDS_DOCUMENTS.value,
}
MEANS_MERGED = (
    "meansDebtBondageEarnings",
    "meansThreats",
    "meansAbusePsyPhySex",
    "meansDenyBasicNeeds",
)
MEANS_ORDER = (
    "meansDebtBondageEarnings",
    "meansThreats",
    "meansAbusePsyPhySex",
    "meansFalsePromises",
    "meansDrugsAlcohol",
    "meansDenyBasicNeeds",
    "meansExcessiveWorkHours",
    "meansWithholdDocs",
)
EXPLOIT = {
    "isForcedLabour": ExploitationType.FORCED_LABOUR.value,
    "isSexualExploit": ExploitationType.SEXUAL_EXPLOITATION.value,
    "isOtherExploit": ExploitationType.OTHER.value,
}
LABOUR = {
    "typeOfLabourAgriculture": LabourSector.AGRICULTURE.value,
    "typeOfLabourConstruction": LabourSector.CONSTRUCTION.value,
    "typeOfLabourDomesticWork": LabourSector.DOMESTIC_WORK.value,
    "typeOfLabourHospitality": LabourSector.HOSPITALITY.value,
}
SEX = {
    "typeOfSexProstitution": SexualExploitationType.PROSTITUTION.value,
    "typeOfSexPornography": SexualExploitationType.PORNOGRAPHY.value,
}
RELATIONS = {
    "recruiterRelationIntimatePartner": RecruiterRelation.INTIMATE_PARTNER.value,
    "recruiterRelationFriend": RecruiterRelation.FRIEND.value,
    "recruiterRelationFamily": RecruiterRelation.FAMILY.value,
    "recruiterRelationOther": RecruiterRelation.OTHER.value,
}


class CtdcSynthetic(Format):
    key: ClassVar[str] = "ctdc-synthetic"
    label: ClassVar[str] = "CTDC global synthetic data 2024"
    reference_prefix: ClassVar[str] = "CTDCS"
    columns: ClassVar[tuple[str, ...]] = (
        "yearOfRegistration",
        "gender",
        "ageBroad",
        "citizenship",
        "CountryOfExploitation",
        "traffickMonths",
        *MEANS_ORDER,
        *EXPLOIT,
        *LABOUR,
        *SEX,
        *RELATIONS,
    )

    def _ones(self, parser: RowParser, row: dict[str, str], mapping: dict[str, str]) -> list[str]:
        return [code for column, code in mapping.items() if parser.flag(column, row[column])]

    def parse(self, row: dict[str, str], parser: RowParser) -> Record:
        date, period = parser.year_period("yearOfRegistration", row["yearOfRegistration"])
        record = Record(registration_date=date, registration_period=period)
        record.sex = parser.choice("gender", row["gender"], GENDER_IN) or Gender.UNKNOWN
        band = row["ageBroad"].replace("\u2014", "--")
        if band and band not in AGE_BANDS:
            parser.fail(
                "ageBroad", band, f"unknown age band; expected one of {', '.join(AGE_BANDS)}"
            )
            band = ""
        record.reported_age_band = band
        record.reported_age_group = age_group_of_band(band)
        record.citizenship = parser.iso3("citizenship", row["citizenship"])
        record.country_of_exploitation = parser.iso3(
            "CountryOfExploitation", row["CountryOfExploitation"]
        )
        record.assistance_country = record.country_of_exploitation
        months = row["traffickMonths"].replace("\u2014", "--")
        if months and months not in DURATIONS:
            parser.fail("traffickMonths", months, f"expected one of {', '.join(DURATIONS)}")
        elif months:
            record.source_values["traffick_months"] = months
        record.means_of_control = self._ones(parser, row, MEANS_SINGLE)
        merged = [column for column in MEANS_MERGED if parser.flag(column, row[column])]
        if merged:
            record.source_values["means_merged"] = merged
        record.exploitation_types = self._ones(parser, row, EXPLOIT)
        record.labour_sectors = self._ones(parser, row, LABOUR)
        record.sexual_exploitation_types = self._ones(parser, row, SEX)
        relations = self._ones(parser, row, RELATIONS)
        record.recruiter_relation = relations[0] if relations else ""
        if len(relations) > 1:
            record.source_values["recruiter_relations"] = relations
        # 1 / blank: a blank group cannot tell "no" from "not reported".
        record.unreported = [
            group
            for group, values in (
                ("means_of_control", record.means_of_control or merged),
                ("exploitation_types", record.exploitation_types),
                ("labour_sectors", record.labour_sectors),
                ("sexual_exploitation_types", record.sexual_exploitation_types),
                ("recruiter_relation", relations),
            )
            if not values
        ]
        return record

    def render(self, record: Record) -> list[str]:
        extra = record.source_values
        means = set(record.means_of_control)
        merged = set(extra.get("means_merged") or [])
        relations = set(
            extra.get("recruiter_relations")
            or ([record.recruiter_relation] if record.recruiter_relation else [])
        )

        def one(value: bool) -> str:
            return "1" if value else ""

        out = [
            registration_year(record),
            GENDER_OUT.get(record.sex, ""),
            record.reported_age_band,
            record.citizenship or "",
            record.country_of_exploitation or "",
            str(extra.get("traffick_months", "")),
        ]
        for column in MEANS_ORDER:
            out.append(
                one(column in merged if column in MEANS_MERGED else MEANS_SINGLE[column] in means)
            )
        out += [one(code in record.exploitation_types) for code in EXPLOIT.values()]
        out += [one(code in record.labour_sectors) for code in LABOUR.values()]
        out += [one(code in record.sexual_exploitation_types) for code in SEX.values()]
        out += [one(code in relations) for code in RELATIONS.values()]
        return out
