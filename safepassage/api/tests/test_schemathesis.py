"""Property-based API testing from the published OpenAPI schema: generated requests must never
cause a server error, and every response must match the schema."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error, response_schema_conformance

from safepassage.api.services import api_token_create
from safepassage.cases.models import ConsentScope
from safepassage.cases.tests.factories import give_consent, make_case, screen

EXAMPLES_PER_OPERATION = 8


@pytest.fixture
def keep_test_connection() -> Iterator[None]:
    """Requests go straight to the WSGI application, not through Django's test client: stop
    Django from closing the test's connection (and its transaction) after each request, as the
    test client does."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def test_api_conforms_to_its_schema(world, keep_test_connection) -> None:
    from config.wsgi import application

    actor = world.user("A", "supervisor")
    case = make_case(world.office_a, actor)
    give_consent(case, actor, ConsentScope.INTERVIEW, ConsentScope.ASSISTANCE)
    screen(case, actor)
    token = api_token_create(actor=None, user=actor, name="schemathesis")[1]
    keys = itertools.count(1)
    schema = schemathesis.openapi.from_wsgi("/api/v1/schema/", application)
    # An operation the schema cannot describe fails the test here (ok() raises).
    operations = [result.ok() for result in schema.get_all_operations()]  # type: ignore[union-attr]
    assert len(operations) >= 10
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=EXAMPLES_PER_OPERATION,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            derandomize=True,
            database=None,
        )
        def check(case: Any) -> None:
            headers = {
                "Authorization": f"Token {token}",
                "Idempotency-Key": f"schemathesis-{next(keys)}",
            }
            case.call_and_validate(
                headers=headers, checks=[not_a_server_error, response_schema_conformance]
            )

        check()
