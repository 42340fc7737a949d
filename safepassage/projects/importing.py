"""Project import from CSV or XLSX, all or nothing.

One row per funding line: a project with several donors takes several rows repeating its
project columns (which must agree); a project without funding takes one row with the donor
columns empty. Multi-valued cells (thematic areas, offices, countries) are separated by `;`.
The whole file is validated first; errors name the row (as numbered in a spreadsheet, the
header being row 1), the column and the offending value, and nothing is written unless every
row passes. Existing project codes are refused (the import creates projects; edit existing ones
on their page).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from safepassage.access.permissions import Perm
from safepassage.access.policy import scope_for
from safepassage.audit.services import audit_record
from safepassage.core.errors import ValidationFailed
from safepassage.offices.models import Office
from safepassage.projects.models import Donor, Project
from safepassage.projects.services import (
    USD,
    FundingLine,
    _donor_new,
    _write_project,
    check_currency,
    check_funding_year,
    check_project,
    check_rate,
    parse_decimal,
)
from safepassage.reference.models import Country

COLUMNS = (
    "code",
    "title",
    "thematic_areas",
    "status",
    "start_date",
    "end_date",
    "offices",
    "countries",
    "donor",
    "donor_kind",
    "year",
    "amount",
    "currency",
    "usd_rate",
)
REQUIRED_COLUMNS = frozenset(
    ("code", "title", "thematic_areas", "status", "start_date", "offices", "countries")
)
PROJECT_COLUMNS = COLUMNS[:8]
MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 20_000


@dataclass(frozen=True)
class RowError:
    row: int
    column: str
    value: str
    message: str


@dataclass
class ImportReport:
    rows: int = 0
    errors: list[RowError] = field(default_factory=list)
    projects: list[str] = field(default_factory=list)
    fundings: int = 0
    new_donors: list[str] = field(default_factory=list)
    written: bool = False

    @property
    def ok(self) -> bool:
        return not self.errors


@dataclass
class _Project:
    row: int
    values: dict[str, str]
    code: str = ""
    title: str = ""
    thematic_areas: list[str] = field(default_factory=list)
    status: str = ""
    start_date: dt.date | None = None
    end_date: dt.date | None = None
    offices: list[Office] = field(default_factory=list)
    countries: list[Country] = field(default_factory=list)
    fundings: list[tuple[str, int, Decimal, str, Decimal]] = field(default_factory=list)


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def read_rows(name: str, content: bytes) -> Iterator[dict[str, str]]:
    """Rows of a CSV (UTF-8, comma-separated) or XLSX (first sheet) file as text cells keyed by
    lower-case header. Raises ValidationFailed when the file cannot be read."""
    if len(content) > MAX_BYTES:
        raise ValidationFailed(_("The file is larger than 5 MB."), field="file")
    if name.lower().endswith(".xlsx"):
        from openpyxl import load_workbook

        try:
            book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
        except Exception as error:  # openpyxl raises many types for a damaged file
            raise ValidationFailed(
                _("The file is not a readable XLSX workbook."), field="file"
            ) from error
        sheet = book.worksheets[0]
        rows = ([_cell(v) for v in row] for row in sheet.iter_rows(values_only=True))
    elif name.lower().endswith(".csv"):
        try:
            text = content.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            raise ValidationFailed(_("Save the CSV file as UTF-8."), field="file") from error
        rows = ([c.strip() for c in row] for row in csv.reader(io.StringIO(text)))
    else:
        raise ValidationFailed(_("Upload a .csv or .xlsx file."), field="file")
    header = [h.strip().lower() for h in next(rows, [])]
    missing = sorted(REQUIRED_COLUMNS - set(header))
    if missing:
        raise ValidationFailed(
            _("Missing columns: %(columns)s.") % {"columns": ", ".join(missing)}, field="file"
        )
    for cells in rows:
        if not any(cells):
            continue
        yield {h: (cells[i] if i < len(cells) else "") for i, h in enumerate(header) if h}


def _split(value: str) -> list[str]:
    return [part.strip() for part in value.split(";") if part.strip()]


def _date(value: str) -> dt.date:
    return dt.date.fromisoformat(value)


class _Checker:
    def __init__(self, actor: Any) -> None:
        self.report = ImportReport()
        self.projects: dict[str, _Project] = {}
        self.donors = {d.name.casefold(): d for d in Donor.objects.all()}
        self.new_donors: dict[str, tuple[str, str]] = {}
        scope = scope_for(actor, Perm.PROJECT_MANAGE) if actor is not None else None
        offices = Office.objects.filter(is_active=True)
        if scope is not None:
            offices = scope.filter_offices(offices)
        self.offices = {o.code: o for o in offices}
        self.countries = {c.iso3: c for c in Country.objects.all()}
        self.existing = set(Project.objects.values_list("code", flat=True))

    def error(self, row: int, column: str, value: str, message: str) -> None:
        self.report.errors.append(RowError(row, column, value, message))

    def check(self, number: int, row: dict[str, str]) -> None:
        code = row.get("code", "")
        project = self.projects.get(code)
        if project is None:
            project = _Project(row=number, values={c: row.get(c, "") for c in PROJECT_COLUMNS})
            self.projects[code] = project
            self._check_project(number, project)
        else:
            for column in PROJECT_COLUMNS:
                if row.get(column, "") not in ("", project.values[column]):
                    self.error(
                        number,
                        column,
                        row.get(column, ""),
                        _("Differs from row %(row)s of the same project.") % {"row": project.row},
                    )
        self._check_funding(number, row, project)

    def _check_project(self, number: int, project: _Project) -> None:
        values = project.values
        project.code, project.title = values["code"], values["title"]
        project.thematic_areas = _split(values["thematic_areas"])
        project.status = values["status"]
        for column in ("start_date", "end_date"):
            if values[column]:
                try:
                    setattr(project, column, _date(values[column]))
                except ValueError:
                    self.error(number, column, values[column], _("Use a date as YYYY-MM-DD."))
        errors = check_project(
            code=project.code,
            title=project.title,
            thematic_areas=project.thematic_areas,
            status=project.status,
            start_date=project.start_date,
            end_date=project.end_date,
        )
        if project.start_date is None and values["start_date"]:
            errors.pop("start_date", None)  # already reported as unreadable
        for column, messages in errors.items():
            for message in messages:
                self.error(number, column, values.get(column, ""), message)
        if project.code in self.existing:
            self.error(number, "code", project.code, _("A project with this code exists."))
        project.offices = self._lookup(
            number,
            "offices",
            values["offices"],
            self.offices,
            _("Unknown office, or not one whose projects you manage."),
        )
        project.countries = self._lookup(
            number,
            "countries",
            values["countries"],
            self.countries,
            _("Unknown country (use ISO alpha-3)."),
        )

    def _lookup(
        self, number: int, column: str, value: str, known: dict[str, Any], unknown: str
    ) -> list[Any]:
        found = []
        for code in _split(value):
            item = known.get(code.upper())
            if item is None:
                self.error(number, column, code, unknown)
            elif item not in found:
                found.append(item)
        if not _split(value):
            self.error(number, column, "", _("Give at least one code."))
        return found

    def _check_funding(self, number: int, row: dict[str, str], project: _Project) -> None:
        donor = row.get("donor", "")
        if not donor:
            for column in ("year", "amount", "currency", "usd_rate"):
                if row.get(column):
                    self.error(number, column, row[column], _("Give the donor of this amount."))
            return
        self._check_donor(number, donor, row.get("donor_kind", ""))
        year = self._year(number, row.get("year", ""), project)
        amount = self._amount(number, row.get("amount", ""))
        currency = row.get("currency", "").upper()
        rate = self._rate(number, currency, row.get("currency", ""), row.get("usd_rate", ""))
        if year is not None and amount is not None and rate is not None:
            project.fundings.append((donor.casefold(), year, amount, currency, rate))

    def _check_donor(self, number: int, donor: str, kind: str) -> None:
        if donor.casefold() in self.donors:
            return
        if kind not in Donor.Kind.values:
            self.error(
                number,
                "donor_kind",
                kind,
                _("A new donor needs its kind (%(allowed)s).")
                % {"allowed": ", ".join(Donor.Kind.values)},
            )
        else:
            self.new_donors.setdefault(donor.casefold(), (donor, kind))

    def _year(self, number: int, value: str, project: _Project) -> int | None:
        try:
            year = int(value)
        except ValueError:
            self.error(number, "year", value, _("Give the year as YYYY."))
            return None
        if project.start_date and (
            message := check_funding_year(year, project.start_date, project.end_date)
        ):
            self.error(number, "year", value, message)
            return None
        return year

    def _amount(self, number: int, value: str) -> Decimal | None:
        try:
            amount = parse_decimal(value)
        except ValueError:
            amount = None
        exponent = amount.as_tuple().exponent if amount is not None else 0
        if amount is None or amount <= 0 or (isinstance(exponent, int) and exponent < -2):
            self.error(
                number, "amount", value, _("Give a positive amount with at most two decimals.")
            )
            return None
        return amount

    def _rate(self, number: int, currency: str, raw_currency: str, value: str) -> Decimal | None:
        if message := check_currency(currency):
            self.error(number, "currency", raw_currency, message)
            return None
        try:
            rate = parse_decimal(value)
        except ValueError:
            self.error(number, "usd_rate", value, _("Give a number."))
            return None
        if message := check_rate(currency, rate):
            self.error(number, "usd_rate", value, message)
            return None
        return rate if rate is not None else Decimal(1)


def projects_import(
    *, actor: Any, name: str, content: bytes, dry_run: bool = False, source: str = ""
) -> ImportReport:
    """Validate the whole file; write every project (with its donors and funding) in one
    transaction only when no row has an error and not `dry_run`. `actor` None is the command
    line: every office is available."""
    checker = _Checker(actor)
    for number, row in enumerate(read_rows(name, content), start=2):
        if number - 1 > MAX_ROWS:
            raise ValidationFailed(_("The file has more than 20,000 rows."), field="file")
        checker.check(number, row)
        checker.report.rows += 1
    report = checker.report
    if report.rows == 0:
        report.errors.append(RowError(1, "", "", _("The file has no data rows.")))
    report.projects = [p.code for p in checker.projects.values()]
    report.fundings = sum(len(p.fundings) for p in checker.projects.values())
    report.new_donors = sorted(name for name, _kind in checker.new_donors.values())
    if report.errors or dry_run:
        return report
    with transaction.atomic():
        donors = dict(checker.donors)
        for key, (donor_name, kind) in checker.new_donors.items():
            donors[key] = _donor_new(
                actor=actor, name=donor_name, kind=kind, country=None, source=source
            )
        for project in checker.projects.values():
            assert project.start_date is not None  # noqa: S101  # validated above
            _write_project(
                actor=actor,
                code=project.code,
                title=project.title,
                thematic_areas=project.thematic_areas,
                status=project.status,
                start_date=project.start_date,
                end_date=project.end_date,
                offices=project.offices,
                countries=project.countries,
                fundings=[
                    FundingLine(
                        donor=donors[key], year=year, amount=amount, currency=cur, usd_rate=rate
                    )
                    for key, year, amount, cur, rate in project.fundings
                ],
                event_type="project.imported",
                source=source,
            )
        audit_record(
            actor=actor,
            office=None,
            event_type="projects.import_completed",
            target=None,
            metadata={
                "file": name[-100:],
                "rows": report.rows,
                "projects": len(report.projects),
                "fundings": report.fundings,
                "new_donors": len(report.new_donors),
            },
            source=source,
        )
    report.written = True
    return report


__all__ = ["COLUMNS", "USD", "ImportReport", "RowError", "projects_import", "read_rows"]
