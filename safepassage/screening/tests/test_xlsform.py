from __future__ import annotations

import csv
import io
import json

import pytest
from openpyxl import load_workbook
from pyxform.xls2xform import convert

from safepassage.cases.models import ConsentScope
from safepassage.cases.tests.factories import give_consent, make_case
from safepassage.conftest import assert_same_not_found
from safepassage.reference.codes import MeansOfControl
from safepassage.screening.models import Screening
from safepassage.screening.xlsform import (
    read_submissions,
    submissions_import,
    xform_xml,
    xlsform_bytes,
)


def test_the_xlsform_converts_with_pyxform_and_holds_every_code() -> None:
    result = convert(xlsform=io.BytesIO(xlsform_bytes()), file_type=".xlsx")
    assert "<h:title>SafePassage screening</h:title>" in result.xform
    assert not [w for w in result.warnings if "error" in w.lower()]
    choices = load_workbook(io.BytesIO(xlsform_bytes()))["choices"]
    names = {row[1] for row in choices.iter_rows(min_row=2, values_only=True)}
    assert set(MeansOfControl.values) <= names
    assert "UKR" in names and "XKX" in names
    assert "route" in xform_xml()


def submission(reference: str) -> dict[str, object]:
    """A submission as ODK Central's JSON export writes it for this form (group paths, space-
    separated select_multiple answers, a repeat as a list)."""
    return {
        "__id": "uuid:0f1e2d3c",
        "case_reference": reference,
        "recruitment/recruitment_date": "2025-02-01",
        "recruitment/recruiter_relation": "Friend",
        "elements/actions": "recruitment transport",
        "elements/means_of_control": "Threats WithholdsDocuments",
        "elements/exploitation_types": "ForcedLabour",
        "elements/labour_sectors": "Construction",
        "elements/presumed_child": "no",
        "route": [
            {
                "route/stage": "Recruitment",
                "route/stage_country": "UKR",
                "route/from": "2025-02-01",
            },
            {
                "route/stage": "Exploitation",
                "route/stage_country": "RUS",
                "route/from": "2025-03-01",
            },
        ],
    }


@pytest.mark.django_db
def test_a_submission_from_the_form_becomes_a_draft_screening(world) -> None:
    actor = world.user("A", "caseworker")
    case = make_case(world.office_a, actor)
    give_consent(case, actor, ConsentScope.INTERVIEW)
    content = json.dumps({"value": [submission(case.reference)]}).encode()
    outcomes = submissions_import(actor=actor, submissions=read_submissions(content, "export.json"))
    assert outcomes[0].errors == {}
    assert outcomes[0].screening_id is not None
    draft = Screening.objects.get(pk=outcomes[0].screening_id)
    assert draft.status == Screening.Status.DRAFT
    assert (draft.action_recruitment, draft.action_transport, draft.action_harbouring) == (
        True,
        True,
        False,
    )
    assert draft.means_of_control == ["Threats", "WithholdsDocuments"]
    assert draft.country_of_exploitation_id == "RUS"
    assert [e.type for e in draft.events.all()] == ["Recruitment", "Exploitation"]


@pytest.mark.django_db
def test_csv_exports_and_errors_are_reported_per_submission(world) -> None:
    actor = world.user("A", "caseworker")
    case = make_case(world.office_a, actor)
    give_consent(case, actor, ConsentScope.INTERVIEW)
    foreign = make_case(world.office_b, world.user("B", "caseworker"))
    buffer = io.StringIO()
    writer = csv.DictWriter(
        buffer,
        fieldnames=["case_reference", "elements/means_of_control", "elements/exploitation_types"],
        delimiter=";",
    )
    writer.writeheader()
    writer.writerow(
        {
            "case_reference": case.reference,
            "elements/means_of_control": "DebtBondage",
            "elements/exploitation_types": "",
        }
    )
    writer.writerow(
        {
            "case_reference": case.reference,
            "elements/means_of_control": "Magic",
            "elements/exploitation_types": "",
        }
    )
    writer.writerow(
        {
            "case_reference": foreign.reference,
            "elements/means_of_control": "",
            "elements/exploitation_types": "",
        }
    )
    outcomes = submissions_import(
        actor=actor, submissions=read_submissions(buffer.getvalue().encode(), "export.csv")
    )
    assert outcomes[0].screening_id is not None
    assert "means_of_control" in outcomes[1].errors
    assert outcomes[2].errors == {
        "case_reference": [f"No case {foreign.reference} in your offices."]
    }
    assert Screening.objects.count() == 1


@pytest.mark.django_db
def test_pages_and_api(world, login) -> None:
    from rest_framework.test import APIClient

    from safepassage.api.services import api_token_create

    actor = world.user("A", "caseworker")
    case = make_case(world.office_a, actor)
    give_consent(case, actor, ConsentScope.INTERVIEW)
    client = login(actor)
    assert client.get("/screening/xlsform/")["Content-Type"].startswith(
        "application/vnd.openxmlformats"
    )
    upload = io.BytesIO(json.dumps([submission(case.reference)]).encode())
    upload.name = "export.json"
    page = client.post("/screening/submissions/", {"file": upload})
    assert b"draft saved" in page.content
    researcher = login(world.user("A", "researcher"))
    assert_same_not_found(
        researcher.get("/screening/xlsform/"), researcher.get("/screening/submissions/")
    )
    api = APIClient()
    api.credentials(
        HTTP_AUTHORIZATION=f"Token {api_token_create(actor=None, user=actor, name='kobo')[1]}"
    )
    response = api.post(
        "/api/v1/screening/submissions/",
        {"submissions": [submission(case.reference)]},
        format="json",
        headers={"Idempotency-Key": "kobo-1"},
    )
    assert response.status_code == 200
    assert response.json()[0]["screening_id"] is not None
