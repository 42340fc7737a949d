"""The report document in HTML, PDF (WeasyPrint) and XLSX (openpyxl, one sheet per table)."""

from __future__ import annotations

import io
import json
from typing import Any

from django.template.loader import render_to_string

from safepassage.stats.report import Chapter, report_document

FORMATS = ("json", "html", "pdf", "xlsx")
CONTENT_TYPES = {
    "json": "application/json",
    "html": "text/html; charset=utf-8",
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def render_html(data: dict[str, Any], chapters: list[Chapter] | None = None) -> str:
    chapters = chapters if chapters is not None else report_document(data)
    return render_to_string(
        "stats/report.html",
        {
            "data": data,
            # Chart SVG is produced on the server by vl-convert from our own specifications
            # (no user text beyond country and category names); the template marks it safe.
            "chapters": chapters,
        },
    )


def render_pdf(data: dict[str, Any]) -> bytes:
    from weasyprint import HTML  # type: ignore[import-untyped]  # no stubs published

    pdf: bytes = HTML(string=render_html(data)).write_pdf()
    return pdf


def render_xlsx(data: dict[str, Any]) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    scope = book.active
    scope.title = "scope"
    scope.append(["figure", "value"])
    for key, value in data["scope"].items():
        scope.append([key, "" if value is None else value])
    for chapter in report_document(data, with_charts=False):
        for table in chapter.tables:
            sheet = book.create_sheet(table.key[:31])
            sheet.append([table.title])
            sheet.append(table.columns)
            for row in table.rows:
                sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def render(data: dict[str, Any], fmt: str) -> bytes:
    if fmt == "json":
        return json.dumps(data, indent=2).encode()
    if fmt == "html":
        return render_html(data).encode()
    if fmt == "pdf":
        return render_pdf(data)
    if fmt == "xlsx":
        return render_xlsx(data)
    raise ValueError(fmt)
