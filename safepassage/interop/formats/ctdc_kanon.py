"""CTDC k-anonymised global dataset (codebook v6, data dictionary 15-08-2018): 62 columns (63
with the terms-of-use column of the published file), ISO alpha-2 countries, 0 / 1 / -99 flags,
';'-joined concatenations (derived: ignored on import, rebuilt on export)."""

from __future__ import annotations

import functools
from typing import ClassVar

from safepassage.cases.models import ReferralSource
from safepassage.interop.formats.base import (
    Format,
    Record,
    RowParser,
    age_group_of_band,
    flag_out,
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
from safepassage.reference.countries import countries_by_iso3

MEANS = tuple(code.value for code in MeansOfControl)
LABOUR = tuple(code.value for code in LabourSector)
SEX = tuple(code.value for code in SexualExploitationType)
RELATIONS = tuple(code.value for code in RecruiterRelation)
EXPLOIT_FLAGS = {
    "isForcedLabour": ExploitationType.FORCED_LABOUR.value,
    "isSexualExploit": ExploitationType.SEXUAL_EXPLOITATION.value,
    "isOtherExploit": ExploitationType.OTHER.value,
    "isForcedMarriage": ExploitationType.FORCED_MARRIAGE.value,
    "isForcedMilitary": ExploitationType.FORCED_MILITARY.value,
    "isOrganRemoval": ExploitationType.ORGAN_REMOVAL.value,
}
GENDER_IN = {
    "Female": Gender.FEMININE.value,
    "Male": Gender.MASCULINE.value,
    "Transgender/NonConforming": Gender.NON_CONFORMING.value,
    "Unknown": Gender.UNKNOWN.value,
    "-99": Gender.UNKNOWN.value,
    "": Gender.UNKNOWN.value,
}
GENDER_OUT = {
    Gender.FEMININE.value: "Female",
    Gender.MASCULINE.value: "Male",
    Gender.NON_CONFORMING.value: "Transgender/NonConforming",
    Gender.TRANSGENDER_FEMININE.value: "Transgender/NonConforming",
    Gender.TRANSGENDER_MASCULINE.value: "Transgender/NonConforming",
}
AGE_BANDS = ("0--8", "9--17", "18--20", "21--23", "24--26", "27--29", "30--38", "39--47", "48+")
MAJORITY_IN = {"Adult": "adult", "Minor": "child", "Unknown": "", "-99": "", "": ""}
MAJORITY_OUT = {"adult": "Adult", "child": "Minor"}
MAJORITY_RAW = frozenset(MAJORITY_IN)
DATASOURCES = ("Case management", "Hotline")

COLUMNS: tuple[str, ...] = (
    "yearOfRegistration",
    "Datasource",
    "gender",
    "ageBroad",
    "majorityStatus",
    "majorityStatusAtExploit",
    "MajorityEntry",
    "citizenship",
    *(f"meansOfControl{code}" for code in MEANS),
    "meansOfControlNotSpecified",
    "meansOfControlConcatenated",
    *EXPLOIT_FLAGS.keys(),
    "isSexAndLabour",
    "typeOfExploitConcatenated",
    *(f"typeOfLabour{code}" for code in LABOUR),
    "typeOfLabourNotSpecified",
    "typeOfLabourConcatenated",
    *(f"typeOfSex{code}" for code in SEX),
    "typeOfSexConcatenated",
    "isAbduction",
    "RecruiterRelationship",
    "CountryOfExploitation",
    *(f"recruiterRelation{code}" for code in RELATIONS),
)
# isForcedLabour -> column order as the dictionary lists them
_EXPLOIT_ORDER = ("isForcedLabour", "isSexualExploit", "isOtherExploit")


# A flag's cell, read without a method call per cell (47 flags a row); anything else goes
# through RowParser.flag, which reports it.
FLAGS: dict[str, bool | None] = {"1": True, "0": False, "": None, "-99": None}
_BAD = object()


@functools.cache
def _columns(prefix: str, codes: tuple[str, ...]) -> tuple[tuple[str, str], ...]:
    return tuple((code, prefix + code) for code in codes)


def _iso2(iso3: str | None) -> str:
    if not iso3:
        return "-99"
    info = countries_by_iso3().get(iso3)
    return info.iso2 if info else "-99"


class CtdcKanon(Format):
    key: ClassVar[str] = "ctdc-kanon"
    label: ClassVar[str] = "CTDC k-anonymised global dataset"
    reference_prefix: ClassVar[str] = "CTDCK"
    columns: ClassVar[tuple[str, ...]] = COLUMNS
    derived_columns: ClassVar[frozenset[str]] = frozenset(
        {
            "meansOfControlConcatenated",
            "typeOfExploitConcatenated",
            "typeOfLabourConcatenated",
            "typeOfSexConcatenated",
            "isSexAndLabour",
        }
    )

    def _group(  # noqa: PLR0917  # a private helper called with the row's context
        self,
        parser: RowParser,
        row: dict[str, str],
        prefix: str,
        codes: tuple[str, ...],
        record: Record,
        group: str,
    ) -> list[str]:
        chosen: list[str] = []
        reported = False
        flags = FLAGS
        for code, column in _columns(prefix, codes):
            value = flags.get(row[column], _BAD)
            if value is _BAD:
                value = parser.flag(column, row[column])  # reports it
            if value is not None:
                reported = True
                if value:
                    chosen.append(code)
        if not reported:
            record.unreported.append(group)
        return chosen

    def parse(self, row: dict[str, str], parser: RowParser) -> Record:  # noqa: PLR0912, PLR0915  # the 62 columns in dictionary order
        date, period = parser.year_period("yearOfRegistration", row["yearOfRegistration"])
        record = Record(registration_date=date, registration_period=period)
        source = row["Datasource"]
        if source not in ("", "-99", *DATASOURCES):
            parser.fail("Datasource", source, "expected 'Case management' or 'Hotline'")
        record.source_values["datasource"] = source
        record.referral_source = (
            ReferralSource.HOTLINE if source == "Hotline" else ReferralSource.OTHER
        )
        record.sex = parser.choice("gender", row["gender"], GENDER_IN) or Gender.UNKNOWN
        band = row["ageBroad"]
        if band in ("", "-99"):
            band = ""
        elif band.replace("\u2014", "--") in AGE_BANDS:
            band = band.replace("\u2014", "--")
        else:
            parser.fail(
                "ageBroad", band, f"unknown age band; expected one of {', '.join(AGE_BANDS)}"
            )
            band = ""
        record.reported_age_band = band
        majority = parser.choice("majorityStatus", row["majorityStatus"].strip(), MAJORITY_IN) or ""
        from_band = age_group_of_band(band)
        if majority and from_band and majority != from_band:
            parser.fail("majorityStatus", row["majorityStatus"], f"contradicts ageBroad {band}")
        record.reported_age_group = majority or from_band
        for column, key in (
            ("majorityStatusAtExploit", "majority_at_exploit"),
            ("MajorityEntry", "majority_at_entry"),
        ):
            value = row[column].strip()
            if value not in MAJORITY_RAW:
                parser.fail(column, value, "expected Adult, Minor, Unknown or -99")
            elif value not in ("", "-99"):
                record.source_values[key] = value
        record.citizenship = parser.iso2("citizenship", row["citizenship"])
        record.means_of_control = self._group(
            parser, row, "meansOfControl", MEANS, record, "means_of_control"
        )
        if parser.flag("meansOfControlNotSpecified", row["meansOfControlNotSpecified"]):
            record.source_values["means_not_specified"] = True
        types: list[str] = []
        reported = False
        for column, code in EXPLOIT_FLAGS.items():
            answer = parser.flag(column, row[column])
            reported = reported or answer is not None
            if answer:
                types.append(code)
        if not reported:
            record.unreported.append("exploitation_types")
        record.exploitation_types = types
        record.labour_sectors = self._group(
            parser, row, "typeOfLabour", LABOUR, record, "labour_sectors"
        )
        if parser.flag("typeOfLabourNotSpecified", row["typeOfLabourNotSpecified"]):
            record.source_values["labour_not_specified"] = True
        record.sexual_exploitation_types = self._group(
            parser, row, "typeOfSex", SEX, record, "sexual_exploitation_types"
        )
        abduction = parser.flag("isAbduction", row["isAbduction"])
        if abduction is not None:
            record.source_values["abduction"] = abduction
        if row["RecruiterRelationship"] not in ("", "-99"):
            record.source_values["recruiter_relationship"] = row["RecruiterRelationship"]
        record.country_of_exploitation = parser.iso2(
            "CountryOfExploitation", row["CountryOfExploitation"]
        )
        # CTDC's own proxy: the country of exploitation is where the person was assisted.
        record.assistance_country = record.country_of_exploitation
        relations = self._group(
            parser, row, "recruiterRelation", RELATIONS, record, "recruiter_relation"
        )
        record.recruiter_relation = relations[0] if relations else ""
        if len(relations) > 1:
            record.source_values["recruiter_relations"] = relations
        return record

    def render(self, record: Record) -> list[str]:
        unreported = set(record.unreported)
        extra = record.source_values
        out: list[str] = [
            registration_year(record) or "-99",
            str(extra.get("datasource") or "Case management"),
            GENDER_OUT.get(record.sex, "-99"),
            record.reported_age_band or "-99",
            MAJORITY_OUT.get(record.reported_age_group, "-99"),
            str(extra.get("majority_at_exploit", "-99")),
            str(extra.get("majority_at_entry", "-99")),
            _iso2(record.citizenship),
        ]
        means = set(record.means_of_control)
        reported = "means_of_control" not in unreported
        out += [flag_out(code in means, reported) for code in MEANS]
        out.append(flag_out(bool(extra.get("means_not_specified")), reported))
        out.append(";".join(sorted(means)) or "-99")
        types = set(record.exploitation_types)
        reported = "exploitation_types" not in unreported
        out += [flag_out(code in types, reported) for code in EXPLOIT_FLAGS.values()]
        both = (
            ExploitationType.FORCED_LABOUR in types
            and ExploitationType.SEXUAL_EXPLOITATION in types
        )
        out.append(flag_out(both, reported))
        out.append(";".join(sorted(types)) or "-99")
        sectors = set(record.labour_sectors)
        reported = "labour_sectors" not in unreported
        out += [flag_out(code in sectors, reported) for code in LABOUR]
        out.append(flag_out(bool(extra.get("labour_not_specified")), reported))
        out.append(";".join(sorted(sectors)) or "-99")
        sexual = set(record.sexual_exploitation_types)
        reported = "sexual_exploitation_types" not in unreported
        out += [flag_out(code in sexual, reported) for code in SEX]
        out.append(";".join(sorted(sexual)) or "-99")
        abduction = extra.get("abduction")
        out.append("-99" if abduction is None else ("1" if abduction else "0"))
        out.append(str(extra.get("recruiter_relationship", "-99")))
        out.append(_iso2(record.country_of_exploitation))
        relations = set(
            extra.get("recruiter_relations")
            or ([record.recruiter_relation] if record.recruiter_relation else [])
        )
        reported = "recruiter_relation" not in unreported
        out += [flag_out(code in relations, reported) for code in RELATIONS]
        return out
