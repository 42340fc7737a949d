"""Login in a real browser: password, two-factor enrolment and verification, office scoping on
the home page."""

from __future__ import annotations

import re
import time

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import Locator, Page, expect
from pytest_django.live_server_helper import LiveServer

from safepassage.audit.models import AuditEvent
from safepassage.conftest import PASSWORD, World
from safepassage.web.tests.browser.helpers import (
    HOME_PATH,
    LOGIN_PATH,
    TWO_FACTOR_PATH,
    broken_images,
    enrol_authenticator,
    enter_code,
    log_in,
    log_out,
    pass_two_factor,
    screenshot,
    submit_password,
    wrong_code_for,
)

pytestmark = pytest.mark.browser


def memberships_table(page: Page) -> Locator:
    return page.get_by_role("table")


def test_first_login_enrols_two_factor_then_home_shows_office_and_role(
    page: Page, live_server: LiveServer, world: World
) -> None:
    # given a caseworker of office A who has never logged in
    user = world.user("A", "caseworker")
    assert not TOTPDevice.objects.filter(user=user).exists()

    # when they enter their password
    submit_password(page, live_server.url, user, PASSWORD)

    # then they are asked to set up an authenticator, with a QR code and the key
    expect(page.get_by_role("heading", level=1)).to_have_text("Set up two-factor authentication")
    expect(page.get_by_role("img", name="QR code for your authenticator app")).to_be_visible()
    expect(page.get_by_test_id("totp-secret")).to_have_text(re.compile(r"^[A-Z2-7]{16,}=*$"))
    screenshot(page, "login-two-factor-enrolment")

    # when they enter the code their app shows for that key
    assert pass_two_factor(page, user) == "enrolment"

    # then they reach the home page, which shows their office and role
    expect(page).to_have_url(f"{live_server.url}{HOME_PATH}")
    expect(page.get_by_role("heading", level=1)).to_have_text("Welcome, a_caseworker")
    row = memberships_table(page).get_by_role("row").filter(has_text="UA-KYIV")
    expect(row).to_contain_text("Kyiv")
    expect(row).to_contain_text("Country office")
    expect(row).to_contain_text("Ukraine")
    expect(row).to_contain_text("Caseworker")
    expect(page.locator(".usermenu .who")).to_have_text("a_caseworker")
    screenshot(page, "login-home-office-a-caseworker")
    assert TOTPDevice.objects.filter(user=user, confirmed=True).count() == 1
    assert AuditEvent.objects.filter(
        event_type="auth.two_factor_enrolled", target_id=str(user.pk)
    ).exists()


def test_enrolment_qr_code_is_a_picture_the_browser_can_show(
    page: Page, live_server: LiveServer, world: World
) -> None:
    # given a caseworker of office A who has never logged in, after their password
    submit_password(page, live_server.url, world.user("A", "caseworker"), PASSWORD)

    # then the QR code to scan is an image the browser decoded
    expect(page.get_by_role("img", name="QR code for your authenticator app")).to_be_visible()
    assert broken_images(page) == []


def test_log_out_then_log_in_again_verifies_a_code(
    page: Page, live_server: LiveServer, world: World
) -> None:
    # given a caseworker of office A who enrolled at their first login
    user = world.user("A", "caseworker")
    assert log_in(page, live_server.url, user, PASSWORD) == "enrolment"

    # when they log out
    log_out(page, live_server.url)

    # then they are on the login page and the home page is closed to them
    expect(page.get_by_role("heading", level=1)).to_have_text("Log in")
    expect(page.get_by_role("button", name="Log out")).to_have_count(0)
    page.goto(HOME_PATH)
    expect(page).to_have_url(f"{live_server.url}{LOGIN_PATH}?next=/")

    # when they log in again, they are asked for a code, not to enrol again
    submit_password(page, live_server.url, user, PASSWORD)
    expect(page.get_by_role("heading", level=1)).to_have_text("Enter your code")
    expect(page.get_by_test_id("totp-secret")).to_have_count(0)
    screenshot(page, "login-two-factor-verification")
    assert pass_two_factor(page, user) == "verification"

    # then they are back on the home page of office A
    expect(page).to_have_url(f"{live_server.url}{HOME_PATH}")
    expect(memberships_table(page)).to_contain_text("UA-KYIV")
    screenshot(page, "login-home-after-verification")
    assert AuditEvent.objects.filter(
        event_type="auth.two_factor_verified", target_id=str(user.pk)
    ).exists()


def test_wrong_code_shows_the_error_and_does_not_log_in(
    page: Page, live_server: LiveServer, world: World
) -> None:
    # given a caseworker of office A with an authenticator, past the password step
    user = world.user("A", "caseworker")
    enrol_authenticator(user)
    submit_password(page, live_server.url, user, PASSWORD)

    # when they enter a code their authenticator would not show
    enter_code(page, wrong_code_for(user))

    # then the page says so and they stay at the second factor
    expect(page.get_by_role("alert")).to_have_text(
        "That code is not valid. Wait for a new code and try again."
    )
    expect(page).to_have_url(f"{live_server.url}{TWO_FACTOR_PATH}")
    screenshot(page, "login-two-factor-wrong-code")
    page.goto(HOME_PATH)
    expect(page).to_have_url(f"{live_server.url}{TWO_FACTOR_PATH}")
    assert AuditEvent.objects.filter(
        event_type="auth.two_factor_failed", target_id=str(user.pk)
    ).exists()

    # and once django-otp's throttle (1 s after one failure) has passed, the right code works
    time.sleep(1.1)
    assert pass_two_factor(page, user) == "verification"
    expect(page).to_have_url(f"{live_server.url}{HOME_PATH}")


def test_user_of_office_b_does_not_see_office_a_on_home(
    page: Page, live_server: LiveServer, world: World
) -> None:
    # given a caseworker of office B
    user = world.user("B", "caseworker")

    # when they log in
    log_in(page, live_server.url, user, PASSWORD)

    # then the home page shows office B and nothing of office A
    row = memberships_table(page).get_by_role("row").filter(has_text="TH-BKK")
    expect(row).to_contain_text("Bangkok")
    expect(row).to_contain_text("Caseworker")
    main = page.get_by_role("main")
    expect(main).not_to_contain_text("UA-KYIV")
    expect(main).not_to_contain_text("Kyiv")
    expect(main).not_to_contain_text("Ukraine")
    screenshot(page, "login-home-office-b-caseworker")
