from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from safepassage.access.permissions import Role
from safepassage.accounts.models import User
from safepassage.audit.models import AuditEvent

pytestmark = pytest.mark.django_db


def test_seed_demo_creates_one_account_per_role_and_prints_logins(settings, tmp_path) -> None:
    settings.VAR_DIR = tmp_path
    out = io.StringIO()
    call_command("seed_demo", "--if-empty", "--no-cases", stdout=out)
    text = out.getvalue()
    for role in Role.values:
        assert f"kyiv_{role}" in text
        user = User.objects.get(username=f"kyiv_{role}")
        password = next(
            line.split()[1]
            for line in text.splitlines()
            if line.strip().startswith(f"kyiv_{role} ")
        )
        assert user.check_password(password)
    assert (tmp_path / "demo-logins.txt").stat().st_mode & 0o777 == 0o600
    assert (
        AuditEvent.objects.filter(source="demo", event_type="user.created").count()
        == User.objects.count()
    )
    # a second run changes nothing and prints the same logins
    again = io.StringIO()
    call_command("seed_demo", "--if-empty", stdout=again)
    assert User.objects.count() == 3 * len(Role.values)
    assert "kyiv_caseworker" in again.getvalue()


def test_seed_demo_generates_cases_with_progress_and_refuses_a_second_run(
    settings, tmp_path
) -> None:
    settings.VAR_DIR = tmp_path
    out = io.StringIO()
    call_command("seed_demo", "--instances", "60", "--seed", "3", "--no-linkage", stdout=out)
    text = out.getvalue()
    assert "demo: 2011: 60/60 instances" in text
    assert "220 projects in 94 countries" in text
    assert "kyiv_caseworker" in text
    assert AuditEvent.objects.filter(source="demo", event_type="demo.seeded").exists()
    # --if-empty on a seeded database only prints the logins
    again = io.StringIO()
    call_command("seed_demo", "--if-empty", stdout=again)
    assert "kyiv_caseworker" in again.getvalue()
    assert "instances" not in again.getvalue()
