"""Right of access: the person's data, decrypted and labelled, for a viewer of their office;
recorded as an export; other offices get not-found."""

from __future__ import annotations

import datetime as dt
import io
import json

import pytest
from django.core.management import call_command

from safepassage.audit.models import AccessEvent
from safepassage.conftest import assert_same_not_found
from safepassage.retention.export import person_data
from safepassage.retention.services import retention_apply
from safepassage.retention.tests.factories import SECRETS, close_on, full_case

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(world):
    return full_case(world.office_a, world.user("A", "caseworker"), registered=dt.date(2026, 3, 4))


def test_the_export_holds_every_identifier_and_record(world, case):
    data = person_data(viewer=world.user("A", "caseworker"), person_id=case.person_id)
    text = json.dumps(data, ensure_ascii=False)
    for secret in SECRETS.values():
        assert secret in text, secret
    person = data["person"]
    assert person["given names (Latin script)"] == SECRETS["given"]
    assert person["date of birth"] == "1990-05-17"
    assert person["citizenship"] == "Ukraine"
    assert data["identity_documents"][0]["kind"] == "Passport"
    (exported,) = data["cases"]
    assert exported["reference"] == case.reference
    assert {c["scope"] for c in exported["consents"]} >= {
        "Collection and storage of personal data",
        "Receiving assistance",
    }
    assert exported["notes"][0]["note"] == SECRETS["note"]
    assert exported["screenings"][0]["interview notes"] == SECRETS["interview"]
    assert exported["assistance"][0]["provider"] == SECRETS["provider"]
    assert data["anonymisation"] is None
    event = AccessEvent.objects.get(action="export", target_type="cases.person")
    assert event.target_id == str(case.person_id)
    assert event.metadata == {"purpose": "right_of_access", "cases": 1, "format": "json"}


def test_after_anonymisation_the_export_says_so(world, case):
    close_on(case, world.user("A", "supervisor"), dt.date(2014, 1, 1))
    retention_apply(today=dt.date(2026, 11, 1))
    data = person_data(viewer=world.user("HQ", "data_manager"), person_id=case.person_id)
    assert data["anonymisation"]["reason"] == "Retention period ended"
    text = json.dumps(data, ensure_ascii=False)
    for secret in SECRETS.values():
        assert secret not in text, secret


def test_download_for_the_office_and_headquarters(world, case, login):
    url = f"/retention/persons/{case.person_id}/export/"
    for persona in (("A", "caseworker"), ("A", "supervisor"), ("HQ", "data_manager")):
        response = login(world.user(*persona)).get(url)
        assert response.status_code == 200, persona
        assert response["Content-Type"].startswith("application/json")
        assert "attachment" in response["Content-Disposition"]
        assert json.loads(response.content)["person"]["phone"] == SECRETS["phone"]
    assert AccessEvent.objects.filter(action="export", source="web").count() == 3


@pytest.mark.parametrize(
    "persona",
    [
        ("B", "caseworker"),
        ("B", "data_manager"),
        ("A", "researcher"),
        ("A", "auditor"),
        ("A", "admin"),
    ],
)
def test_other_offices_and_roles_get_not_found(world, case, login, persona):
    client = login(world.user(*persona))
    assert_same_not_found(
        client.get(f"/retention/persons/{case.person_id}/export/"),
        client.get("/retention/persons/999999/export/"),
    )
    assert not AccessEvent.objects.filter(action="export").exists()


def test_the_case_page_links_the_download(world, case, login):
    page = login(world.user("A", "caseworker")).get(f"/cases/{case.pk}/").content.decode()
    assert f"/retention/persons/{case.person_id}/export/" in page
    assert f"/retention/persons/{case.person_id}/erasure/" in page


def test_the_command_writes_the_file(world, case, tmp_path):
    out = tmp_path / "person.json"
    stdout = io.StringIO()
    call_command(
        "export_person_data", "--person", str(case.person_id), "--out", str(out), stdout=stdout
    )
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["person"]["email"] == SECRETS["email"]
    assert "1 cases" in stdout.getvalue()
    assert AccessEvent.objects.get(action="export").source == "cli"
