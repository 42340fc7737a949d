from __future__ import annotations

from pathlib import Path

import pytest
from rest_framework.test import APIClient

from safepassage.api.services import api_token_create
from safepassage.cases.models import Case
from safepassage.interop.tests.factories import write_file

pytestmark = pytest.mark.django_db


def client_for(user) -> APIClient:
    client = APIClient()
    client.credentials(
        HTTP_AUTHORIZATION=f"Token {api_token_create(actor=None, user=user, name='t')[1]}"
    )
    return client


def upload(client: APIClient, path: Path, key: str, **fields: str):
    with path.open("rb") as handle:
        return client.post(
            "/api/v1/imports/",
            {"file": handle, "format": "ctdc-kanon", "office": "UA-KYIV", **fields},
            format="multipart",
            headers={"Idempotency-Key": key},
        )


def test_import_over_the_api_is_all_or_nothing_and_idempotent(world, tmp_path: Path) -> None:
    client = client_for(world.user("A", "data_manager"))
    good = write_file(tmp_path / "good.csv", "ctdc-kanon", 12)
    first = upload(client, good, "import-1")
    assert first.status_code == 201, first.json()
    assert first.json()["rows_imported"] == 12
    again = upload(client, good, "import-1")
    assert again["Idempotent-Replayed"] == "true"
    assert Case.objects.count() == 12
    # a file with a bad row writes nothing and says where
    lines = good.read_text().splitlines()
    lines[3] = (
        lines[3].replace(",Female,", ",Purple,")
        if ",Female," in lines[3]
        else lines[3].replace(",Male,", ",Purple,")
    )
    bad = tmp_path / "bad.csv"
    bad.write_text("\n".join(lines) + "\n")
    response = upload(client, bad, "import-2")
    body = response.json()
    assert response.status_code == 200
    assert body["committed"] is False and body["error_count"] >= 1
    assert body["row_errors"][0]["row"] == 4
    assert Case.objects.count() == 12


def test_import_into_another_office_is_not_found(world, tmp_path: Path) -> None:
    good = write_file(tmp_path / "good.csv", "ctdc-kanon", 3)
    foreign = upload(client_for(world.user("B", "data_manager")), good, "k1")
    missing = upload(client_for(world.user("B", "data_manager")), good, "k2", office="XX-NONE")
    assert foreign.status_code == missing.status_code == 404
    assert foreign.json() == missing.json()
    assert upload(client_for(world.user("A", "caseworker")), good, "k3").status_code == 404
    assert not Case.objects.exists()
