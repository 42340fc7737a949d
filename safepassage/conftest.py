"""Shared fixtures: two country offices (A in Ukraine, B in Thailand), a headquarters, and a
persona for every role at each, logged in through the real two-factor session state."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.core.cache import caches
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from safepassage.access.permissions import Role
from safepassage.accounts.models import Membership, User
from safepassage.offices.models import Office
from safepassage.reference.models import Country


@pytest.fixture(autouse=True)
def _fresh_cache() -> None:
    """Each test starts with empty caches: cached dashboard figures, lockout counters and
    throttles never carry over from another test's data."""
    for cache in caches.all():
        cache.clear()


PASSWORD = "Correct-horse-battery-staple-9"


@dataclass
class World:
    office_a: Office
    office_b: Office
    hq: Office
    personas: dict[tuple[str, str], User]

    def user(self, office: str, role: str) -> User:
        return self.personas[(office, role)]


def make_user(username: str, office: Office, role: str) -> User:
    user = User.objects.create_user(username=username, password=PASSWORD)
    Membership.objects.create(user=user, office=office, role=role)
    return user


@pytest.fixture
def world(db: None) -> World:
    office_a = Office.objects.create(
        code="UA-KYIV", name="Kyiv", country=Country.objects.get(iso3="UKR")
    )
    office_b = Office.objects.create(
        code="TH-BKK", name="Bangkok", country=Country.objects.get(iso3="THA")
    )
    hq = Office.objects.create(
        code="HQ",
        name="Headquarters",
        country=Country.objects.get(iso3="CHE"),
        kind=Office.Kind.HEADQUARTERS,
    )
    personas: dict[tuple[str, str], User] = {}
    for key, office in (("A", office_a), ("B", office_b)):
        for role in Role.values:
            personas[(key, role)] = make_user(f"{key.lower()}_{role}", office, role)
    for role in Role.values:
        personas[("HQ", role)] = make_user(f"hq_{role}", hq, role)
    return World(office_a=office_a, office_b=office_b, hq=hq, personas=personas)


def verified_client(user: User) -> Client:
    """A client logged in as `user` with the second factor passed, as after a real login."""
    device, _ = TOTPDevice.objects.get_or_create(
        user=user, name="test", defaults={"confirmed": True}
    )
    client = Client()
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


@pytest.fixture
def login() -> Callable[[User], Client]:
    return verified_client


def page_text(content: bytes) -> str:
    """A page without what legitimately differs between two requests (CSRF tokens)."""
    import re

    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", content.decode())


def assert_same_not_found(foreign: object, missing: object) -> None:
    """A record of another office must answer exactly like a record that does not exist."""
    from django.http import HttpResponse

    assert isinstance(foreign, HttpResponse)
    assert isinstance(missing, HttpResponse)
    assert foreign.status_code == missing.status_code == 404
    assert page_text(foreign.content) == page_text(missing.content)
