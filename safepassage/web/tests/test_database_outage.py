"""The database disappears in the middle of a write: the user gets a clear 503 saying nothing
was saved, the page renders without the database, and the write left nothing behind.

On PostgreSQL the request's own server process is really terminated (pg_terminate_backend
from a second connection) as the audit event is written, after the note itself was inserted;
on SQLite the same statement fails at the cursor. Either way every later statement of the
request is refused, as with a server that stays down."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from django.db import DEFAULT_DB_ALIAS, IntegrityError, OperationalError, connection, connections
from django.test import Client
from rest_framework.test import APIClient

from safepassage.access.permissions import Role
from safepassage.api.idempotency import HEADER
from safepassage.api.services import api_token_create
from safepassage.audit.models import AuditEvent
from safepassage.cases.models import CaseNote
from safepassage.cases.tests.factories import make_case
from safepassage.conftest import World, verified_client
from safepassage.web.errors import is_database_outage, server_error

pytestmark = pytest.mark.django_db(transaction=True)

NOTE = "Met at the shelter; asked about her sister"
AUDIT_INSERT = 'INSERT INTO "audit_auditevent"'


class DatabaseGone:
    """A cursor-level wrapper: from the first statement containing `trigger` on, the database
    is gone."""

    def __init__(self, trigger: str) -> None:
        self.trigger = trigger
        self.gone = False
        self.refused: list[str] = []

    def __call__(self, execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        if self.gone:
            self.refused.append(sql)
            raise OperationalError("server closed the connection unexpectedly")
        if self.trigger in sql:
            self.gone = True
            if connection.vendor == "postgresql":
                _terminate_own_backend()
                return execute(sql, params, many, context)  # fails: the server process is gone
            raise OperationalError("disk I/O error")
        return execute(sql, params, many, context)


def _terminate_own_backend() -> None:
    pid = connection.connection.info.backend_pid
    own = connections[DEFAULT_DB_ALIAS]
    other = type(own)(dict(own.settings_dict), alias="outage-test")
    try:
        with other.cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
            assert cursor.fetchone()[0] is True
    finally:
        other.close()


def _case(world: World) -> Any:
    caseworker = world.user("A", Role.CASEWORKER)
    return caseworker, make_case(office=world.office_a, actor=caseworker)


def test_page_write_losing_its_database_answers_503_and_saves_nothing(
    world: World, caplog: pytest.LogCaptureFixture
) -> None:
    # given a caseworker on a case of their office
    caseworker, case = _case(world)
    client: Client = verified_client(caseworker)
    client.raise_request_exception = False
    audit_before = AuditEvent.objects.count()
    gone = DatabaseGone(AUDIT_INSERT)

    # when the database disappears after the note row was written, before the audit event
    with caplog.at_level(logging.WARNING), connection.execute_wrapper(gone):
        response = client.post(f"/cases/{case.pk}/notes/?q=Kovalenko", {"text": NOTE})

    # then the answer is a 503 page saying nothing was saved, rendered while every statement
    # after the failure is refused
    assert gone.gone
    assert response.status_code == 503
    assert response["Retry-After"]
    assert "Nothing was saved" in response.content.decode()
    # and no partial write remains: neither the note nor any audit event
    assert not CaseNote.objects.filter(case=case).exists()
    assert AuditEvent.objects.count() == audit_before
    # and the log names the failure without personal data (no note text, no search terms)
    assert "database unavailable (OperationalError) during POST" in caplog.text
    assert NOTE not in caplog.text
    assert "Kovalenko" not in caplog.text

    # and once the database is back the same write succeeds
    response = client.post(f"/cases/{case.pk}/notes/", {"text": NOTE})
    assert response.status_code == 302
    assert CaseNote.objects.filter(case=case).count() == 1


def test_api_write_losing_its_database_answers_503_problem_json(world: World) -> None:
    # given an API client of a caseworker
    caseworker, case = _case(world)
    _, key = api_token_create(actor=None, user=caseworker, name="test")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    client.raise_request_exception = False

    # when the database disappears while the note is written
    with connection.execute_wrapper(DatabaseGone(AUDIT_INSERT)):
        response = client.post(
            f"/api/v1/cases/{case.pk}/notes/",
            {"text": NOTE},
            format="json",
            headers={HEADER: "outage-1"},
        )

    # then a JSON problem with a stable code, and nothing written
    assert response.status_code == 503
    assert response.json()["error"]["code"] == "unavailable"
    assert "Nothing was saved" in response.json()["error"]["message"]
    assert not CaseNote.objects.filter(case=case).exists()


def test_only_connection_failures_count_as_an_outage(rf: Any) -> None:
    # a broken rule is a bug or a conflict, not an outage: it stays a 500
    assert is_database_outage(OperationalError("terminating connection"))
    assert not is_database_outage(IntegrityError("duplicate key"))
    request = rf.get("/cases/")
    try:
        raise IntegrityError("duplicate key")
    except IntegrityError:
        assert server_error(request).status_code == 500
    try:
        raise OperationalError("could not connect to server")
    except OperationalError:
        assert server_error(request).status_code == 503
