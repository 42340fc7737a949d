"""Settings for the test suite: fixed throwaway keys, fast hashing, no network."""

from __future__ import annotations

import os

# Test-only keys; never valid anywhere else. Set before settings.py reads them.
os.environ.setdefault(
    "SAFEPASSAGE_SECRET_KEY", "test-only-secret-key-not-for-any-deployment-000000"
)
os.environ.setdefault(
    "SAFEPASSAGE_FIELD_KEYS",
    "ZmZmZmZmZmZmZmZmZmZmZmZmZmZmZmZmZmZmZmZmZmY=,ZWVlZWVlZWVlZWVlZWVlZWVlZWVlZWVlZWVlZWVlZWU=",
)
os.environ.setdefault("SAFEPASSAGE_BLIND_INDEX_KEY", "test-only-blind-index-key")
os.environ.setdefault("SAFEPASSAGE_HTTPS", "0")
os.environ.setdefault("SAFEPASSAGE_REQUIRE_2FA", "1")
if "TEST_DATABASE_URL" in os.environ and "DATABASE_URL" not in os.environ:
    os.environ["DATABASE_URL"] = os.environ["TEST_DATABASE_URL"]
os.environ.setdefault("DATABASE_URL", "sqlite://:memory:")

from config.settings import *  # noqa: F403
from config.settings import CACHES

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_AUTOREFRESH = True
ALLOWED_HOSTS = ["testserver", "127.0.0.1", "localhost"]
# The dashboard cache lives in a database table in production; tests keep it in memory so that
# every test starts with it empty (conftest), and test the table on its own.
DATABASE_STATS_CACHE = CACHES["stats"]
CACHES = {
    **CACHES,
    "stats": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "stats"},
}
