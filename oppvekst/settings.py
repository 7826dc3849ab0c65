"""Settings for Oppvekst, configured from the environment.

One settings module for every environment: production differs from the demo only by
environment variables (DATABASE_URL, OPPVEKST_DEMO, SECRET_KEY, OIDC ...), so what is tested
is what runs.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent
PROJECT_ROOT = BASE_DIR.parent
VAR_DIR = Path(os.environ.get("OPPVEKST_VAR_DIR", PROJECT_ROOT / "var"))


def env_flag(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_positive_int(name: str, default: int) -> int:
    """A whole number above zero, or `default` when unset or not one."""
    try:
        value = int(os.environ.get(name, "") or default)
    except ValueError:
        return default
    return value if value > 0 else default


def env_text(name: str, default: str = "") -> str:
    return os.environ.get(name, "").strip() or default


DEBUG = env_flag("OPPVEKST_DEBUG", False)
DEMO_MODE = env_flag("OPPVEKST_DEMO", False)
# Synthetic identity numbers (month + 80, domain/norway.md §5.2) only where test data is allowed.
ALLOW_SYNTHETIC_IDS = env_flag("OPPVEKST_ALLOW_SYNTHETIC_IDS", DEMO_MODE)

SECRET_KEY = os.environ.get("SECRET_KEY") or os.environ.get("OPPVEKST_SECRET_KEY", "")
if not SECRET_KEY and (DEBUG or DEMO_MODE or env_flag("OPPVEKST_TESTING")):
    SECRET_KEY = "insecure-demo-key-never-use-in-production-0123456789abcdef"
# Without a key, commands that sign nothing (stats, migrate, the pure CLIs) still run: Django
# refuses an empty SECRET_KEY the moment something reads it, and serving refuses to start
# (oppvekst/wsgi.py and `oppvekst runserver` check SECRET_KEY_REQUIRED_MESSAGE first).
SECRET_KEY_REQUIRED_MESSAGE = "Set SECRET_KEY in the environment (or OPPVEKST_DEMO=1)."

ALLOWED_HOSTS = [h for h in os.environ.get("ALLOWED_HOSTS", "127.0.0.1,localhost").split(",") if h]
CSRF_TRUSTED_ORIGINS = [o for o in os.environ.get("CSRF_TRUSTED_ORIGINS", "").split(",") if o]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "ninja",  # serves Swagger UI for /api/v1/docs from its static files (no CDN)
    "django_tasks",
    "django_tasks_db",
    "oppvekst.core",
    "oppvekst.people",
    "oppvekst.staff",
    "oppvekst.placements",
    "oppvekst.access",
    "oppvekst.admission",
    "oppvekst.billing",
    "oppvekst.timetable",
    "oppvekst.attendance",
    "oppvekst.outbox",
    "oppvekst.jobs",
    "oppvekst.demo",
    "oppvekst.portal",
    "oppvekst.workspace",
    "oppvekst.reports",
    "axes",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "oppvekst.i18n.NorwegianFirstLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "oppvekst.access.middleware.IdleTimeoutMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "oppvekst.security.SecurityHeadersMiddleware",
    # Last, as django-axes requires: locks out password logins after repeated failures.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "oppvekst.urls"
WSGI_APPLICATION = "oppvekst.wsgi.application"
AUTH_USER_MODEL = "access.User"
# Login throttling for password logins (the admin): django-axes first, then the model backend.
# OpenID Connect and demo logins call login() with the model backend directly.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Password logins (the admin; everyone else logs in through OpenID Connect) must choose a
# password that is long, not common, not all digits and not like their name, told in bokmål.
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "oppvekst.access.passwords.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AXES_FAILURE_LIMIT = int(os.environ.get("OPPVEKST_LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = float(os.environ.get("OPPVEKST_LOGIN_COOLOFF_HOURS", "1"))  # hours
# Lock the username from the failing address only, so nobody can lock an admin out from afar.
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "access/locked_out.html"


def env_int(name: str, default: int, low: int, high: int) -> int:
    """An integer setting; a value that is not a whole number in range is a configuration
    error, not a silent default."""
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw) if len(raw) <= 12 else low - 1
    except ValueError:
        value = low - 1
    if not low <= value <= high:
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured(f"{name} must be a whole number from {low} to {high}.")
    return value


# How many reverse proxies in front of the application append to X-Forwarded-For. The client
# address (audit trail, login throttling) is the entry that many hops from the right; with 0
# the header is ignored, since anyone can send it (oppvekst/access/audit.py client_address).
TRUSTED_PROXIES = env_int("OPPVEKST_TRUSTED_PROXIES", 0, 0, 10)
AXES_CLIENT_IP_CALLABLE = "oppvekst.access.audit.client_address"
# Bearer tokens printed by `oppvekst demo-token` work only in demo mode, and only this long.
DEMO_TOKEN_HOURS = env_int("OPPVEKST_DEMO_TOKEN_HOURS", 12, 1, 24 * 30)

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "oppvekst.workspace.context.site",
            ],
        },
    },
]

DEFAULT_SQLITE = f"sqlite:///{VAR_DIR / 'oppvekst.sqlite3'}"
# Persistent connections: opening a PostgreSQL connection per request cost more CPU than the
# requests themselves at the admission peak (docs/decisions/0012-serving.md). Health checks
# replace a connection the database dropped before the request uses it.
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", DEFAULT_SQLITE),
        conn_max_age=int(os.environ.get("OPPVEKST_CONN_MAX_AGE", "300")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers run beside the one writer; IMMEDIATE takes the write lock when a
    # transaction starts (a deferred one that upgrades later fails at once instead of waiting);
    # the busy timeout lets writers queue instead of failing with "database is locked".
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 30,
        "transaction_mode": "IMMEDIATE",
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=30000;"
        ),
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
IS_POSTGRES = DATABASES["default"]["ENGINE"].startswith("django.db.backends.postgresql")

TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
if env_flag("OPPVEKST_TASKS_IMMEDIATE"):
    TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}

EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if DEMO_MODE or DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "oppvekst@kommune.example")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
# For EMAIL_BACKEND=django.core.mail.backends.filebased.EmailBackend (the fault benchmark
# counts what was delivered there).
EMAIL_FILE_PATH = os.environ.get("EMAIL_FILE_PATH", str(VAR_DIR / "mail"))

LANGUAGE_CODE = "nb"
LANGUAGES = [("nb", "Norsk bokmål"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Oslo"
# English dates day-first with a 24-hour clock (oppvekst/formats/en); Norwegian uses Django's.
FORMAT_MODULE_PATH = ["oppvekst.formats"]
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
# Served by WhiteNoise straight from the finders: no collectstatic step for `make run`.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG
MEDIA_ROOT = VAR_DIR / "media"

LOGIN_URL = "/login/"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/"

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = not (DEBUG or DEMO_MODE or env_flag("OPPVEKST_TESTING"))
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
if SESSION_COOKIE_SECURE:
    SECURE_SSL_REDIRECT = env_flag("OPPVEKST_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = 31536000
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("OPPVEKST_LOG_LEVEL", "WARNING")},
}

# --- the application's own configuration ------------------------------------------------------
# Everything the code reads from the environment is read here, once; the code reads `settings`.

# The clock (oppvekst/clock.py): `OPPVEKST_TODAY=2026-08-15` stands the whole process on that day
# (the demo, browser tests and benchmarks use it).
_today = os.environ.get("OPPVEKST_TODAY", "").strip()
OPPVEKST_TODAY: dt.date | None = dt.date.fromisoformat(_today) if _today else None

# Idle timeout of a session, in minutes (oppvekst/access/middleware.py): staff are anyone with
# staff access — an employment or the admin flag —; guardians are everyone else.
OPPVEKST_STAFF_IDLE_MINUTES = env_positive_int("OPPVEKST_STAFF_IDLE_MINUTES", 30)
OPPVEKST_GUARDIAN_IDLE_MINUTES = env_positive_int("OPPVEKST_GUARDIAN_IDLE_MINUTES", 30)

# OpenID Connect (oppvekst/access/oidc.py). A provider is offered when its issuer, client id and
# secret are all set: OPPVEKST_OIDC_<IDPORTEN|FEIDE|ENTRA>_<ISSUER|CLIENT_ID|CLIENT_SECRET>, with
# optional _SCOPE and _TOKEN_AUTH (client_secret_basic or client_secret_post).
OPPVEKST_OIDC_PROVIDERS: dict[str, dict[str, str]] = {
    provider: {
        key: env_text(f"OPPVEKST_OIDC_{provider}_{key}")
        for key in ("ISSUER", "CLIENT_ID", "CLIENT_SECRET", "SCOPE", "TOKEN_AUTH")
    }
    for provider in ("IDPORTEN", "FEIDE", "ENTRA")
}
# The public address the provider sends the browser back to, when it is not the request's host.
OPPVEKST_OIDC_REDIRECT_BASE = env_text("OPPVEKST_OIDC_REDIRECT_BASE").rstrip("/")
# How an Entra ID login finds its person: by staff e-mail (default) or by identity number, and
# which claim carries it.
OPPVEKST_OIDC_ENTRA_MATCH = env_text("OPPVEKST_OIDC_ENTRA_MATCH", "email")
OPPVEKST_OIDC_ENTRA_CLAIM = env_text("OPPVEKST_OIDC_ENTRA_CLAIM", "email")

# How far back an invoice run looks for changes to locked months (correction lines).
OPPVEKST_BILLING_CORRECTION_MONTHS = int(os.environ.get("OPPVEKST_BILLING_CORRECTION_MONTHS", "12"))

# Long jobs (oppvekst/jobs, docs/decisions/0005-jobs-leases.md): a heartbeat older than this
# many seconds means the worker died. The fault harness shortens it and makes jobs rest at each
# checkpoint, so that a kill lands in the middle of a job; both are for tests only.
OPPVEKST_JOB_STALE_SECONDS = float(os.environ.get("OPPVEKST_JOB_STALE_SECONDS", "30"))
OPPVEKST_JOB_CHECKPOINT_PAUSE = float(os.environ.get("OPPVEKST_JOB_CHECKPOINT_PAUSE", "0"))
