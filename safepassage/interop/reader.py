"""Streaming readers: CSV (comma or semicolon, UTF-8 with or without BOM, with or without
CTDC's terms-of-use first column) and XLSX (openpyxl read-only). Rows come one at a time, so
memory does not grow with the file. Problems of the file itself (encoding, quoting, huge
cells, ragged rows, header) become RowErrors; a broken file stops at the first such problem."""

from __future__ import annotations

import csv
import hashlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from safepassage.interop.formats.base import MAX_CELL, Format, RowError

csv.field_size_limit(1 << 20)
XLSX_MAGIC = b"PK\x03\x04"


class FileUnreadable(Exception):
    """The file cannot be read as a table of this format (the error says why)."""

    def __init__(self, error: RowError) -> None:
        super().__init__(error.message)
        self.error = error


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


@dataclass
class Table:
    """The header as found and what was done with it."""

    columns: list[str]
    dropped_first_column: bool = False
    delimiter: str = ","
    notes: list[str] = field(default_factory=list)


def _is_terms_column(name: str, fmt: Format) -> bool:
    known = set(fmt.columns) | fmt.derived_columns
    return name not in known and (len(name) > 40 or "term" in name.lower() or not name)


def check_header(raw: list[str], fmt: Format) -> tuple[Table, list[RowError]]:
    errors: list[RowError] = []
    names = [name.strip() for name in raw]
    table = Table(columns=names)
    if names and _is_terms_column(names[0], fmt) and len(names) > 1:
        table.columns = names[1:]
        table.dropped_first_column = True
        table.notes.append("first column (CTDC terms of use) ignored")
    known = set(fmt.columns) | fmt.derived_columns
    seen: set[str] = set()
    for name in table.columns:
        if name in seen:
            errors.append(RowError(1, name, name, "column appears twice"))
        seen.add(name)
        if name not in known:
            errors.append(RowError(1, name[:60], name[:200], f"unexpected column for {fmt.key}"))
    for name in fmt.columns:
        if name not in seen and name not in fmt.optional_columns:
            errors.append(RowError(1, name, "", f"column missing for {fmt.key}"))
    return table, errors


def _decode_header_line(path: Path) -> str:
    with path.open("rb") as handle:
        first = handle.readline(1 << 20)
    try:
        return first.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise FileUnreadable(
            RowError(1, "", "", "the file is not UTF-8 text (save it as CSV UTF-8)")
        ) from None


def sniff_delimiter(header_line: str) -> str:
    return ";" if header_line.count(";") > header_line.count(",") else ","


def iter_csv(
    path: Path, fmt: Format
) -> tuple[Table, list[RowError], Iterator[tuple[int, list[str]]]]:
    head = _decode_header_line(path)
    if "\x00" in head:
        raise FileUnreadable(
            RowError(1, "", "", "the file contains NUL bytes: not a CSV text file")
        )
    delimiter = sniff_delimiter(head)
    handle = path.open(encoding="utf-8-sig", newline="", errors="strict")
    reader = csv.reader(handle, delimiter=delimiter, strict=True)
    try:
        raw_header = next(reader)
    except StopIteration:
        handle.close()
        raise FileUnreadable(RowError(1, "", "", "the file is empty")) from None
    except (csv.Error, UnicodeDecodeError) as exc:
        handle.close()
        raise FileUnreadable(RowError(1, "", "", f"unreadable header: {exc}")) from None
    table, errors = check_header(raw_header, fmt)
    table.delimiter = delimiter

    def rows() -> Iterator[tuple[int, list[str]]]:
        width = len(raw_header)
        try:
            while True:
                try:
                    cells = next(reader)
                except StopIteration:
                    return
                except UnicodeDecodeError:
                    raise FileUnreadable(
                        RowError(reader.line_num + 1, "", "", "not valid UTF-8 text from here on")
                    ) from None
                except csv.Error as exc:
                    raise FileUnreadable(
                        RowError(reader.line_num, "", "", f"broken CSV: {exc}")
                    ) from None
                line = reader.line_num
                if not cells or (len(cells) == 1 and not cells[0]):
                    continue
                if len(cells) != width:
                    yield line, [f"\x00width:{len(cells)}:{width}"]
                    continue
                if table.dropped_first_column:
                    cells = cells[1:]
                yield line, cells
        finally:
            handle.close()

    return table, errors, rows()


def iter_xlsx(
    path: Path, fmt: Format
) -> tuple[Table, list[RowError], Iterator[tuple[int, list[str]]]]:
    import openpyxl  # imported here: only XLSX imports need it

    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # any parse failure of a foreign file is "unreadable"
        raise FileUnreadable(
            RowError(1, "", "", f"not a readable XLSX workbook: {type(exc).__name__}")
        ) from None
    sheet = book.worksheets[0]
    values = sheet.iter_rows(values_only=True)
    try:
        raw_header = ["" if v is None else str(v) for v in next(values)]
    except StopIteration:
        book.close()
        raise FileUnreadable(RowError(1, "", "", "the first sheet is empty")) from None
    while raw_header and not raw_header[-1]:
        raw_header.pop()
    table, errors = check_header(raw_header, fmt)
    width = len(raw_header)

    def cell(value: object) -> str:
        if value is None:
            return ""
        if hasattr(value, "isoformat"):
            return str(value.isoformat())[:10]  # dates typed as dates by the spreadsheet
        if isinstance(value, float) and value.is_integer():
            return str(int(value))
        return str(value)

    def rows() -> Iterator[tuple[int, list[str]]]:
        try:
            for line, row in enumerate(values, start=2):
                cells = [cell(v) for v in row[:width]]
                if any(v not in (None, "") for v in row[width:]):
                    yield line, [f"\x00width:{len(row)}:{width}"]
                    continue
                if not any(cells):
                    continue
                cells += [""] * (width - len(cells))
                if table.dropped_first_column:
                    cells = cells[1:]
                yield line, cells
        finally:
            book.close()

    return table, errors, rows()


def open_table(
    path: Path, fmt: Format
) -> tuple[Table, list[RowError], Iterator[tuple[int, list[str]]]]:
    with path.open("rb") as handle:
        magic = handle.read(4)
    if magic == XLSX_MAGIC:
        if fmt.key != "htcds":
            raise FileUnreadable(RowError(1, "", "", f"{fmt.key} files are CSV, not XLSX"))
        return iter_xlsx(path, fmt)
    return iter_csv(path, fmt)


def ragged(cells: list[str]) -> tuple[int, int] | None:
    """The (found, expected) widths when the reader flagged a row of the wrong width."""
    if len(cells) == 1 and cells[0].startswith("\x00width:"):
        _, found, expected = cells[0].split(":")
        return int(found), int(expected)
    return None


def cell_problem(value: str) -> str | None:
    if len(value) > MAX_CELL:
        return f"value longer than {MAX_CELL} characters"
    return None
