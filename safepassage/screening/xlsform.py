"""The screening form as an XLSForm for ODK Collect and KoboToolbox, and the import of their
submission exports into draft screenings that a caseworker reviews.

The form is generated from the same code lists the web form uses, so the two cannot drift; a
submission goes through `screening_save` (as a draft), so it meets exactly the web form's
validation.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils.translation import gettext as _

from safepassage.access.permissions import Perm
from safepassage.access.policy import scope_for
from safepassage.cases.models import Case
from safepassage.core.errors import DomainError, ValidationFailed
from safepassage.reference.codes import (
    ExploitationType,
    LabourSector,
    MeansOfControl,
    RecruiterRelation,
    RecruitmentMethod,
    SexualExploitationType,
    TraffickingEventType,
)
from safepassage.reference.countries import all_countries
from safepassage.screening.services import screening_save

if TYPE_CHECKING:
    from openpyxl import Workbook

FORM_ID = "safepassage_screening"
FORM_VERSION = "2026.1"
ACTIONS = (
    ("recruitment", "Recruited"),
    ("transport", "Transported"),
    ("transfer", "Transferred"),
    ("harbouring", "Harboured"),
    ("receipt", "Received"),
)
CHOICE_LISTS: dict[str, list[tuple[str, str]]] = {
    "recruitment_method": [(c.value, str(c.label)) for c in RecruitmentMethod],
    "recruiter_relation": [(c.value, str(c.label)) for c in RecruiterRelation],
    "action": list(ACTIONS),
    "means": [(c.value, str(c.label)) for c in MeansOfControl],
    "exploitation": [(c.value, str(c.label)) for c in ExploitationType],
    "sector": [(c.value, str(c.label)) for c in LabourSector],
    "sexual": [(c.value, str(c.label)) for c in SexualExploitationType],
    "stage": [(c.value, str(c.label)) for c in TraffickingEventType],
    "yes_no": [("yes", "Yes"), ("no", "No")],
}
# Rows of the survey sheet: type, name, label, required, relevant.
SURVEY: list[tuple[str, str, str, str, str]] = [
    ("text", "case_reference", "Case reference (from SafePassage)", "yes", ""),
    ("begin_group", "recruitment", "Recruitment", "", ""),
    ("date", "recruitment_date", "Date of recruitment", "", ""),
    (
        "select_multiple recruitment_method",
        "recruitment_methods",
        "How was the person recruited?",
        "",
        "",
    ),
    ("select_one recruiter_relation", "recruiter_relation", "Relation to the recruiter", "", ""),
    ("text", "promised_job", "Job or opportunity promised", "", ""),
    ("end_group", "", "", "", ""),
    ("begin_group", "elements", "Action, means and purpose", "", ""),
    ("select_multiple action", "actions", "Action: what happened to the person?", "", ""),
    ("select_multiple means", "means_of_control", "Means of control", "", ""),
    ("select_multiple exploitation", "exploitation_types", "Types of exploitation", "", ""),
    (
        "select_multiple sector",
        "labour_sectors",
        "Sectors of forced labour",
        "",
        "selected(${exploitation_types}, 'ForcedLabour')",
    ),
    (
        "select_multiple sexual",
        "sexual_exploitation_types",
        "Types of sexual exploitation",
        "",
        "selected(${exploitation_types}, 'SexualExploitation')",
    ),
    ("date", "exploitation_start", "Exploitation began", "", ""),
    ("date", "exploitation_end", "Exploitation ended", "", ""),
    ("select_one country", "country_of_exploitation", "Country of exploitation (last)", "", ""),
    (
        "select_one yes_no",
        "presumed_child",
        "Age uncertain and reasons to believe the person was under 18 when recruited?",
        "",
        "",
    ),
    ("end_group", "", "", "", ""),
    ("begin_repeat", "route", "Route stages", "", ""),
    ("select_one stage", "stage", "Stage", "yes", ""),
    ("select_one country", "stage_country", "Country", "yes", ""),
    ("text", "place", "Place", "", ""),
    ("date", "from", "From", "", ""),
    ("date", "until", "Until", "", ""),
    ("end_repeat", "", "", "", ""),
    ("text", "notes", "Interview notes", "", ""),
]


def xlsform_workbook() -> Workbook:
    # openpyxl and pyxform load on use: they are slow to import and most processes never need them.
    from openpyxl import Workbook

    workbook = Workbook()
    survey = workbook.active
    assert survey is not None  # noqa: S101  # a new workbook has one sheet
    survey.title = "survey"
    survey.append(["type", "name", "label", "required", "relevant"])
    for row in SURVEY:
        survey.append(list(row))
    choices = workbook.create_sheet("choices")
    choices.append(["list_name", "name", "label"])
    for list_name, items in CHOICE_LISTS.items():
        for name, label in items:
            choices.append([list_name, name, label])
    for country in all_countries():
        choices.append(["country", country.iso3, country.name])
    settings = workbook.create_sheet("settings")
    settings.append(["form_title", "form_id", "version", "default_language"])
    settings.append(["SafePassage screening", FORM_ID, FORM_VERSION, "English (en)"])
    return workbook


def xlsform_bytes() -> bytes:
    buffer = io.BytesIO()
    xlsform_workbook().save(buffer)
    return buffer.getvalue()


def xform_xml() -> str:
    """The XForm ODK Collect runs, converted (and so checked) by pyxform."""
    from pyxform.xls2xform import convert

    result = convert(xlsform=io.BytesIO(xlsform_bytes()), file_type=".xlsx", pretty_print=True)
    return str(result.xform)


# --- submissions -----------------------------------------------------------------------------


@dataclass
class SubmissionOutcome:
    row: int
    case_reference: str
    screening_id: int | None = None
    errors: dict[str, list[str]] = field(default_factory=dict)


def _values(raw: Any) -> list[str]:
    """select_multiple answers: space-separated in ODK/Kobo exports, or already a list."""
    if raw is None:
        return []
    if isinstance(raw, list):
        return [str(v) for v in raw]
    return [v for v in str(raw).split() if v]


def _date(raw: Any, name: str) -> dt.date | None:
    if raw in (None, ""):
        return None
    try:
        return dt.date.fromisoformat(str(raw)[:10])
    except ValueError:
        raise ValidationFailed(
            _("%(field)s is not a date (YYYY-MM-DD): %(value)s")
            % {"field": name, "value": str(raw)[:40]},
            field=name,
        ) from None


def _get(submission: Mapping[str, Any], name: str) -> Any:
    """A value by name, whatever group path the export put before it (Kobo: 'group/name')."""
    if name in submission:
        return submission[name]
    for key, value in submission.items():
        if key.rsplit("/", 1)[-1] == name:
            return value
    return None


def submission_to_screening(
    submission: Mapping[str, Any],
) -> tuple[str, dict[str, Any], list[dict[str, Any]] | None]:
    reference = str(_get(submission, "case_reference") or "").strip()
    actions = set(_values(_get(submission, "actions")))
    unknown_actions = actions - {name for name, _label in ACTIONS}
    if unknown_actions:
        raise ValidationFailed(
            _("Unknown actions: %(codes)s") % {"codes": ", ".join(sorted(unknown_actions))},
            field="actions",
        )
    data: dict[str, Any] = {
        "recruitment_date": _date(_get(submission, "recruitment_date"), "recruitment_date"),
        "recruitment_methods": _values(_get(submission, "recruitment_methods")),
        "recruiter_relation": str(_get(submission, "recruiter_relation") or ""),
        "promised_job": str(_get(submission, "promised_job") or ""),
        "means_of_control": _values(_get(submission, "means_of_control")),
        "exploitation_types": _values(_get(submission, "exploitation_types")),
        "labour_sectors": _values(_get(submission, "labour_sectors")),
        "sexual_exploitation_types": _values(_get(submission, "sexual_exploitation_types")),
        "exploitation_start": _date(_get(submission, "exploitation_start"), "exploitation_start"),
        "exploitation_end": _date(_get(submission, "exploitation_end"), "exploitation_end"),
        "country_of_exploitation": str(_get(submission, "country_of_exploitation") or "") or None,
        "presumed_child": str(_get(submission, "presumed_child") or "") == "yes",
        "notes": str(_get(submission, "notes") or ""),
        **{f"action_{name}": name in actions for name, _label in ACTIONS},
    }
    route = _get(submission, "route")
    events = None
    if isinstance(route, list):
        events = [
            {
                "type": _get(stage, "stage"),
                "country": _get(stage, "stage_country"),
                "place": str(_get(stage, "place") or ""),
                "start_date": _date(_get(stage, "from"), "route/from"),
                "end_date": _date(_get(stage, "until"), "route/until"),
            }
            for stage in route
            if isinstance(stage, Mapping)
        ]
    return reference, data, events


def read_submissions(content: bytes, filename: str) -> Iterator[Mapping[str, Any]]:
    """ODK Central / KoboToolbox exports: JSON (a list, or {"results"/"value": [...]}) or CSV."""
    text = content.decode("utf-8-sig")
    if filename.lower().endswith(".json") or text.lstrip().startswith(("[", "{")):
        try:
            parsed = json.loads(text)
        except json.JSONDecodeError as exc:
            raise ValidationFailed(
                _("The file is not valid JSON: %(error)s") % {"error": exc.msg}
            ) from None
        rows = (
            parsed.get("results") or parsed.get("value") or []
            if isinstance(parsed, dict)
            else parsed
        )
        if not isinstance(rows, list):
            raise ValidationFailed(_("Expected a list of submissions."))
        yield from (row for row in rows if isinstance(row, Mapping))
        return
    dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;") if text.strip() else csv.excel
    yield from csv.DictReader(io.StringIO(text), dialect=dialect)


def submissions_import(
    *, actor: Any, submissions: Iterable[Mapping[str, Any]]
) -> list[SubmissionOutcome]:
    """Each valid submission becomes (or updates) the draft screening of the case it names, in
    the actor's scope; invalid ones are reported with their errors and write nothing. A case of
    another office is reported like a missing one."""
    scope = scope_for(actor, Perm.CASE_WORK)
    outcomes: list[SubmissionOutcome] = []
    for row, submission in enumerate(submissions, start=1):
        outcome = SubmissionOutcome(row=row, case_reference="")
        try:
            reference, data, events = submission_to_screening(submission)
            outcome.case_reference = reference
            case = (
                scope.filter(Case.objects.select_related("office"))
                .filter(reference=reference)
                .first()
            )
            if case is None:
                raise ValidationFailed(
                    _("No case %(ref)s in your offices.") % {"ref": reference or "-"},
                    field="case_reference",
                )
            with transaction.atomic():
                screening = screening_save(
                    actor=actor,
                    case=case,
                    expected_version=case.version,
                    data=data,
                    events=events,
                    submit=False,
                )
            outcome.screening_id = screening.pk
        except DomainError as error:
            outcome.errors = dict(error.errors) or {error.field or "submission": [error.message]}
            if error.errors and error.message:
                outcome.errors.setdefault("submission", [error.message])
        outcomes.append(outcome)
    return outcomes
