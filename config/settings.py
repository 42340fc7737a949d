"""SafePassage settings. Every value comes from the environment; see docs/configuration.md."""

from __future__ import annotations

from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from config.env import env_bool, env_int, env_list, env_secret, env_str

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("SAFEPASSAGE_VAR_DIR", str(BASE_DIR / "var")))

DEBUG = env_bool("SAFEPASSAGE_DEBUG", default=False)

SECRET_KEY = env_secret("SAFEPASSAGE_SECRET_KEY", fallback_file=VAR_DIR / "keys" / "secret_key")
# Fernet keys for personal identifiers, newest first; older keys stay to decrypt until
# `safepassage rotate_keys` has re-encrypted everything with the newest.
FIELD_ENCRYPTION_KEYS = [
    key.strip()
    for key in env_secret("SAFEPASSAGE_FIELD_KEYS", fallback_file=VAR_DIR / "keys" / "field_keys")
    .replace("\n", ",")
    .split(",")
    if key.strip()
]
# HMAC key for blind indexes (exact-match lookups on encrypted identifiers).
BLIND_INDEX_KEY = env_secret(
    "SAFEPASSAGE_BLIND_INDEX_KEY", fallback_file=VAR_DIR / "keys" / "blind_index_key"
)

ALLOWED_HOSTS = env_list("SAFEPASSAGE_ALLOWED_HOSTS", "127.0.0.1,localhost")
CSRF_TRUSTED_ORIGINS = env_list("SAFEPASSAGE_CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
    "csp",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "safepassage.core",
    "safepassage.reference",
    "safepassage.offices",
    "safepassage.accounts",
    "safepassage.access",
    "safepassage.audit",
    "safepassage.cases",
    "safepassage.screening",
    "safepassage.assistance",
    "safepassage.projects",
    "safepassage.transfers",
    "safepassage.returns",
    "safepassage.linkage",
    "safepassage.stats",
    "safepassage.interop",
    "safepassage.research",
    "safepassage.retention",
    "safepassage.api",
    "safepassage.web",
    "safepassage.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "safepassage.accounts.middleware.SessionIdleRefreshMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "safepassage.accounts.middleware.TwoFactorRequiredMiddleware",
    "safepassage.web.errors.DomainErrorMiddleware",
    "safepassage.web.errors.DatabaseUnavailableMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "csp.context_processors.nonce",
            ],
        },
    }
]

DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'safepassage.sqlite3'}"),
        conn_max_age=env_int("SAFEPASSAGE_DB_CONN_MAX_AGE", default=60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers work while a writer commits; IMMEDIATE avoids lock upgrades failing
    # half-way through a transaction.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # No JIT compilation: the app's queries are short, and compiling the few long ones (the
    # dashboard's aggregates) cost more than it saved (1.33 s against 1.12 s at 400,000 cases).
    # Options given in DATABASE_URL (?options=...) come after, so they win.
    _options = DATABASES["default"].setdefault("OPTIONS", {})
    _options["options"] = f"-c jit=off {_options.get('options', '')}".strip()
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "web:home"
LOGOUT_REDIRECT_URL = "accounts:login"

SAFEPASSAGE_REQUIRE_2FA = env_bool("SAFEPASSAGE_REQUIRE_2FA", default=not DEBUG)
OTP_TOTP_ISSUER = env_str("SAFEPASSAGE_OTP_ISSUER", "SafePassage")

# Lockout after repeated failures (django-axes).
AXES_FAILURE_LIMIT = env_int("SAFEPASSAGE_LOCKOUT_ATTEMPTS", default=5)
AXES_COOLOFF_TIME = env_int("SAFEPASSAGE_LOCKOUT_MINUTES", default=30) / 60
# Lock the account, not the address: offices often share one NAT address, and an address-wide
# lock would shut out a whole office. Password spraying meets the 12-character minimum and 2FA.
AXES_LOCKOUT_PARAMETERS = ["username"]
SILENCED_SYSTEM_CHECKS = [
    "axes.W006",
    # Indexes carrying extra columns (INCLUDE) are a PostgreSQL feature; SQLite, the development
    # database, builds the same indexes without them.
    "models.W040",
]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_VERBOSE = False

# Sessions end after a period without activity.
SESSION_COOKIE_AGE = env_int("SAFEPASSAGE_SESSION_IDLE_SECONDS", default=30 * 60)
# The idle timeout moves forward when a session is saved: at most once per refresh interval
# (SessionIdleRefreshMiddleware), not on every request.
SAFEPASSAGE_SESSION_REFRESH_SECONDS = env_int("SAFEPASSAGE_SESSION_REFRESH_SECONDS", default=60)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True

HTTPS = env_bool("SAFEPASSAGE_HTTPS", default=True)
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_SSL_REDIRECT = HTTPS and env_bool("SAFEPASSAGE_SSL_REDIRECT", default=True)
SECURE_HSTS_SECONDS = env_int("SAFEPASSAGE_HSTS_SECONDS", default=31536000) if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS and env_bool("SAFEPASSAGE_HSTS_PRELOAD", default=True)
SECURE_PROXY_SSL_HEADER = (
    ("HTTP_X_FORWARDED_PROTO", "https")
    if env_bool("SAFEPASSAGE_BEHIND_PROXY", default=False)
    else None
)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# Content security policy: nothing inline, nothing from elsewhere.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("fr", _("French")), ("es", _("Spanish"))]
LOCALE_PATHS = [BASE_DIR / "safepassage" / "locale"]
USE_I18N = True
TIME_ZONE = "UTC"
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = DEBUG

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("SAFEPASSAGE_LOG_LEVEL", "INFO")},
    "loggers": {
        # Request logs can carry query strings; keep them at warning level.
        "django.request": {"level": "WARNING"},
        "axes": {"level": "WARNING"},
        # The linkage engine narrates every training step at INFO; keep its warnings only.
        "splink": {"level": "WARNING"},
    },
}

# Research releases: the total epsilon differentially private releases may spend on
# overlapping data (docs/research.md).
SAFEPASSAGE_DP_BUDGET = float(env_str("SAFEPASSAGE_DP_BUDGET", "10"))

# Retention (docs/data-protection.md): years after closure that a case keeps its identifiers
# when its office sets no period of its own.
# How long the statistics dashboard reuses figures computed for the same scope and filters
# (seconds; 0 computes them on every view). Aggregates only: authorisation is checked on every
# request, the cache never decides who sees what.
SAFEPASSAGE_STATS_CACHE_SECONDS = env_int("SAFEPASSAGE_STATS_CACHE_SECONDS", default=60)
if not 0 <= SAFEPASSAGE_STATS_CACHE_SECONDS <= 3600:
    raise ImproperlyConfigured("SAFEPASSAGE_STATS_CACHE_SECONDS must be between 0 and 3600.")
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    # The dashboard's figures and chart drawings, in a table of the database (created by the
    # stats migrations): every server process, on every machine, shares one computation.
    "stats": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "stats_dashboard_cache",
        # Figures per scope, filters and language, and their drawings (a few dozen kB each).
        "OPTIONS": {"MAX_ENTRIES": 2000},
    },
}
SAFEPASSAGE_RETENTION_YEARS = env_int("SAFEPASSAGE_RETENTION_YEARS", default=10)
if not 1 <= SAFEPASSAGE_RETENTION_YEARS <= 100:
    raise ImproperlyConfigured("SAFEPASSAGE_RETENTION_YEARS must be between 1 and 100.")

# REST API (docs/api.md): token authentication only, errors as stable codes, throttled.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["safepassage.api.authentication.ApiTokenAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": [
        "rest_framework.parsers.JSONParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_PAGINATION_CLASS": "safepassage.api.pagination.Pagination",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_THROTTLE_CLASSES": [
        "rest_framework.throttling.AnonRateThrottle",
        "rest_framework.throttling.UserRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": env_str("SAFEPASSAGE_API_ANON_RATE", "30/minute"),
        "user": env_str("SAFEPASSAGE_API_USER_RATE", "600/minute"),
    },
    "EXCEPTION_HANDLER": "safepassage.api.errors.exception_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "SafePassage API",
    "DESCRIPTION": "Case work, transfers, returns and reports. Every POST needs an Idempotency-Key header.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
}
