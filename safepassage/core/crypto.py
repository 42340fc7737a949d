"""Encryption of personal identifiers at rest and blind indexes for exact lookups.

Fernet (AES-128-CBC with HMAC-SHA256, from `cryptography`) with a MultiFernet over the
configured keys: the first key encrypts, every key decrypts, so keys rotate without downtime
(`safepassage rotate_keys`). Blind indexes are HMAC-SHA256 of a normalised value under a separate
key, so equal values can be found without decrypting and without revealing the value.
"""

from __future__ import annotations

import hashlib
import hmac
import unicodedata
from functools import cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


class DecryptionError(Exception):
    """A stored value could not be decrypted with any configured key."""


@cache
def _fernet() -> MultiFernet:
    keys = list(settings.FIELD_ENCRYPTION_KEYS)
    if not keys:
        raise ImproperlyConfigured("SAFEPASSAGE_FIELD_KEYS holds no key")
    try:
        return MultiFernet([Fernet(key.encode("ascii")) for key in keys])
    except (ValueError, TypeError) as exc:
        raise ImproperlyConfigured(
            "SAFEPASSAGE_FIELD_KEYS must hold Fernet keys (32 url-safe base64-encoded bytes)"
        ) from exc


def reset_key_cache() -> None:
    """Forget the loaded keys (after the key list changed)."""
    _fernet.cache_clear()


def encrypt_text(value: str) -> str:
    return _fernet().encrypt(value.encode("utf-8")).decode("ascii")


def decrypt_text(token: str) -> str:
    try:
        return _fernet().decrypt(token.encode("ascii")).decode("utf-8")
    except (InvalidToken, UnicodeEncodeError) as exc:
        raise DecryptionError("stored value cannot be decrypted with the configured keys") from exc


def rotate_token(token: str) -> str:
    """Re-encrypt a token under the first (newest) key."""
    try:
        return _fernet().rotate(token.encode("ascii")).decode("ascii")
    except InvalidToken as exc:
        raise DecryptionError("stored value cannot be decrypted with the configured keys") from exc


def normalise_for_index(value: str) -> str:
    """Case-, width- and spacing-insensitive form used before hashing."""
    folded = unicodedata.normalize("NFKC", value).casefold()
    return " ".join(folded.split())


def blind_index(value: str, *, purpose: str) -> str:
    """Keyed hash of `value` for exact-match lookups. `purpose` separates index domains so the
    same value indexed for two fields gives two unrelated hashes."""
    key = settings.BLIND_INDEX_KEY.encode("utf-8")
    message = f"{purpose}\x00{normalise_for_index(value)}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()
