"""Issue 10 in a real browser: a researcher of office A opens the statistics dashboard, sees the
figures and charts of their own office's cases (and nothing of office B, and no name), and
downloads the annual report as a PDF from the dashboard's link."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pypdfium2  # type: ignore[import-untyped]  # no stubs published
import pytest
from playwright.sync_api import Locator, Page, expect
from pytest_django.live_server_helper import LiveServer

from safepassage.cases.tests.factories import make_case, screen
from safepassage.conftest import PASSWORD, World
from safepassage.web.tests.browser.helpers import log_in, screenshot

pytestmark = pytest.mark.browser

YEAR = 2026
CHARTS = 8  # stats.report.dashboard_specs: seven figures and the year-over-year comparison
PDF_TIMEOUT_MS = 15_000  # WeasyPrint lays the report out in the live server


def cases_at_a_and_b(world: World) -> None:
    """Three cases at office A in 2026 (two Ukrainian men, one of them screened for forced
    labour in Russia; a Moldovan woman), one at office B the researcher must not count."""
    a_cw = world.user("A", "caseworker")
    screened = make_case(world.office_a, a_cw, given="Taras", family="Shevchuk")
    screen(screened, a_cw)
    make_case(world.office_a, a_cw, given="Petro", family="Bondarenko", birth_date=None)
    make_case(
        world.office_a,
        a_cw,
        given="Ana",
        family="Rusu",
        sex="Feminine",
        citizenship="MDA",
        birth_date=dt.date(2010, 3, 4),
    )
    make_case(world.office_b, world.user("B", "caseworker"), given="Somchai", citizenship="THA")


def table_after(page: Page, heading: str) -> Locator:
    """The figures table under an h2 of the dashboard."""
    return (
        page.locator("section.figures h2")
        .filter(has_text=heading)
        .locator("xpath=following-sibling::table[1]")
    )


def row(table: Locator, label: str) -> Locator:
    return table.get_by_role("row").filter(
        has=table.page.get_by_role("cell", name=label, exact=True)
    )


def test_researcher_sees_figures_and_charts_and_downloads_the_pdf_report(
    page: Page, live_server: LiveServer, world: World, tmp_path: Path
) -> None:
    cases_at_a_and_b(world)
    log_in(page, live_server.url, world.user("A", "researcher"), PASSWORD)

    # the researcher opens the statistics and asks for 2026
    page.get_by_role("link", name="Statistics").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Statistics")
    filters = page.locator("form.filters")
    filters.get_by_label("Year").fill(str(YEAR))
    filters.get_by_role("button", name="Show").click()
    expect(page.locator("#fig-instances")).to_have_text("3")

    # the headline counts office A's three cases (three persons), not office B's
    expect(page.locator("#fig-individuals")).to_have_text("3")
    nationalities = table_after(page, "Top 10 nationalities")
    expect(row(nationalities, "Ukraine")).to_contain_text("2")
    expect(row(nationalities, "Ukraine")).to_contain_text("67%")
    expect(row(nationalities, "Moldova")).to_contain_text("1")
    expect(nationalities).not_to_contain_text("Thailand")
    destinations = table_after(page, "Top 10 countries of destination")
    expect(row(destinations, "Russian Federation")).to_contain_text("1")
    exploitation = table_after(page, "Exploitation type")
    expect(row(exploitation, "Labour").get_by_role("cell").nth(1)).to_have_text("1")
    sex = table_after(page, "Sex")
    expect(row(sex, "Male").get_by_role("cell").nth(1)).to_have_text("2")
    expect(row(sex, "Female").get_by_role("cell").nth(1)).to_have_text("1")
    age = table_after(page, "Age group")
    expect(row(age, "Children (under 18)").get_by_role("cell").nth(1)).to_have_text("1")
    expect(row(age, "Adults").get_by_role("cell").nth(1)).to_have_text("1")
    expect(row(age, "Unknown").get_by_role("cell").nth(1)).to_have_text("1")

    # the charts are drawn as SVG in the page
    charts = page.locator("section.charts figure.chart svg")
    expect(charts).to_have_count(CHARTS)
    for index in range(CHARTS):
        expect(charts.nth(index)).to_be_visible()
    expect(page.locator("section.charts")).to_contain_text("Figure 1: Top 10 nationalities")

    # aggregates only: no name, and a researcher gets no link to the cases behind a figure
    main = page.get_by_role("main")
    for name in ("Taras", "Shevchuk", "Petro", "Rusu", "Somchai"):
        expect(main).not_to_contain_text(name)
    expect(page.locator("section.figures a")).to_have_count(0)
    screenshot(page, "stats-dashboard-office-a-researcher")

    # the annual report link downloads the PDF for the same scope
    pdf_link = page.locator("p.downloads").get_by_role("link", name="PDF", exact=True)
    expect(pdf_link).to_have_attribute(
        "href", f"/stats/report.pdf?year={YEAR}&region=&office=&category="
    )
    with page.expect_download(timeout=PDF_TIMEOUT_MS) as download_info:
        # The click waits for the navigation it starts, which lasts as long as the layout.
        pdf_link.click(timeout=PDF_TIMEOUT_MS)
    download = download_info.value
    assert download.suggested_filename == f"safepassage-report-{YEAR}.pdf"
    path = tmp_path / download.suggested_filename
    download.save_as(path)
    assert path.read_bytes().startswith(b"%PDF")
    document = pypdfium2.PdfDocument(path)
    try:
        assert len(document) > 0
        first_page = " ".join(document[0].get_textpage().get_text_range().split())
        assert f"Counter-trafficking assistance: annual report {YEAR}" in first_page
        assert f"Scope: year {YEAR}." in first_page
    finally:
        document.close()
