"""Shared steps of the browser walks: a second person at another browser, form filling by
label, confirmations accepted."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager

from playwright.sync_api import Browser, Page, expect

from safepassage.web.tests.browser.conftest import CSP_LISTENER, DEFAULT_TIMEOUT_MS, BrowserErrors


@contextmanager
def another_person(browser: Browser, base_url: str, errors: BrowserErrors) -> Iterator[Page]:
    """A second browser context (another person at another computer), watched for console
    errors and CSP violations like the `page` fixture."""
    context = browser.new_context(
        base_url=base_url, locale="en-GB", viewport={"width": 1280, "height": 800}
    )
    context.set_default_timeout(DEFAULT_TIMEOUT_MS)
    context.expose_binding("__safepassageCspViolation", errors.on_csp_violation)
    context.add_init_script(CSP_LISTENER)
    page = context.new_page()
    page.on("console", errors.on_console)
    page.on("pageerror", errors.on_page_error)
    accept_confirmations(page)
    try:
        yield page
    finally:
        context.close()


def accept_confirmations(page: Page) -> None:
    """Buttons with data-confirm ask first (app.js); the person says yes."""
    page.on("dialog", lambda dialog: dialog.accept())


def flash(page: Page) -> str:
    """The page's success message."""
    return page.locator(".messages .msg").first.inner_text()


def expect_flash(page: Page, text: str | re.Pattern[str]) -> None:
    expect(page.locator(".messages .msg").first).to_contain_text(text)
