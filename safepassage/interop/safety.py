"""Cells written to files that spreadsheets open: neutralise what a spreadsheet would run."""

from __future__ import annotations

import re

_NUMBER = re.compile(r"[+-]?\d+(?:\.\d+)?")
_DANGEROUS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: str) -> str:
    """A cell starting with = + - @ (or a tab / carriage return) is a formula to LibreOffice and
    Excel: prefix it with an apostrophe so it stays text. Plain numbers (CTDC's -99) are kept."""
    if value and value.startswith(_DANGEROUS) and not _NUMBER.fullmatch(value):
        return "'" + value
    return value
