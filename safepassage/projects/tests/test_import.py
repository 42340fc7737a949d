"""Project import: a file is validated whole and written all or nothing."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from openpyxl import Workbook

from safepassage.audit.models import AuditEvent
from safepassage.projects.importing import COLUMNS, RowError, projects_import
from safepassage.projects.models import Donor, Project, ProjectFunding

HEADER = ",".join(COLUMNS)
GOOD = [
    (
        "CT-UA-01,Direct assistance Ukraine,direct_assistance;avrr,active,2011-01-01,2012-12-31,"
        "UA-KYIV,UKR;MDA,United States,government,2011,250000,USD,"
    ),
    "CT-UA-01,,,,,,,,Norway,government,2011,100000.50,NOK,0.17834",
    "CT-TH-01,Prevention Mekong,prevention,planned,2011-03-01,,TH-BKK,THA;KHM;LAO,,,,,,",
]


def csv_bytes(*rows: str) -> bytes:
    return ("\n".join([HEADER, *rows]) + "\n").encode()


def test_valid_file_is_imported_with_donors_and_conversions(world) -> None:
    report = projects_import(
        actor=world.user("HQ", "data_manager"), name="p.csv", content=csv_bytes(*GOOD)
    )
    assert report.ok and report.written
    assert report.projects == ["CT-UA-01", "CT-TH-01"]
    assert report.new_donors == ["Norway", "United States"]
    project = Project.objects.get(code="CT-UA-01")
    assert project.thematic_areas == ["direct_assistance", "avrr"]
    assert sorted(project.countries.values_list("iso3", flat=True)) == ["MDA", "UKR"]
    nok = ProjectFunding.objects.get(currency="NOK")
    assert nok.amount_usd == Decimal("17834.09")  # 100,000.50 x 0.17834 = 17,834.089...
    assert ProjectFunding.objects.get(currency="USD").usd_rate == 1
    assert AuditEvent.objects.filter(event_type="project.imported").count() == 2
    assert AuditEvent.objects.filter(event_type="projects.import_completed").count() == 1


def test_one_bad_row_writes_nothing_and_names_row_column_value(world) -> None:
    bad = GOOD[2].replace("THA;KHM;LAO", "THA;XXX").replace("2011-03-01", "01/03/2011")
    rows = [*GOOD[:2], bad, "CT-UA-01,,,,,,,,Denmark,,2011,-5,DKK,0.19"]
    report = projects_import(
        actor=world.user("HQ", "data_manager"), name="p.csv", content=csv_bytes(*rows)
    )
    assert not report.written
    assert RowError(4, "countries", "XXX", "Unknown country (use ISO alpha-3).") in report.errors
    assert RowError(4, "start_date", "01/03/2011", "Use a date as YYYY-MM-DD.") in report.errors
    cells = {(e.row, e.column, e.value) for e in report.errors}
    assert (5, "amount", "-5") in cells
    assert (5, "donor_kind", "") in cells
    assert not Project.objects.exists()
    assert not Donor.objects.exists()
    assert not AuditEvent.objects.filter(event_type__startswith="project").exists()


def test_rows_of_one_project_must_agree_and_codes_must_be_new(world) -> None:
    manager = world.user("HQ", "data_manager")
    projects_import(actor=manager, name="p.csv", content=csv_bytes(GOOD[2]))
    clash = GOOD[1].replace("CT-UA-01,,", "CT-UA-01,Other title,")
    report = projects_import(
        actor=manager, name="p.csv", content=csv_bytes(GOOD[0], clash, GOOD[2])
    )
    cells = {(e.row, e.column) for e in report.errors}
    assert (3, "title") in cells
    assert (4, "code") in cells  # CT-TH-01 exists
    assert Project.objects.count() == 1


def test_offices_outside_the_managers_scope_are_unknown(world) -> None:
    report = projects_import(
        actor=world.user("B", "data_manager"), name="p.csv", content=csv_bytes(GOOD[0])
    )
    assert (
        RowError(2, "offices", "UA-KYIV", "Unknown office, or not one whose projects you manage.")
        in report.errors
    )


def test_funding_year_outside_the_project_is_refused(world) -> None:
    row = GOOD[0].replace(",2011,250000", ",2014,250000")
    report = projects_import(actor=None, name="p.csv", content=csv_bytes(row))
    assert report.errors == [
        RowError(2, "year", "2014", "The year is outside the project's duration.")
    ]


def test_xlsx_is_read_like_csv(world) -> None:
    import datetime as dt

    book = Workbook()
    sheet = book.active
    sheet.append(list(COLUMNS))
    sheet.append(
        [
            "X-1",
            "From Excel",
            "research",
            "active",
            dt.datetime(2011, 1, 1),
            None,
            "TH-BKK",
            "THA",
            "Sweden",
            "government",
            2011,
            1500.5,
            "SEK",
            0.1538,
        ]
    )
    out = io.BytesIO()
    book.save(out)
    report = projects_import(actor=None, name="p.xlsx", content=out.getvalue())
    assert report.ok and report.written
    assert ProjectFunding.objects.get().amount_usd == Decimal("230.78")  # 1500.50 x 0.1538


def test_missing_columns_and_wrong_type_are_refused(world) -> None:
    from safepassage.core.errors import ValidationFailed

    with pytest.raises(
        ValidationFailed,
        match=r"Missing columns: code, countries, offices, start_date, status, thematic_areas\.",
    ):
        projects_import(actor=None, name="p.csv", content=b"title\nx\n")
    with pytest.raises(ValidationFailed, match=r"\.csv or \.xlsx"):
        projects_import(actor=None, name="p.txt", content=b"")


def test_command_dry_run_and_errors(world, tmp_path, capsys) -> None:
    good = tmp_path / "good.csv"
    good.write_bytes(csv_bytes(*GOOD))
    call_command("import_projects", str(good), "--dry-run")
    assert "would import (dry run): 2 projects, 2 funding lines" in capsys.readouterr().out
    assert not Project.objects.exists()
    bad = tmp_path / "bad.csv"
    bad.write_bytes(csv_bytes(GOOD[0].replace("USD,", "XYZ,")))
    with pytest.raises(CommandError, match="nothing was imported"):
        call_command("import_projects", str(bad))
    assert "row 2, column currency, value 'XYZ'" in capsys.readouterr().out
    call_command("import_projects", str(good))
    assert Project.objects.count() == 2
    event = AuditEvent.objects.get(event_type="projects.import_completed")
    assert event.source == "cli"
