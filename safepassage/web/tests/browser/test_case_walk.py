"""Issue 3's walk in a real browser: a caseworker of office A registers a person (search before
create), records consent, screens, records the suggested determination, records assistance
and asks to close the case; a supervisor approves the determination and the closure."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, Page, expect
from pytest_django.live_server_helper import LiveServer

from safepassage.audit.models import AuditEvent
from safepassage.cases.models import Case, CaseStatus
from safepassage.conftest import PASSWORD, World
from safepassage.screening.models import Determination
from safepassage.web.tests.browser.conftest import BrowserErrors
from safepassage.web.tests.browser.helpers import log_in, screenshot
from safepassage.web.tests.browser.walks import (
    accept_confirmations,
    another_person,
    expect_flash,
)

pytestmark = pytest.mark.browser


def record_consent(page: Page, scope: str) -> None:
    page.get_by_label("Scope").select_option(scope)
    page.get_by_role("button", name="Record", exact=True).click()
    expect_flash(page, "Consent decision recorded.")


def record_service(page: Page, service: str, phase: str) -> None:
    page.get_by_label(re.compile(r"^Service\b")).select_option(service)
    page.get_by_label("Phase").select_option(phase)
    page.get_by_role("button", name="Record", exact=True).click()
    expect_flash(page, "Assistance recorded.")


def test_a_case_from_registration_to_closure(
    page: Page,
    browser: Browser,
    browser_errors: BrowserErrors,
    live_server: LiveServer,
    world: World,
) -> None:
    accept_confirmations(page)
    caseworker = world.user("A", "caseworker")
    log_in(page, live_server.url, caseworker, PASSWORD)

    # search before create: nobody by that name yet, so register a new person
    page.get_by_role("link", name="Cases").click()
    page.goto("/cases/new/")
    page.get_by_label("Given names").fill("Oksana")
    page.get_by_label("Family names").fill("Melnyk")
    page.get_by_role("button", name="Search").click()
    screenshot(page, "case-walk-01-search-before-create")
    page.get_by_role("link", name="None of these: register a new person").click()
    expect(page.get_by_label("Given names (Latin script)")).to_have_value("Oksana")
    page.get_by_label("Sex / gender").select_option("Feminine")
    page.get_by_label("Date of birth", exact=True).fill("1994-02-11")
    page.get_by_label("Precision of the date of birth").select_option("exact")
    page.get_by_label("Citizenship", exact=True).select_option("UKR")
    page.get_by_label("Referred by").select_option("ngo")
    page.get_by_label("Beneficiary category").select_option("presumed_vot")
    page.get_by_role("button", name="Register and open the case").click()
    expect_flash(page, re.compile(r"Case .+ opened\."))
    case = Case.objects.get(person__office=world.office_a)
    expect(page.get_by_role("heading", level=1)).to_contain_text(case.reference)
    expect(page.get_by_role("heading", level=1)).to_contain_text("Oksana Melnyk")
    screenshot(page, "case-walk-02-registered")

    # the person consents to the interview and to assistance
    page.get_by_role("link", name="Record consent").click()
    record_consent(page, "interview")
    record_consent(page, "assistance")
    expect(page.get_by_role("table")).to_contain_text("Screening interview")
    expect(page.get_by_role("table")).to_contain_text("Receiving assistance")
    screenshot(page, "case-walk-03-consent")

    # screening with action, means and purpose
    page.get_by_role("navigation", name="Case sections").get_by_role(
        "link", name="Screening"
    ).click()
    page.get_by_label("Recruited", exact=True).check()
    page.get_by_label("Threats", exact=True).check()
    page.get_by_label("Forced labour", exact=True).check()
    page.get_by_label("Construction", exact=True).check()
    page.get_by_label("Country of exploitation (last)").select_option("RUS")
    page.get_by_role("button", name="Submit").click()
    expect_flash(page, "Screening version 1 submitted.")

    # the determination page suggests VoT; the caseworker records it
    page.get_by_role("navigation", name="Case sections").get_by_role(
        "link", name="Determination"
    ).click()
    suggestion = page.locator("section.card").first
    expect(suggestion).to_contain_text("Victim of trafficking")
    expect(page.get_by_label("Victim of trafficking", exact=True)).to_be_checked()
    screenshot(page, "case-walk-04-determination-suggested")
    page.get_by_label("Reasons").fill("Recruited by deception, threatened, forced labour.")
    page.get_by_role("button", name="Record the decision").click()
    expect_flash(page, "Determination recorded; it waits for approval.")

    # two assistance services
    page.get_by_role("navigation", name="Case sections").get_by_role(
        "link", name="Assistance"
    ).click()
    record_service(page, "accommodation", "protection")
    record_service(page, "medical", "protection")
    expect(page.locator("table").first).to_contain_text("Medical")
    screenshot(page, "case-walk-05-assistance")

    # a caseworker's close is a request
    page.get_by_role("navigation", name="Case sections").get_by_role("link", name="Case").click()
    page.get_by_role("link", name="Request closure").click()
    page.get_by_label("Reason for closing").select_option("assistance_completed")
    page.get_by_role("button", name="Send the request").click()
    expect_flash(page, "Your request to close the case was sent to a supervisor")
    expect(page.get_by_role("heading", level=1)).to_contain_text("closure requested")
    screenshot(page, "case-walk-06-closure-requested")

    # the supervisor, at another computer, approves the determination and the closure
    with another_person(browser, live_server.url, browser_errors) as supervisor:
        log_in(supervisor, live_server.url, world.user("A", "supervisor"), PASSWORD)
        supervisor.get_by_role("link", name="Approvals").click()
        expect(supervisor.get_by_role("main")).to_contain_text(case.reference)
        screenshot(supervisor, "case-walk-07-approvals")
        supervisor.locator("section").filter(has_text="Determinations waiting").get_by_role(
            "link", name=case.reference
        ).click()
        supervisor.get_by_role("button", name="Approve").click()
        expect_flash(supervisor, "Determination approved.")
        supervisor.goto(f"/cases/{case.pk}/")
        supervisor.get_by_role("button", name=re.compile(r"^Approve closure")).click()
        expect_flash(supervisor, f"Case {case.reference} closed.")
        expect(supervisor.get_by_role("heading", level=1)).to_contain_text("Closed")
        screenshot(supervisor, "case-walk-08-closed")

    case.refresh_from_db()
    assert case.status == CaseStatus.CLOSED
    assert case.determinations.get().status == Determination.Status.APPROVED
    assert case.services.count() == 2
    assert AuditEvent.objects.filter(event_type="case.closed", actor=world.user("A", "supervisor"))
