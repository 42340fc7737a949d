from __future__ import annotations

from itertools import pairwise
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction

from safepassage.audit.models import AccessEvent, AppendOnlyError, AuditEvent
from safepassage.audit.services import access_record, audit_record
from safepassage.audit.verify import verify_all

pytestmark = pytest.mark.django_db


def record(n: int) -> list[AuditEvent]:
    return [
        audit_record(
            actor=None,
            office=None,
            event_type="test.event",
            target=("test.thing", i),
            changed_fields=["a"],
        )
        for i in range(n)
    ]


def test_events_form_an_intact_chain() -> None:
    events = record(5)
    assert [e.seq for e in events] == sorted(e.seq for e in events)
    assert all(b.prev_hash == a.hash for a, b in pairwise(events))
    assert all(report.problem is None for report in verify_all())
    call_command("verify_audit")


def test_orm_refuses_update_and_delete() -> None:
    event = record(1)[0]
    event.event_type = "changed"
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.delete()
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.filter(pk=event.pk).update(event_type="changed")
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.filter(pk=event.pk).delete()
    with pytest.raises(AppendOnlyError):
        AccessEvent.objects.all().delete()


def _tamper(sql: str, params: list[Any]) -> None:
    """Change a row behind the ORM's back. On PostgreSQL the append-only trigger refuses, so the
    attacker here is one who can also drop triggers (a database owner)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with pytest.raises(DatabaseError), transaction.atomic():
                cursor.execute(sql, params)
            cursor.execute(
                "ALTER TABLE audit_auditevent DISABLE TRIGGER audit_auditevent_append_only"
            )
        cursor.execute(sql, params)
        if connection.vendor == "postgresql":
            cursor.execute(
                "ALTER TABLE audit_auditevent ENABLE TRIGGER audit_auditevent_append_only"
            )


def test_verify_audit_names_an_edited_row() -> None:
    # given a chain of events
    events = record(6)
    victim = events[3]
    # when one row is edited with raw SQL
    _tamper(
        "UPDATE audit_auditevent SET event_type = %s WHERE id = %s", ["case.innocent", victim.pk]
    )
    # then verification fails and names that row
    with pytest.raises(CommandError) as excinfo:
        call_command("verify_audit")
    assert f"seq {victim.seq} (row id {victim.pk})" in str(excinfo.value)
    assert "altered" in str(excinfo.value)


def test_verify_audit_names_a_deleted_row() -> None:
    events = record(4)
    victim = events[1]
    _tamper("DELETE FROM audit_auditevent WHERE id = %s", [victim.pk])
    with pytest.raises(CommandError) as excinfo:
        call_command("verify_audit")
    assert f"seq {victim.seq}" in str(excinfo.value)


def test_verify_audit_notices_rows_removed_at_the_end() -> None:
    events = record(3)
    _tamper("DELETE FROM audit_auditevent WHERE id = %s", [events[-1].pk])
    with pytest.raises(CommandError):
        call_command("verify_audit")


def test_access_events_have_their_own_chain() -> None:
    access_record(actor=None, office=None, action="view", target=("cases.case", 1))
    access_record(actor=None, office=None, action="export", target=("cases.case", 2))
    reports = {r.chain: r for r in verify_all()}
    assert reports["access"].rows == 2
    assert reports["access"].problem is None


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="database trigger exists on PostgreSQL only"
)
def test_postgres_trigger_refuses_raw_updates() -> None:
    event = record(1)[0]
    with connection.cursor() as cursor, pytest.raises(DatabaseError), transaction.atomic():
        cursor.execute("UPDATE audit_auditevent SET event_type = 'x' WHERE id = %s", [event.pk])
