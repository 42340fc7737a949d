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
    call_command("seed_demo", "--if-empty", stdout=out)
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
