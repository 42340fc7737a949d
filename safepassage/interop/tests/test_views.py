"""The web import (upload, preview, error table, confirm) and aggregate submissions."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from safepassage.accounts.models import User
from safepassage.cases.models import Case
from safepassage.conftest import World
from safepassage.interop import views
from safepassage.interop.aggregates import aggregate_template
from safepassage.interop.models import AggregateSubmission
from safepassage.interop.tests.factories import write_file
from safepassage.stats.selectors import StatsFilters, aggregate_submissions, stats_scope

Login = Callable[[User], Client]


@pytest.fixture(autouse=True)
def upload_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Uploads wait in the test's own directory, not in var/."""
    directory = tmp_path / "imports"
    directory.mkdir(mode=0o700)
    monkeypatch.setattr(views, "_upload_dir", lambda: directory)
    return directory


def test_upload_preview_confirm(
    world: World, login: Login, tmp_path: Path, upload_dir: Path
) -> None:
    client = login(world.user("A", "data_manager"))
    data = write_file(tmp_path / "vp.csv", "ctdc-vp", 25).read_bytes()
    page = client.post(
        "/interop/import/",
        {
            "office": world.office_a.pk,
            "format": "ctdc-vp",
            "file": SimpleUploadedFile("vp.csv", data),
        },
    )
    assert page.status_code == 200 and b"25 rows read" in page.content
    assert Case.objects.count() == 0  # the preview writes nothing
    token = client.session["interop_pending_import"]["token"]
    stored = list(upload_dir.glob("*.upload"))
    assert stored and all(oct(p.stat().st_mode)[-3:] == "600" for p in stored)
    done = client.post("/interop/import/confirm/", {"token": token})
    assert done.status_code == 302 and Case.objects.filter(office=world.office_a).count() == 25
    assert "interop_pending_import" not in client.session
    assert not list(upload_dir.glob("*.upload"))  # deleted after the import


def test_preview_shows_the_error_table(world: World, login: Login) -> None:
    client = login(world.user("A", "data_manager"))
    bad = b"yearRegister,gender\n2019,Martian\n"
    page = client.post(
        "/interop/import/",
        {
            "office": world.office_a.pk,
            "format": "ctdc-vp",
            "file": SimpleUploadedFile("x.csv", bad),
        },
    )
    assert b"column missing" in page.content


def test_other_roles_and_other_offices_cannot_import(
    world: World, login: Login, tmp_path: Path
) -> None:
    assert login(world.user("A", "caseworker")).get("/interop/import/").status_code == 404
    client = login(world.user("B", "data_manager"))
    data = write_file(tmp_path / "vp.csv", "ctdc-vp", 3).read_bytes()
    page = client.post(
        "/interop/import/",
        {
            "office": world.office_a.pk,
            "format": "ctdc-vp",
            "file": SimpleUploadedFile("vp.csv", data),
        },
    )
    assert page.status_code == 200 and b"Select a valid choice" in page.content
    assert Case.objects.count() == 0


def test_aggregate_submission_totals_must_agree_and_reach_the_report(
    world: World, login: Login
) -> None:
    client = login(world.user("A", "data_manager"))
    assert "variable,value,count" in aggregate_template()
    rows = "variable,value,count\nsex,female,6\nsex,male,4\nage_group,child,3\nage_group,adult,7\nnationality,UKR,10\nexploitation_type,labour,10\ntrafficking_type,cross_border,10\n"
    bad = rows.replace("sex,male,4", "sex,male,5")
    page = client.post(
        "/interop/aggregates/",
        {
            "office": world.office_a.pk,
            "year": 2025,
            "file": SimpleUploadedFile("a.csv", bad.encode()),
        },
    )
    assert b"totals disagree" in page.content and AggregateSubmission.objects.count() == 0
    page = client.post(
        "/interop/aggregates/",
        {
            "office": world.office_a.pk,
            "year": 2025,
            "file": SimpleUploadedFile("a.csv", rows.encode()),
        },
    )
    assert page.status_code == 302
    block = aggregate_submissions(stats_scope(viewer=None, filters=StatsFilters(year=2025)))
    assert block["instances"] == 10 and block["by_sex"]["female"] == 6 and block["offices"] == 1
    assert "not de-duplicated" in block["source"]
    other = login(world.user("B", "data_manager"))
    page = other.post(
        "/interop/aggregates/",
        {
            "office": world.office_a.pk,
            "year": 2025,
            "file": SimpleUploadedFile("a.csv", rows.encode()),
        },
    )
    assert b"Select a valid choice" in page.content
