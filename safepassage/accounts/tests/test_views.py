from __future__ import annotations

import pytest
from django.test import Client
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from safepassage.access.permissions import Role
from safepassage.accounts.models import Membership, User
from safepassage.audit.models import AuditEvent
from safepassage.conftest import PASSWORD, assert_same_not_found

pytestmark = pytest.mark.django_db


def current_code(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


def test_login_enrols_then_verifies_two_factor(world) -> None:
    client = Client()
    user = world.user("A", "caseworker")
    # first login: password, then enrolment with a code from the new authenticator
    response = client.post("/accounts/login/", {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302
    page = client.get("/accounts/two-factor/")
    assert b"Set up two-factor" in page.content
    device = TOTPDevice.objects.get(user=user)
    assert not device.confirmed
    response = client.post("/accounts/two-factor/", {"token": current_code(device)})
    assert response.status_code == 302
    home = client.get("/")
    assert home.status_code == 200
    assert b"UA-KYIV" in home.content
    device.refresh_from_db()
    assert device.confirmed
    events = list(AuditEvent.objects.filter(actor=user).values_list("event_type", flat=True))
    assert {"auth.login", "auth.two_factor_enrolled"} <= set(events)


def test_wrong_code_is_refused(world) -> None:
    client = Client()
    user = world.user("A", "caseworker")
    TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    client.post("/accounts/login/", {"username": user.username, "password": PASSWORD})
    response = client.post("/accounts/two-factor/", {"token": "000000"})
    assert response.status_code == 200
    assert b"not valid" in response.content
    assert client.get("/").status_code == 302


def test_lockout_after_five_failures(world) -> None:
    client = Client()
    user = world.user("A", "caseworker")
    for _ in range(5):
        client.post(
            "/accounts/login/", {"username": user.username, "password": "wrong-password-123"}
        )
    response = client.post("/accounts/login/", {"username": user.username, "password": PASSWORD})
    assert response.status_code == 429
    assert b"Too many failed attempts" in response.content


def test_security_headers(world, login) -> None:
    response = login(world.user("A", "caseworker")).get("/")
    csp = response["Content-Security-Policy"]
    assert "default-src 'self'" in csp
    assert "unsafe-inline" not in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_home_shows_offices_and_roles(world, login) -> None:
    response = login(world.user("B", "supervisor")).get("/")
    assert b"TH-BKK" in response.content
    assert b"Supervisor" in response.content
    assert b"UA-KYIV" not in response.content


@pytest.mark.parametrize("role", list(Role.values))
def test_office_b_cannot_see_office_a_user_pages(world, login, role) -> None:
    client = login(world.user("B", role))
    target = world.user("A", "caseworker")
    foreign = client.get(f"/accounts/users/{target.pk}/")
    missing = client.get("/accounts/users/999999/")
    assert_same_not_found(foreign, missing)
    listing = client.get("/accounts/users/")
    assert target.username.encode() not in listing.content


def test_office_b_cannot_revoke_office_a_membership(world, login) -> None:
    membership = Membership.objects.get(user=world.user("A", "caseworker"))
    client = login(world.user("B", "admin"))
    foreign = client.post(f"/accounts/memberships/{membership.pk}/revoke/")
    missing = client.post("/accounts/memberships/999999/revoke/")
    assert_same_not_found(foreign, missing)
    assert Membership.objects.filter(pk=membership.pk).exists()


def test_admin_creates_user_in_own_office_only(world, login) -> None:
    client = login(world.user("A", "admin"))
    data = {
        "username": "new_cw",
        "office": world.office_a.pk,
        "role": "caseworker",
        "password1": "Another-long-passphrase-1",
        "password2": "Another-long-passphrase-1",
    }
    response = client.post("/accounts/users/new/", data)
    assert response.status_code == 302
    created = User.objects.get(username="new_cw")
    assert created.memberships.get().office == world.office_a
    event = AuditEvent.objects.get(event_type="user.created", target_id=str(created.pk))
    assert event.actor == world.user("A", "admin")
    assert "password" in event.changed_fields
    assert "Another-long-passphrase-1" not in str(event.metadata)
    # the other office is not even a choice
    response = client.post(
        "/accounts/users/new/", {**data, "username": "x_cw", "office": world.office_b.pk}
    )
    assert response.status_code == 200
    assert not User.objects.filter(username="x_cw").exists()


def test_admin_grants_and_revokes_roles(world, login) -> None:
    admin = world.user("A", "admin")
    target = world.user("A", "caseworker")
    client = login(admin)
    client.post(
        f"/accounts/users/{target.pk}/", {"office": world.office_a.pk, "role": "supervisor"}
    )
    granted = Membership.objects.get(user=target, role="supervisor")
    client.post(f"/accounts/memberships/{granted.pk}/revoke/")
    assert not Membership.objects.filter(pk=granted.pk).exists()
    types = list(AuditEvent.objects.filter(actor=admin).values_list("event_type", flat=True))
    assert "membership.granted" in types
    assert "membership.revoked" in types


def test_caseworker_cannot_manage_users(world, login) -> None:
    client = login(world.user("A", "caseworker"))
    assert client.get("/accounts/users/new/").status_code == 404
    assert client.get("/accounts/users/").status_code == 404
