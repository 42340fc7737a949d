"""CTDC victim-perpetrator synthetic data (16 columns, UN regions only, 1 / blank flags, ';'-
joined perpetrator values). See docs/interchange.md for what maps where."""

from __future__ import annotations

from typing import ClassVar

from safepassage.interop.formats.base import (
    UN_REGIONS,
    Format,
    Perpetrators,
    Record,
    RowParser,
    registration_year,
)
from safepassage.reference.codes import ExploitationType, Gender

GENDER_IN = {"Female": Gender.FEMININE, "Male": Gender.MASCULINE, "": Gender.UNKNOWN}
GENDER_OUT = {Gender.FEMININE: "Female", Gender.MASCULINE: "Male"}
MAJORITY_IN = {"Adult": "adult", "Minor": "child", "": ""}
MAJORITY_OUT = {"adult": "Adult", "child": "Minor"}
PERPETRATOR_GENDERS = ("Female", "Male")
PERPETRATOR_AGES = ("0--29", "30--38", "39--47", "48+")
RELATIONS = ("FamilyIntimatePartner", "FriendAcquaintance", "StrangerUnknownOther")
PAID = ("No", "Yes")
ROLE_COLUMNS = {
    "IP_Exploiter": "role_exploiter",
    "IP_RecruiterBroker": "role_recruiter_broker",
    "IP_TransactionProcess": "role_transaction",
    "IP_ControlAbuseKidnap": "role_control_abuse_kidnap",
}


def _one(parser: RowParser, column: str, value: str) -> bool | None:
    """VP flags are 1 or blank (0 is read as no)."""
    flag = parser.flag(column, value)
    return True if flag else None


class CtdcVp(Format):
    key: ClassVar[str] = "ctdc-vp"
    label: ClassVar[str] = "CTDC victim-perpetrator synthetic data"
    reference_prefix: ClassVar[str] = "CTDCVP"
    columns: ClassVar[tuple[str, ...]] = (
        "yearRegister",
        "gender",
        "majorityStatus",
        "isForcedLabour",
        "isSexualExploit",
        "UN_COO_Region",
        "UN_COE_Region",
        "IP_Exploiter",
        "IP_Gender",
        "IP_ageBroad",
        "IP_citizen_UNRegion",
        "IP_Relation",
        "IP_PayMoney",
        "IP_RecruiterBroker",
        "IP_TransactionProcess",
        "IP_ControlAbuseKidnap",
    )

    def parse(self, row: dict[str, str], parser: RowParser) -> Record:
        date, period = parser.year_period("yearRegister", row["yearRegister"])
        record = Record(registration_date=date, registration_period=period)
        record.sex = parser.choice("gender", row["gender"], GENDER_IN) or Gender.UNKNOWN
        record.reported_age_group = (
            parser.choice("majorityStatus", row["majorityStatus"], MAJORITY_IN) or ""
        )
        types = []
        if _one(parser, "isForcedLabour", row["isForcedLabour"]):
            types.append(ExploitationType.FORCED_LABOUR.value)
        if _one(parser, "isSexualExploit", row["isSexualExploit"]):
            types.append(ExploitationType.SEXUAL_EXPLOITATION.value)
        record.exploitation_types = types
        # VP has 1 / blank only: blank cannot tell "no" from "not reported".
        record.unreported = [
            "means_of_control",
            "labour_sectors",
            "sexual_exploitation_types",
            "recruiter_relation",
        ]
        record.citizenship_region = parser.region("UN_COO_Region", row["UN_COO_Region"])
        record.exploitation_region = parser.region("UN_COE_Region", row["UN_COE_Region"])
        perpetrators = Perpetrators(
            genders=parser.multi("IP_Gender", row["IP_Gender"], PERPETRATOR_GENDERS),
            age_bands=parser.multi("IP_ageBroad", row["IP_ageBroad"], PERPETRATOR_AGES),
            citizenship_regions=parser.multi(
                "IP_citizen_UNRegion", row["IP_citizen_UNRegion"], UN_REGIONS
            ),
            relations=parser.multi("IP_Relation", row["IP_Relation"], RELATIONS),
            victim_paid=parser.multi("IP_PayMoney", row["IP_PayMoney"], PAID),
        )
        for column, attribute in ROLE_COLUMNS.items():
            setattr(perpetrators, attribute, _one(parser, column, row[column]))
        if any(row[column] for column in self.columns[7:]):
            record.perpetrators = perpetrators
        return record

    def render(self, record: Record) -> list[str]:
        p = record.perpetrators or Perpetrators()
        types = set(record.exploitation_types)
        return [
            registration_year(record),
            GENDER_OUT.get(record.sex, ""),  # type: ignore[call-overload]  # str keys of TextChoices
            MAJORITY_OUT.get(record.reported_age_group, ""),
            "1" if ExploitationType.FORCED_LABOUR in types else "",
            "1" if ExploitationType.SEXUAL_EXPLOITATION in types else "",
            record.citizenship_region,
            record.exploitation_region,
            "1" if p.role_exploiter else "",
            ";".join(p.genders),
            ";".join(p.age_bands),
            ";".join(p.citizenship_regions),
            ";".join(p.relations),
            ";".join(p.victim_paid),
            "1" if p.role_recruiter_broker else "",
            "1" if p.role_transaction else "",
            "1" if p.role_control_abuse_kidnap else "",
        ]
