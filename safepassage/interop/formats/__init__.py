"""The interchange formats, one module each; `FORMATS` maps the command-line key to each."""

from __future__ import annotations

from safepassage.interop.formats.base import Format, Record, RowError
from safepassage.interop.formats.ctdc_kanon import CtdcKanon
from safepassage.interop.formats.ctdc_synthetic import CtdcSynthetic
from safepassage.interop.formats.ctdc_vp import CtdcVp
from safepassage.interop.formats.htcds import Htcds

FORMATS: dict[str, Format] = {
    fmt.key: fmt for fmt in (CtdcKanon(), CtdcSynthetic(), CtdcVp(), Htcds())
}
EXPORT_FORMATS = ("ctdc-kanon", "ctdc-synthetic", "ctdc-vp", "htcds")

__all__ = ["EXPORT_FORMATS", "FORMATS", "Format", "Record", "RowError"]
