"""Every route x method x persona answers as `safepassage.access.routes.ROUTES` and the
permission matrix predict.

The routes come from the URL resolver and the OpenAPI schema, so a new page or API operation
without a line in ROUTES fails here with the line to add. The personas are the six roles at
office A (Kyiv) and at office B (Bangkok, another region), anonymous visitors, and for
headquarters-only routes the six roles at headquarters. Every URL is built against records owned
by office A (a transfer and a return go from A to B). The records are built once for the module;
every request runs in a savepoint that is rolled back, so no persona sees another's writes.
"""

from __future__ import annotations

import itertools
import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import resolve_url
from django.test import Client, override_settings
from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse
from django.views.decorators.http import require_POST
from drf_spectacular.generators import SchemaGenerator
from rest_framework.test import APIClient
from rest_framework.views import APIView

from safepassage.access.permissions import Role
from safepassage.access.routes import ROUTES, Outcome, Rule, Where, outcome
from safepassage.api.idempotency import HEADER
from safepassage.api.services import api_token_create
from safepassage.assistance.services import assistance_record
from safepassage.audit.models import AuditEvent
from safepassage.cases.models import ConsentScope
from safepassage.cases.services import case_close
from safepassage.cases.tests.factories import give_consent, make_case, screen
from safepassage.conftest import make_user, verified_client
from safepassage.core import clock
from safepassage.linkage.models import CandidatePair, PairBand
from safepassage.offices.models import Office
from safepassage.projects.models import Fund
from safepassage.projects.services import fund_create
from safepassage.projects.tests.factories import make_donor, make_project
from safepassage.reference.models import Country
from safepassage.research.models import ResearchRelease
from safepassage.research.services import ReleaseRequest, research_release_create
from safepassage.retention.services import erasure_request_record
from safepassage.returns.services import (
    monitoring_visit_record,
    return_depart,
    return_plan_create,
    return_schedule,
    risk_assessment_approve,
    risk_assessment_record,
)
from safepassage.screening.services import determination_record
from safepassage.transfers.services import transfer_request

SPEC_FILE = "safepassage/access/routes.py"
WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


# --- the routes as the code declares them ----------------------------------------------------


def resolver_routes() -> dict[str, URLPattern]:
    """Every named URL pattern, by its namespaced name."""
    found: dict[str, URLPattern] = {}

    def walk(resolver: URLResolver, namespace: str) -> None:
        for pattern in resolver.url_patterns:
            if isinstance(pattern, URLResolver):
                walk(pattern, pattern.namespace or namespace)
            elif isinstance(pattern, URLPattern):
                name = f"{namespace}:{pattern.name}" if namespace else str(pattern.name)
                found[name] = pattern

    walk(get_resolver(), "")
    return found


def schema_operations() -> dict[str, set[str]]:
    """URL name -> HTTP methods, for every operation of the published OpenAPI schema."""
    generator = SchemaGenerator()  # type: ignore[no-untyped-call]  # untyped library
    schema = generator.get_schema(request=None, public=True)  # type: ignore[no-untyped-call]
    operations: dict[str, set[str]] = {}
    for path, item in schema["paths"].items():
        match = resolve(re.sub(r"\{\w+\}", "1", path))
        name = f"{match.namespace}:{match.url_name}"
        methods = {m.upper() for m in item if m in {"get", "post", "put", "patch", "delete"}}
        operations.setdefault(name, set()).update(methods)
    return operations


def declared_methods(pattern: URLPattern) -> set[str] | None:
    """The methods a view accepts when it says so (an API view, or `require_POST`-style
    decorators); None for a plain view that serves GET and handles POST itself."""
    view_class = getattr(pattern.callback, "cls", None) or getattr(
        pattern.callback, "view_class", None
    )
    if isinstance(view_class, type) and issubclass(view_class, APIView):
        return {m.upper() for m in view_class.http_method_names if hasattr(view_class, m)} - {
            "OPTIONS",
            "HEAD",
        }
    closure = getattr(pattern.callback, "__closure__", None) or ()
    for cell in closure:
        contents = cell.cell_contents
        if isinstance(contents, list) and contents and all(isinstance(m, str) for m in contents):
            return set(contents) - {"HEAD"}
    return None


def _suggestion(name: str, methods: set[str]) -> str:
    rules = ", ".join(f'"{m}": read(P.<PERMISSION>, W.<WHERE>)' for m in sorted(methods))
    return f'    "{name}": {{{rules}}},'


def test_require_post_is_recognised() -> None:
    """The method check below reads `require_POST`'s closure; prove it still finds it."""
    view = require_POST(lambda request: HttpResponse())
    assert declared_methods(URLPattern("", view)) == {"POST"}  # type: ignore[arg-type]  # a bare pattern


def test_every_route_and_operation_is_in_the_specification() -> None:
    routes = resolver_routes()
    operations = schema_operations()
    problems: list[str] = []
    missing = sorted(set(routes) - set(ROUTES))
    if missing:
        problems.append(
            f"Routes with no access rule: add to ROUTES in {SPEC_FILE}, then put the output of "
            "`python -m safepassage.access.routes` between the routes markers of "
            "docs/access-control.md:\n"
            + "\n".join(
                _suggestion(name, operations.get(name) or declared_methods(routes[name]) or {"GET"})
                for name in missing
            )
        )
    stale = sorted(set(ROUTES) - set(routes))
    if stale:
        problems.append(f"ROUTES in {SPEC_FILE} names routes that no longer exist: {stale}")
    for name, methods in sorted(operations.items()):
        spec = set(ROUTES.get(name, {}))
        if name in ROUTES and spec != methods:
            problems.append(
                f"{name}: the API schema has operations {sorted(methods)}, ROUTES in {SPEC_FILE} "
                f"has {sorted(spec)}: add or remove the methods"
            )
    for name, pattern in sorted(routes.items()):
        accepted = declared_methods(pattern)
        spec = set(ROUTES.get(name, {}))
        if name in ROUTES and accepted is not None and spec - accepted:
            problems.append(f"{name}: ROUTES has {sorted(spec - accepted)}, the view refuses them")
        if (
            name in ROUTES
            and accepted is not None
            and accepted - spec - {"GET"}
            and name not in operations
        ):
            problems.append(
                f"{name}: the view accepts {sorted(accepted - spec)}, ROUTES lacks them"
            )
    assert not problems, "\n\n".join(problems)


# --- the world: records of office A, personas, clients ---------------------------------------


@dataclass(frozen=True)
class Persona:
    office: str  # "A", "B", "HQ"; "" for anonymous
    role: str | None

    @property
    def label(self) -> str:
        return f"{self.office}_{self.role}" if self.role else "anonymous"


ANONYMOUS = Persona("", None)
PERSONAS = [Persona(office, role) for office in ("A", "B") for role in Role.values]
HQ_PERSONAS = [Persona("HQ", role) for role in Role.values]
# The URL's records belong to office A; a transfer and a return go from A to B.
REACHES: dict[str, frozenset[Where]] = {
    "A": frozenset({Where.RECORD, Where.SENDING, Where.EITHER_END}),
    "B": frozenset({Where.RECEIVING, Where.EITHER_END}),
    "HQ": frozenset(Where),
}


@dataclass
class RouteWorld:
    ids: dict[str, int]
    case_reference: str
    sessions: dict[str, str] = field(default_factory=dict)
    tokens: dict[str, str] = field(default_factory=dict)


def _office(code: str, name: str, iso3: str, kind: str = Office.Kind.COUNTRY) -> Office:
    return Office.objects.create(
        code=code, name=name, country=Country.objects.get(iso3=iso3), kind=kind
    )


def build_world() -> RouteWorld:  # one record per route family, read top down
    a = _office("UA-KYIV", "Kyiv", "UKR")
    b = _office("TH-BKK", "Bangkok", "THA")
    hq = _office("HQ", "Headquarters", "CHE", Office.Kind.HEADQUARTERS)
    users = {
        f"{key}_{role}": make_user(f"{key.lower()}_{role}", office, role)
        for key, office in (("A", a), ("B", b), ("HQ", hq))
        for role in Role.values
    }
    cw, sup, dm = users["A_caseworker"], users["A_supervisor"], users["A_data_manager"]
    clerk = make_user("a_clerk", a, Role.CASEWORKER)

    case = make_case(a, cw)
    give_consent(case, cw, ConsentScope.ASSISTANCE, ConsentScope.RETURN)
    give_consent(case, cw, ConsentScope.SHARING_OFFICE, office=b)
    screen(case, cw)
    assistance_record(
        actor=cw,
        case=case,
        service_type="medical",
        phase="protection",
        start_date=clock.today(),
        amount=Decimal(120),
        currency="USD",
    )
    case.refresh_from_db()
    transfer = transfer_request(actor=cw, case=case, to_office=b)
    case.refresh_from_db()
    plan = return_plan_create(
        actor=cw, case=case, data={"destination_country": "THA", "receiving_office": b}
    )
    assessment = risk_assessment_record(
        actor=cw, plan=plan, level="low", risks="Recruiter nearby", mitigation_plan="Escort"
    )
    monitoring_visit_record(actor=cw, case=case, date=clock.today(), status="re_trafficked")

    # A screened case with a determination waiting for approval.
    deciding = make_case(a, cw, given="Ivan", family="Tkachenko")
    screen(deciding, cw)
    deciding.refresh_from_db()
    determination = determination_record(
        actor=cw, case=deciding, expected_version=deciding.version, outcome="vot"
    )

    # A second case whose return has departed for B: the arrival pages.
    returning = make_case(a, cw, given="Mykola", family="Bondarenko")
    give_consent(returning, cw, ConsentScope.ASSISTANCE, ConsentScope.RETURN)
    screen(returning, cw)
    assistance_record(
        actor=cw,
        case=returning,
        service_type="medical",
        phase="protection",
        start_date=clock.today(),
    )
    returning.refresh_from_db()
    departed = return_plan_create(
        actor=cw, case=returning, data={"destination_country": "THA", "receiving_office": b}
    )
    risk_assessment_approve(
        actor=sup,
        assessment=risk_assessment_record(
            actor=cw, plan=departed, level="low", risks="None known", mitigation_plan="Escort"
        ),
        note="",
    )
    return_schedule(actor=cw, plan=departed, planned_date=clock.today())
    return_depart(actor=cw, plan=departed, departure_date=clock.today())

    # A third case with a caseworker's closure request waiting for a supervisor.
    closing = make_case(a, cw, given="Petro", family="Melnyk")
    closing.refresh_from_db()
    case_close(
        actor=cw, case=closing, reason="assistance_completed", expected_version=closing.version
    )

    pair = CandidatePair.objects.create(
        person_a_id=min(case.person_id, closing.person_id),
        person_b_id=max(case.person_id, closing.person_id),
        probability=0.8,
        band=PairBand.REVIEW,
    )
    erasure = erasure_request_record(
        actor=cw, person=closing.person, received_on=clock.today(), basis="no_longer_needed"
    )
    donor = make_donor()
    project = make_project("UA-DA-01", [a], ["UKR"], funding=[(donor, 2011, "5000", "USD", None)])
    fund = fund_create(
        actor=None,
        code="UA-DA-01-F",
        name="Kyiv direct assistance fund",
        kind=Fund.Kind.PROJECT,
        project=project,
        offices=[a],
    )
    release = research_release_create(
        actor=dm,
        request=ReleaseRequest(
            method=ResearchRelease.Method.DP, epsilon=1.0, year_from=2026, year_to=2026
        ),
    )

    world = RouteWorld(
        ids={
            "office_id": a.pk,
            "user_id": clerk.pk,
            "membership_id": clerk.memberships.get().pk,
            "case_id": case.pk,
            "closing_case_id": closing.pk,
            "deciding_case_id": deciding.pk,
            "person_id": case.person_id,
            "consent_id": case.consents.first().pk,  # type: ignore[union-attr]  # made above
            "determination_id": determination.pk,
            "transfer_id": transfer.pk,
            "plan_id": plan.pk,
            "return_id": plan.pk,
            "departed_id": departed.pk,
            "assessment_id": assessment.pk,
            "alert_id": case.alerts.get().pk,
            "pair_id": pair.pk,
            "project_id": project.pk,
            "funding_id": project.fundings.get().pk,
            "fund_id": fund.pk,
            "release_id": release.pk,
            "request_id": erasure.pk,
        },
        case_reference=case.reference,
    )
    for label, user in users.items():
        client = verified_client(user)
        world.sessions[label] = client.cookies[settings.SESSION_COOKIE_NAME].value
        world.tokens[label] = api_token_create(actor=None, user=user, name="matrix")[1]
    return world


@pytest.fixture(scope="module")
def route_world(
    django_db_setup: None, django_db_blocker: Any, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[RouteWorld]:
    """The records, built once; each test's own transaction nests inside this one."""
    var_dir = Path(tmp_path_factory.mktemp("route-matrix-var"))
    with django_db_blocker.unblock(), override_settings(VAR_DIR=var_dir):
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            yield build_world()
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


# --- requests --------------------------------------------------------------------------------

# The record each route's URL points at, where the argument name alone does not say.
URL_ARGS: dict[str, dict[str, str]] = {
    "cases:determination_approve": {"case_id": "deciding_case_id"},
    "cases:determination_return": {"case_id": "deciding_case_id"},
    "api:determination_approve": {"case_id": "deciding_case_id"},
    "api:determination_return": {"case_id": "deciding_case_id"},
    "cases:closure_approve": {"case_id": "closing_case_id"},
    "cases:closure_decline": {"case_id": "closing_case_id"},
    "returns:arrival": {"plan_id": "departed_id"},
    "api:return_arrival": {"return_id": "departed_id"},
}
QUERIES: dict[str, Callable[[RouteWorld], str]] = {
    "projects:fund_charge": lambda world: f"reference={world.case_reference}",
    "api:report": lambda world: "year=2026",
}
# Bodies that get a write past its input checks to the permission check of its service.
TODAY = clock.today().isoformat()
PAYLOADS: dict[str, dict[str, str]] = {
    "api:return_arrival": {"date": TODAY},
    "api:transfer_reject": {"reason": "No capacity"},
    "transfers:transfer_reject": {"reason": "No capacity"},
    "retention:erasure_reject": {"reason": "not_verified"},
    "cases:note_add": {"text": "Called the shelter."},
    "api:note_create": {"text": "Called the shelter."},
}
# Uploads are multipart, as the clients send them.
MULTIPART = {"api:case_import"}
FIXED_ARGS = {"fmt": "json"}


def url_for(world: RouteWorld, name: str) -> str:
    pattern = resolver_routes()[name]
    arguments = {}
    for argument in pattern.pattern.converters:
        if argument in FIXED_ARGS:
            arguments[argument] = FIXED_ARGS[argument]
        else:
            key = URL_ARGS.get(name, {}).get(argument, argument)
            arguments[argument] = str(world.ids[key])
    url = reverse(name, kwargs=arguments)
    query = QUERIES.get(name)
    return f"{url}?{query(world)}" if query else url


_keys = itertools.count(1)


def send(world: RouteWorld, persona: Persona, name: str, method: str, url: str) -> Any:
    payload = PAYLOADS.get(name, {}) if method in WRITE_METHODS else {}
    if name.startswith("api:"):
        api = APIClient()
        headers = {HEADER: f"matrix-{next(_keys)}"} if method in WRITE_METHODS else {}
        if persona.role is not None:
            headers["Authorization"] = f"Token {world.tokens[persona.label]}"
        if method == "GET":
            return api.get(url, headers=headers)
        if name in MULTIPART:
            body, content_type = encode_multipart(BOUNDARY, payload).decode(), MULTIPART_CONTENT
        else:
            body, content_type = json.dumps(payload), "application/json"
        return api.generic(method, url, body, content_type, headers=headers)
    client = Client()
    if persona.role is not None:
        client.cookies[settings.SESSION_COOKIE_NAME] = world.sessions[persona.label]
    if method == "GET":
        return client.get(url)
    return client.post(url, payload)


def _to_login(response: Any) -> bool:
    """The login-required redirect (with `next`), not a redirect after logging out."""
    location = response.get("Location", "")
    return (
        response.status_code == 302
        and location.startswith(resolve_url(settings.LOGIN_URL))
        and "next=" in location
    )


def classify(response: Any) -> str:
    return "302 to login" if _to_login(response) else str(response.status_code)


def matches(expected: Outcome, response: Any, method: str, wrote: bool) -> bool:
    status: int = response.status_code
    to_login = _to_login(response)
    if expected is Outcome.LOGIN:
        return to_login
    if expected is Outcome.UNAUTHORIZED:
        return status == 401
    if expected is Outcome.NOT_FOUND:
        return status == 404 and not wrote
    if expected is Outcome.REFUSED:
        # 403, or the form shown again (200 unbound, 400 with the refusal), or 409; never a
        # write and never the redirect of a success.
        return status in {200, 400, 403, 409} and not wrote
    if to_login or status in {401, 403, 404} or status >= 500:
        return False
    return method in WRITE_METHODS or status < 400


def personas_for(rule: Rule) -> list[Persona]:
    extra = HQ_PERSONAS if Where.HEADQUARTERS in {rule.at, rule.act_at} else []
    return [*PERSONAS, *extra, ANONYMOUS]


CASES = sorted((name, method) for name, methods in ROUTES.items() for method in methods)


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "method"), CASES, ids=[f"{n}-{m}" for n, m in CASES])
def test_route_answers_every_persona_as_the_matrix_says(
    route_world: RouteWorld, name: str, method: str
) -> None:
    rule = ROUTES[name][method]
    url = url_for(route_world, name)
    wrong: list[str] = []
    for persona in personas_for(rule):
        # The API throttles per user; these requests are not what the limit is about.
        cache.clear()
        expected = outcome(
            rule,
            role=persona.role,
            reaches=REACHES.get(persona.office, frozenset()),
            api=name.startswith("api:"),
        )
        with transaction.atomic():
            before = AuditEvent.objects.count()
            response = send(route_world, persona, name, method, url)
            wrote = AuditEvent.objects.count() != before
            transaction.set_rollback(True)
        if not matches(expected, response, method, wrote):
            wrong.append(
                f"{persona.label}: expected {expected.value}, got {classify(response)}"
                + (" and a write" if wrote else "")
            )
    assert not wrong, f"{method} {url} ({name}):\n" + "\n".join(wrong)
