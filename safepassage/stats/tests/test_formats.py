"""JSON, HTML, PDF and XLSX carry the same numbers (the documents render one table model)."""

from __future__ import annotations

import io
import json
import re
from html import unescape

import pypdfium2  # type: ignore[import-untyped]  # no stubs published
from django.core.management import call_command
from openpyxl import load_workbook

from safepassage.cases.tests.factories import make_case, screen
from safepassage.stats.report import report_document
from safepassage.stats.selectors import StatsFilters, indicator_report


def test_all_formats_carry_the_same_numbers(world, tmp_path):
    a, b = world.user("A", "caseworker"), world.user("B", "caseworker")
    screen(make_case(world.office_a, a, given="Olena", sex="Feminine"), a)
    make_case(world.office_a, a, given="Petro")
    screen(
        make_case(world.office_b, b, given="Noi", citizenship="LAO"),
        b,
        country_of_exploitation="THA",
    )
    outputs = {}
    for fmt in ("json", "html", "pdf", "xlsx"):
        out = tmp_path / f"report.{fmt}"
        call_command("report", year=2026, format=fmt, out=str(out), stdout=io.StringIO())
        outputs[fmt] = out
    data = json.loads(outputs["json"].read_text())
    assert data == json.loads(
        json.dumps(indicator_report(viewer=None, filters=StatsFilters(year=2026)))
    )
    assert data["instances"] == 3
    tables = [t for chapter in report_document(data, with_charts=False) for t in chapter.tables]
    # The tables hold the JSON figures ...
    by_key = {t.key: t for t in tables}
    assert by_key["global-headline"].rows[0][1] == data["instances"]
    assert [row[1] for row in by_key["global-sex"].rows] == list(data["by_sex"].values())
    assert [row[2] for row in by_key["global-nationalities"].rows] == list(
        data["by_citizenship"].values()
    )
    assert [row[1] for row in by_key["vienna-exploitation"].rows] == list(
        data["regions"]["vienna"]["by_exploitation_type"].values()
    )
    # ... and every format shows every table with the same cells.
    html = outputs["html"].read_text()
    book = load_workbook(outputs["xlsx"])
    pdf = pypdfium2.PdfDocument(str(outputs["pdf"]))
    pdf_text = " ".join(page.get_textpage().get_text_range() for page in pdf)
    pdf_text = re.sub(r"\s+", " ", pdf_text)
    assert len(pdf) >= 3
    for table in tables:
        sheet = book[table.key]
        assert [list(r) for r in sheet.iter_rows(min_row=3, values_only=True)] == table.rows
        section = html.split(f'<table id="t-{table.key}">', 1)[1].split("</table>", 1)[0]
        cells = [unescape(c) for c in re.findall(r"<td[^>]*>(.*?)</td>", section)]
        assert cells == [str(c) for row in table.rows for c in row]
        for row in table.rows:
            assert " ".join(str(c) for c in row) in pdf_text, (table.key, row)
    # Charts are in the HTML (and so in the PDF) as server-rendered SVG.
    assert html.count("<svg") == 8


def test_the_report_carries_a_funding_chapter_once_projects_exist(world, tmp_path):
    import datetime as dt
    from decimal import Decimal

    from safepassage.projects.services import donor_create, project_create, project_funding_add
    from safepassage.reference.models import Country

    admin = world.user("HQ", "admin")
    donor = donor_create(actor=admin, name="Donor State", kind="government")
    project = project_create(
        actor=admin,
        code="UA-CT-01",
        title="Protection and reintegration",
        thematic_areas=["direct_assistance", "avrr"],
        status="active",
        start_date=dt.date(2026, 1, 1),
        end_date=dt.date(2026, 12, 31),
        offices=[world.office_a],
        countries=list(Country.objects.filter(iso3__in=["UKR", "THA"])),
    )
    project_funding_add(
        actor=admin,
        project=project,
        donor=donor,
        year=2026,
        amount=Decimal("1000000"),
        currency="EUR",
        usd_rate=Decimal("1.10"),
    )
    data = indicator_report(viewer=None, filters=StatsFilters(year=2026))
    money = data["funding"]
    assert money["total_usd"] == 1_100_000
    assert sum(money["by_region"].values()) == money["total_usd"]
    assert money["by_region"]["vienna"] == money["by_region"]["bangkok"] == 550_000
    assert money["avrr_projects"] == 1
    chapters = {chapter.key: chapter for chapter in report_document(data, with_charts=False)}
    assert "1,100,000" in chapters["funding"].paragraphs[0]
    out = tmp_path / "report.json"
    call_command("report", "--year", "2026", "--format", "json", "--out", str(out))
    assert json.loads(out.read_text())["funding"]["total_usd"] == 1_100_000
