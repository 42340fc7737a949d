"""Browser test harness: Playwright's sync API driving Debian's Chromium against pytest-django's
live_server.

Fixtures:
    browser                 one headless Chromium for the session
    browser_context_args    keyword arguments for each test's browser context (override per
                            module or test to change locale, viewport...)
    page                    a fresh context and page per test, with `base_url` set to the live
                            server; fails the test on console errors, uncaught JS errors and CSP
                            violations unless marked `allow_browser_errors`
    browser_errors          what the page fixture collected, for tests that assert on it

Helpers (login, TOTP codes, screenshots) live in `helpers.py`.

Without Chromium the browser tests skip, or fail when SAFEPASSAGE_REQUIRE_BROWSER=1 (CI).
"""

from __future__ import annotations

import os
import re
from collections.abc import Generator, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, ConsoleMessage, Page, Playwright, sync_playwright
from pytest_django.live_server_helper import LiveServer

from safepassage.web.tests.browser.helpers import screenshot

CHROMIUM = Path("/usr/bin/chromium")
# Quiet and offline: no sandbox (containers, root in CI), no GPU, no calls home.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
REQUIRE_BROWSER_ENV = "SAFEPASSAGE_REQUIRE_BROWSER"
ASYNC_UNSAFE_ENV = "DJANGO_ALLOW_ASYNC_UNSAFE"
DEFAULT_TIMEOUT_MS = 5_000

# Reports CSP violations to the test; init scripts are injected by the browser, so the
# page's own CSP does not block this listener.
CSP_LISTENER = """
document.addEventListener("securitypolicyviolation", (event) => {
  window.__safepassageCspViolation({
    directive: event.violatedDirective,
    blocked: event.blockedURI,
    source: event.sourceFile,
    line: event.lineNumber,
  });
});
"""

_report_key = pytest.StashKey[dict[str, pytest.TestReport]]()


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "allow_browser_errors(*patterns): let console errors or CSP violations matching "
        "these regular expressions (all of them when none given) pass in browser tests",
    )


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Any test that drives the browser is a browser test, marked or not, so that
    `-m "not browser"` never starts Chromium."""
    for item in items:
        if "browser" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.browser)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item,
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    """Keeps each phase's report so the page fixture knows whether the test failed."""
    report = yield
    item.stash.setdefault(_report_key, {})[report.when] = report
    return report


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    if not (CHROMIUM.is_file() and os.access(CHROMIUM, os.X_OK)):
        reason = (
            f"Chromium not found at {CHROMIUM}: "
            "apt-get install chromium chromium-driver to run browser tests"
        )
        if os.environ.get(REQUIRE_BROWSER_ENV) == "1":
            pytest.fail(f"{reason} ({REQUIRE_BROWSER_ENV}=1)", pytrace=False)
        pytest.skip(reason)
    # Playwright's sync API keeps an asyncio event loop running in this thread, so Django
    # takes every ORM call made by the test (fixtures, assertions on the database) for a
    # call from async code and raises SynchronousOnlyOperation. The test thread never runs
    # async code of its own and the live server answers in another thread, so the check is
    # a false alarm here; it is lifted only while Playwright runs.
    previous = os.environ.get(ASYNC_UNSAFE_ENV)
    os.environ[ASYNC_UNSAFE_ENV] = "true"
    try:
        with sync_playwright() as instance:
            yield instance
    finally:
        if previous is None:
            os.environ.pop(ASYNC_UNSAFE_ENV, None)
        else:
            os.environ[ASYNC_UNSAFE_ENV] = previous


@pytest.fixture(scope="session")
def browser(playwright: Playwright) -> Iterator[Browser]:
    # Load the URL configuration (and every view module) here, once, rather than in the live
    # server on the first page, where the heavier imports would eat the navigation timeout.
    from django.urls import get_resolver

    get_resolver().url_patterns  # noqa: B018  # the import is the point
    # Never a Playwright-managed download: Debian's Chromium only.
    instance = playwright.chromium.launch(
        executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
    )
    yield instance
    instance.close()


@pytest.fixture
def browser_context_args() -> dict[str, Any]:
    """English pages at a laptop's size; override in a module or test for other needs."""
    return {"locale": "en-GB", "viewport": {"width": 1280, "height": 800}}


@dataclass
class BrowserErrors:
    """Console errors, uncaught JavaScript errors and CSP violations seen during a test."""

    seen: list[str] = field(default_factory=list)
    allowed: list[re.Pattern[str]] = field(default_factory=list)
    allow_all: bool = False

    def allow(self, *patterns: str) -> None:
        """Let errors matching these regular expressions pass (all errors when none given)."""
        if not patterns:
            self.allow_all = True
        self.allowed.extend(re.compile(p) for p in patterns)

    def unexpected(self) -> list[str]:
        if self.allow_all:
            return []
        return [e for e in self.seen if not any(p.search(e) for p in self.allowed)]

    def on_console(self, message: ConsoleMessage) -> None:
        # Chromium reports CSP refusals ("Refused to load ...") as console errors too.
        if message.type != "error" and not message.text.startswith("Refused to"):
            return
        where = message.location
        # Browsers ask for /favicon.ico on their own; the app has none, and that is no error
        # of the page under test.
        if where.get("url", "").endswith("/favicon.ico"):
            return
        self.seen.append(
            f"console {message.type}: {message.text} "
            f"({where.get('url', '')}:{where.get('lineNumber', '')})"
        )

    def on_page_error(self, error: Exception) -> None:
        self.seen.append(f"uncaught JavaScript error: {error}")

    def on_csp_violation(self, _source: Any, violation: dict[str, Any]) -> None:
        self.seen.append(
            "CSP violation: {directive} blocked {blocked!r} ({source}:{line})".format(**violation)
        )


@pytest.fixture
def browser_errors(request: pytest.FixtureRequest) -> BrowserErrors:
    errors = BrowserErrors()
    marker = request.node.get_closest_marker("allow_browser_errors")
    if marker is not None:
        errors.allow(*marker.args)
    return errors


@pytest.fixture
def page(
    request: pytest.FixtureRequest,
    browser: Browser,
    browser_context_args: dict[str, Any],
    browser_errors: BrowserErrors,
    live_server: LiveServer,
) -> Iterator[Page]:
    """A page in a fresh browser context (no cookies from other tests) on the live server."""
    context = browser.new_context(base_url=live_server.url, **browser_context_args)
    context.set_default_timeout(DEFAULT_TIMEOUT_MS)
    context.expose_binding("__safepassageCspViolation", browser_errors.on_csp_violation)
    context.add_init_script(CSP_LISTENER)
    new_page = context.new_page()
    new_page.on("console", browser_errors.on_console)
    new_page.on("pageerror", browser_errors.on_page_error)
    try:
        yield new_page
        reports = request.node.stash.get(_report_key, {})
        call = reports.get("call")
        failed = call is not None and call.failed
        if failed:
            path = screenshot(new_page, f"FAILED-{request.node.nodeid}")
            print(f"screenshot at failure: {path}")  # noqa: T201  # shown in the failure report
        unexpected = browser_errors.unexpected()
        if unexpected and not failed:
            pytest.fail(
                "the browser reported errors:\n"
                + "\n".join(unexpected)
                + "\n(mark the test allow_browser_errors(pattern) if they are expected)",
                pytrace=False,
            )
        elif unexpected:
            print("the browser reported errors:\n" + "\n".join(unexpected))  # noqa: T201
    finally:
        context.close()
