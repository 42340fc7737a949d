from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from safepassage.accounts.models import User
from safepassage.audit.models import AuditEvent
from safepassage.offices.models import Office

pytestmark = pytest.mark.django_db


def test_create_office_and_user_from_the_command_line(monkeypatch) -> None:
    call_command("create_office", code="ua-odesa", country="UKR", name="Odesa")
    office = Office.objects.get(code="UA-ODESA")
    assert office.region == "vienna"
    monkeypatch.setattr("sys.stdin", io.StringIO("A-long-enough-passphrase-7\n"))
    call_command(
        "create_user", username="od_cw", office="UA-ODESA", role="caseworker", password_stdin=True
    )
    user = User.objects.get(username="od_cw")
    assert user.check_password("A-long-enough-passphrase-7")
    events = AuditEvent.objects.filter(source="cli").values_list("event_type", flat=True)
    assert set(events) == {"office.created", "user.created"}


def test_create_user_refuses_weak_password(monkeypatch) -> None:
    call_command("create_office", code="UA-LVIV", country="UKR", name="Lviv")
    monkeypatch.setattr("sys.stdin", io.StringIO("123\n"))
    with pytest.raises(CommandError, match="too short"):
        call_command(
            "create_user", username="weak", office="UA-LVIV", role="caseworker", password_stdin=True
        )
    assert not User.objects.filter(username="weak").exists()


def test_create_office_refuses_unknown_country() -> None:
    with pytest.raises(CommandError, match="Unknown country"):
        call_command("create_office", code="XX-1", country="XYZ", name="Nowhere")
    with pytest.raises(CommandError, match="already exists"):
        call_command("create_office", code="UA-1", country="UKR", name="One")
        call_command("create_office", code="UA-1", country="UKR", name="One again")
