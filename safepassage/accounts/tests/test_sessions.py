"""Idle sessions: the expiry moves forward at most once per refresh interval, an idle session
ends, and an anonymous visit stores nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from safepassage.accounts.middleware import SESSION_REFRESHED_KEY
from safepassage.core import clock

pytestmark = pytest.mark.django_db


def _session_writes(queries: CaptureQueriesContext) -> list[str]:
    return [
        q["sql"]
        for q in queries.captured_queries
        if "django_session" in q["sql"] and not q["sql"].lstrip().upper().startswith("SELECT")
    ]


def _row(client: Client) -> Session:
    return Session.objects.get(session_key=client.session.session_key)


def test_requests_within_the_refresh_interval_write_no_session(world, login) -> None:
    client = login(world.user("A", "caseworker"))
    assert client.get("/").status_code == 200
    stamped = client.session[SESSION_REFRESHED_KEY]
    expiry = _row(client).expire_date
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/").status_code == 200
        assert client.get("/cases/").status_code == 200
    assert _session_writes(queries) == []
    assert _row(client).expire_date == expiry
    assert client.session[SESSION_REFRESHED_KEY] == stamped


def test_a_request_after_the_interval_moves_the_expiry_forward(world, login, monkeypatch) -> None:
    client = login(world.user("A", "caseworker"))
    assert client.get("/").status_code == 200
    stamped = client.session[SESSION_REFRESHED_KEY]
    later = clock.now() + dt.timedelta(seconds=settings.SAFEPASSAGE_SESSION_REFRESH_SECONDS)
    monkeypatch.setattr(clock, "now", lambda: later)
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/").status_code == 200
    assert len(_session_writes(queries)) == 1
    assert client.session[SESSION_REFRESHED_KEY] == int(later.timestamp()) > stamped


def test_a_stamp_from_the_future_is_replaced(world, login, monkeypatch) -> None:
    """A clock set back (or a tampered stamp) must not stop the expiry from moving."""
    client = login(world.user("A", "caseworker"))
    session = client.session
    session[SESSION_REFRESHED_KEY] = int(clock.now().timestamp()) + 3600
    session.save()
    assert client.get("/").status_code == 200
    assert client.session[SESSION_REFRESHED_KEY] <= int(clock.now().timestamp())


def test_an_idle_session_ends(world, login) -> None:
    client = login(world.user("A", "caseworker"))
    assert client.get("/").status_code == 200
    # As if SESSION_COOKIE_AGE had passed since the last save.
    Session.objects.filter(session_key=client.session.session_key).update(
        expire_date=clock.now() - dt.timedelta(seconds=1)
    )
    response = client.get("/cases/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse(settings.LOGIN_URL))


def test_an_anonymous_visit_stores_no_session(db) -> None:
    before = Session.objects.count()
    assert Client().get("/accounts/login/").status_code == 200
    assert Client().get("/cases/").status_code == 302
    assert Session.objects.count() == before
