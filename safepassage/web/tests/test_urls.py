"""Every URL requires login unless it is on the explicit public list."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

PUBLIC_URL_NAMES = {"accounts:login", "web:health", "api:schema", "api:docs"}
PUBLIC_PREFIXES = ("/static/",)

SAMPLE_VALUES = {
    "int": "1",
    "str": "x",
    "slug": "x",
    "uuid": "00000000-0000-0000-0000-000000000001",
    "path": "x",
}


def iter_patterns(
    resolver: URLResolver, prefix: str = "", namespace: str = ""
) -> Iterator[tuple[str, str]]:
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            ns = pattern.namespace or namespace
            yield from iter_patterns(pattern, prefix + str(pattern.pattern), ns)
        elif isinstance(pattern, URLPattern):
            name = f"{namespace}:{pattern.name}" if namespace else str(pattern.name)
            yield name, prefix + str(pattern.pattern)


def sample_path(route: str) -> str:
    import re

    def fill(match: re.Match[str]) -> str:
        converter = match.group(1) or "str"
        return SAMPLE_VALUES[converter]

    path = re.sub(r"<(?:(\w+):)?\w+>", fill, route)
    return "/" + path.lstrip("^").rstrip("$")


def all_routes() -> list[tuple[str, str]]:
    return sorted(set(iter_patterns(get_resolver())))


def test_there_are_routes_to_check() -> None:
    assert len(all_routes()) >= 10


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "route"), all_routes())
def test_every_route_requires_login_or_is_public(name: str, route: str) -> None:
    path = sample_path(route)
    if name in PUBLIC_URL_NAMES or path.startswith(PUBLIC_PREFIXES):
        return
    for method in ("get", "post"):
        response = getattr(Client(), method)(path)
        if name.startswith("api:"):
            # The API authenticates each request with a token: no redirect, a 401.
            assert response.status_code in (401, 405), (
                f"{method.upper()} {path} ({name}) answered {response.status_code}"
            )
            continue
        assert response.status_code == 302, (
            f"{method.upper()} {path} ({name}) answered {response.status_code} to an anonymous user"
        )
        assert response["Location"].startswith("/accounts/login/"), (
            f"{path} ({name}) redirects elsewhere"
        )


@pytest.mark.django_db
def test_public_routes_answer_anonymous_users() -> None:
    client = Client()
    assert client.get("/accounts/login/").status_code == 200
    assert client.get("/health/").json() == {"status": "ok"}


@pytest.mark.django_db
def test_logged_in_without_second_factor_only_reaches_two_factor(world) -> None:
    client = Client()
    client.force_login(world.user("A", "caseworker"))
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/two-factor/"
    assert client.get("/accounts/two-factor/").status_code == 200
