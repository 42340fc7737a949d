from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from safepassage.screening.xlsform import xform_xml, xlsform_bytes


class Command(BaseCommand):
    help = "Write the screening form as an XLSForm (for KoboToolbox / ODK Central) and, with --xform, the converted XForm."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--out", required=True, type=Path, help="XLSX file to write")
        parser.add_argument(
            "--xform", type=Path, default=None, help="also write the XForm XML here"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        options["out"].write_bytes(xlsform_bytes())
        self.stdout.write(f"wrote {options['out']}")
        if options["xform"]:
            options["xform"].write_text(xform_xml(), encoding="utf-8")
            self.stdout.write(f"wrote {options['xform']}")
