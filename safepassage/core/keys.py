"""Local key files for development and demo installs (`safepassage init_keys`).

Production reads keys from the environment or from `*_FILE` paths (docs/configuration.md);
these files are the same secrets kept under var/keys/ with owner-only permissions.
"""

from __future__ import annotations

import argparse
import os
import secrets
from collections.abc import Callable
from pathlib import Path

from cryptography.fernet import Fernet


def _secret_key() -> str:
    return secrets.token_urlsafe(50)


def _fernet_key() -> str:
    return Fernet.generate_key().decode("ascii")


def _blind_index_key() -> str:
    return secrets.token_urlsafe(48)


KEY_FILES: dict[str, Callable[[], str]] = {
    "secret_key": _secret_key,
    "field_keys": _fernet_key,
    "blind_index_key": _blind_index_key,
}


def default_var_dir() -> Path:
    base = Path(__file__).resolve().parent.parent.parent
    return Path(os.environ.get("SAFEPASSAGE_VAR_DIR", str(base / "var")))


def init_keys(key_dir: Path) -> list[Path]:
    """Create each missing key file; never overwrite one. Returns the files created."""
    key_dir.mkdir(parents=True, exist_ok=True)
    key_dir.chmod(0o700)
    created = []
    for name, make in KEY_FILES.items():
        path = key_dir / name
        if path.exists():
            continue
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(make() + "\n")
        created.append(path)
    return created


def init_keys_cli(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="safepassage init_keys",
        description="Generate the secret key, field-encryption key and blind-index key under "
        "var/keys/ if they do not exist (development and demo installs).",
    )
    parser.add_argument("--dir", type=Path, default=None, help="key directory (default var/keys)")
    args = parser.parse_args(argv)
    key_dir = args.dir or default_var_dir() / "keys"
    created = init_keys(key_dir)
    for path in created:
        print(f"created {path}")  # noqa: T201
    if not created:
        print(f"keys already present in {key_dir}")  # noqa: T201
    return 0
