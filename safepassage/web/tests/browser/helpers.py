"""Helpers for browser tests: the real login flow (password, then TOTP enrolment or
verification), TOTP codes as an authenticator app would compute them, and screenshots.

A browser test logs in as a persona and keeps a picture of what it saw:

    log_in(page, live_server.url, world.user("A", "caseworker"), PASSWORD)
    screenshot(page, "cases-list-office-a")
"""

from __future__ import annotations

import base64
import re
from pathlib import Path
from typing import Literal

from django.conf import settings
from django_otp.oath import TOTP, totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import Page, expect

from safepassage.accounts.models import User

LOGIN_PATH = "/accounts/login/"
TWO_FACTOR_PATH = "/accounts/two-factor/"
HOME_PATH = "/"

TwoFactorStep = Literal["enrolment", "verification"]

_UNSAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")


def screenshots_dir() -> Path:
    """var/screenshots/ (var/ is git-ignored), created on first use."""
    directory = Path(settings.VAR_DIR) / "screenshots"
    directory.mkdir(parents=True, exist_ok=True)
    return directory


def screenshot(page: Page, name: str) -> Path:
    """Save the whole page as var/screenshots/<name>.png and return the path."""
    path = screenshots_dir() / f"{_UNSAFE_NAME.sub('-', name).strip('-')}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def broken_images(page: Page) -> list[str]:
    """Images on the page that the browser could not decode (alt text, or source when none).
    A broken image logs no console error, so tests that show pictures check this."""
    result: list[str] = page.evaluate(
        """() => Array.from(document.images)
            .filter((img) => img.complete && img.naturalWidth === 0)
            .map((img) => img.alt || img.src.slice(0, 80))"""
    )
    return result


def code_from_secret(secret: str) -> str:
    """The current code for a base32 key, as an authenticator app shows it after enrolment."""
    key = base64.b32decode(re.sub(r"\s+", "", secret).upper())
    return f"{totp(key):06d}"


def _device_totp(device: TOTPDevice) -> TOTP:
    return TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)


def code_for(user: User) -> str:
    """A code the user's confirmed authenticator would accept now.

    django-otp refuses a time step it has already accepted (replay protection), so right
    after a login in the same 30-second step this returns the next step's code, which the
    device's tolerance accepts, instead of waiting up to 30 seconds.
    """
    device = TOTPDevice.objects.get(user=user, confirmed=True)
    clock = _device_totp(device)
    if clock.t() <= device.last_t:
        ahead = device.last_t + 1 - clock.t()
        if ahead > device.tolerance:
            msg = f"no code for {user} is acceptable yet: step {device.last_t} was just used"
            raise AssertionError(msg)
        clock.drift += ahead
    return f"{clock.token():0{device.digits}d}"


def wrong_code_for(user: User) -> str:
    """A six-digit code the user's authenticator would reject right now."""
    device = TOTPDevice.objects.get(user=user, confirmed=True)
    clock = _device_totp(device)
    window = range(-device.tolerance - 1, device.tolerance + 2)
    accepted = {hotp_at(clock, offset) for offset in window}
    return next(f"{n:06d}" for n in range(1_000_000) if f"{n:06d}" not in accepted)


def hotp_at(clock: TOTP, offset: int) -> str:
    """The code `offset` steps away from now on the given clock."""
    original = clock.drift
    clock.drift = original + offset
    try:
        return f"{clock.token():06d}"
    finally:
        clock.drift = original


def enrol_authenticator(user: User) -> TOTPDevice:
    """A confirmed authenticator for the user, for tests that start after enrolment."""
    device, _ = TOTPDevice.objects.get_or_create(
        user=user, confirmed=True, defaults={"name": "authenticator"}
    )
    return device


def submit_password(page: Page, live_server_url: str, user: User, password: str) -> None:
    """First step of login; ends on the two-factor page (fails with the page's errors if not)."""
    page.goto(f"{live_server_url}{LOGIN_PATH}")
    page.get_by_label(re.compile(r"^Username\b")).fill(user.get_username())
    page.get_by_label(re.compile(r"^Password\b")).fill(password)
    page.get_by_role("button", name="Continue").click()
    page.wait_for_load_state()
    if TWO_FACTOR_PATH not in page.url:
        errors = page.locator("[role=alert]").all_inner_texts()
        msg = f"password step for {user} ended on {page.url}: {errors}"
        raise AssertionError(msg)


def pass_two_factor(page: Page, user: User) -> TwoFactorStep:
    """Second step of login on the two-factor page: enrol (first login, reading the key the
    page shows, as a person typing it into an app would) or verify with the enrolled device.
    Returns which of the two it was; ends on the page after login."""
    secret = page.get_by_test_id("totp-secret")
    step: TwoFactorStep
    if secret.count():
        step, code = "enrolment", code_from_secret(secret.inner_text())
    else:
        step, code = "verification", code_for(user)
    enter_code(page, code)
    page.wait_for_load_state()
    if TWO_FACTOR_PATH in page.url:
        errors = page.locator("[role=alert]").all_inner_texts()
        msg = f"two-factor {step} for {user} was refused: {errors}"
        raise AssertionError(msg)
    return step


def enter_code(page: Page, code: str) -> None:
    page.get_by_label(re.compile(r"^Six-digit code")).fill(code)
    page.get_by_role("button", name="Verify").click()


def log_in(
    page: Page, live_server_url: str, user: User, password: str, *, landing: str = HOME_PATH
) -> TwoFactorStep:
    """The whole login as a person does it; ends on `landing` (the home page by default)."""
    submit_password(page, live_server_url, user, password)
    step = pass_two_factor(page, user)
    expect(page).to_have_url(f"{live_server_url}{landing}")
    return step


def log_out(page: Page, live_server_url: str) -> None:
    page.get_by_role("button", name="Log out").click()
    expect(page).to_have_url(f"{live_server_url}{LOGIN_PATH}")
