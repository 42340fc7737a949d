"""Reading settings from the environment, failing closed.

Kept apart from settings.py so the rules (what is a boolean, where a secret may come from) are
written once and can be tested.
"""

from __future__ import annotations

import os
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

TRUE = {"1", "true", "yes", "on"}
FALSE = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str) -> str:
    return os.environ.get(name, default)


def env_bool(name: str, *, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in TRUE:
        return True
    if value in FALSE:
        return False
    raise ImproperlyConfigured(
        f"{name} must be one of 1/0, true/false, yes/no, on/off; got {raw!r}"
    )


def env_int(name: str, *, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be an integer; got {raw!r}") from exc


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def env_secret(name: str, *, fallback_file: Path | None) -> str:
    """A secret from NAME, from the file named by NAME_FILE, or from a generated local file.

    The local file (under var/) is what `safepassage init_keys` writes for a development or demo
    install; production sets NAME or NAME_FILE. No secret is ever defaulted in code.
    """
    value = os.environ.get(name)
    if value:
        return value.strip()
    file_name = os.environ.get(f"{name}_FILE")
    if file_name:
        path = Path(file_name)
        if not path.is_file():
            raise ImproperlyConfigured(f"{name}_FILE points to {path}, which does not exist")
        return path.read_text(encoding="utf-8").strip()
    if fallback_file is not None and fallback_file.is_file():
        return fallback_file.read_text(encoding="utf-8").strip()
    raise ImproperlyConfigured(
        f"{name} is not set. Set {name} or {name}_FILE, or run `safepassage init_keys` "
        "to generate local keys under var/ (development and demo only)."
    )
