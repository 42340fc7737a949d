"""Issue 10's import in a real browser: a data manager of office A uploads an HTCDS file with
one bad row, sees the error table and that nothing was written, then uploads a valid file,
checks the preview and imports it."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from safepassage.cases.models import Case
from safepassage.conftest import PASSWORD, World
from safepassage.interop import views
from safepassage.interop.models import ImportBatch
from safepassage.interop.tests.factories import write_file
from safepassage.web.tests.browser.helpers import log_in, screenshot
from safepassage.web.tests.browser.walks import expect_flash

pytestmark = pytest.mark.browser

ROWS = 3
BAD_REFERENCE = "T-00001"
BAD_DATE = "2020-02-30"
# The file's second data row is line 3 (the header is line 1).
BAD_LINE = "3"


@pytest.fixture(autouse=True)
def upload_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Uploads wait in the test's own directory, not in var/ (the live server runs in this
    process, so the patched function is the one its views call)."""
    directory = tmp_path / "imports"
    directory.mkdir(mode=0o700)
    monkeypatch.setattr(views, "_upload_dir", lambda: directory)
    return directory


def htcds_file(path: Path, *, bad: bool) -> Path:
    """Three generated HTCDS rows; with `bad`, the second has a registration date that does
    not exist."""
    write_file(path, "htcds", ROWS)
    if bad:
        with path.open(encoding="utf-8", newline="") as handle:
            rows = list(csv.DictReader(handle))
        assert rows[1]["cas_Reference"] == BAD_REFERENCE
        rows[1]["cas_RegistrationDate"] = BAD_DATE
        with path.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
            writer.writeheader()
            writer.writerows(rows)
    return path


def upload(page: Page, world: World, path: Path) -> None:
    page.goto("/interop/import/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Import cases")
    page.get_by_label(re.compile(r"^Import into office")).select_option(str(world.office_a.pk))
    page.get_by_label(re.compile(r"^Format")).select_option("htcds")
    page.get_by_label(re.compile(r"^File \(CSV")).set_input_files(path)
    page.get_by_role("button", name="Check the file").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"{path.name} into UA-KYIV")


def test_bad_row_is_shown_and_nothing_imported_then_a_valid_file_is(
    page: Page, live_server: LiveServer, world: World, tmp_path: Path, upload_dir: Path
) -> None:
    log_in(page, live_server.url, world.user("A", "data_manager"), PASSWORD)

    # a file with one impossible date: the error table says where and why
    upload(page, world, htcds_file(tmp_path / "htcds-bad.csv", bad=True))
    main = page.get_by_role("main")
    expect(main).to_contain_text(f"{ROWS} rows read: {ROWS - 1} valid, 1 invalid.")
    errors = page.locator("section.card").filter(
        has=page.get_by_role("heading", name="1 error", exact=True)
    )
    expect(errors.get_by_role("columnheader")).to_have_text(["Row", "Column", "Value", "Problem"])
    error_rows = errors.locator("tbody tr")
    expect(error_rows).to_have_count(1)
    expect(error_rows.first.get_by_role("cell")).to_have_text(
        [BAD_LINE, "cas_RegistrationDate", BAD_DATE, "not a date (YYYY-MM-DD)"]
    )
    screenshot(page, "import-errors-01-error-table")
    assert Case.objects.count() == 0  # checking the file writes nothing

    # importing it as it is (without skipping the bad row) is refused as a whole
    expect(page.get_by_label("Import the valid rows and skip the invalid ones")).not_to_be_checked()
    page.get_by_role("button", name="Import", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Import cases")
    expect_flash(page, "Nothing was imported: the file has 1 error")
    screenshot(page, "import-errors-02-nothing-imported")
    assert Case.objects.count() == 0
    assert not list(upload_dir.glob("*.upload"))

    # a valid file: the preview shows its first rows, with nothing written yet
    upload(page, world, htcds_file(tmp_path / "htcds-good.csv", bad=False))
    expect(main).to_contain_text(f"{ROWS} rows read: {ROWS} valid, 0 invalid.")
    expect(page.get_by_role("heading", name=re.compile(r"\berrors?\b"))).to_have_count(0)
    preview = page.locator("section.card").filter(
        has=page.get_by_role("heading", name="First rows")
    )
    expect(preview.locator("tbody tr")).to_have_count(ROWS)
    expect(preview.get_by_role("columnheader").first).to_have_text("cas_Reference")
    expect(preview.locator("tbody tr").nth(1)).to_contain_text(BAD_REFERENCE)
    expect(page.get_by_label("Import the valid rows and skip the invalid ones")).to_have_count(0)
    screenshot(page, "import-errors-03-valid-preview")
    assert Case.objects.count() == 0

    # confirming imports every row into office A and lists the import
    page.get_by_role("button", name="Import", exact=True).click()
    expect_flash(
        page,
        f"{ROWS} cases imported into UA-KYIV (0 invalid rows skipped, 0 already present).",
    )
    recent = page.locator("section.card").filter(
        has=page.get_by_role("heading", name="Recent imports")
    )
    latest = recent.locator("tbody tr").first
    expect(latest).to_contain_text("htcds-good.csv")
    expect(latest.get_by_role("cell").nth(4)).to_have_text(str(ROWS))
    screenshot(page, "import-errors-04-imported")
    assert Case.objects.filter(person__office=world.office_a).count() == ROWS
    assert ImportBatch.objects.get(file_name="htcds-good.csv").rows_imported == ROWS
    assert not list(upload_dir.glob("*.upload"))
