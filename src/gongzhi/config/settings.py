"""Gongzhi settings: one base file, driven by the environment.

Every value that differs between a developer's laptop, CI and production is read from an
environment variable through the small typed helpers below. `gongzhi.config.production`
imports this module and hardens it; `manage.py check --deploy` must be clean there.
"""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent  # src/gongzhi
PROJECT_DIR = BASE_DIR.parent.parent  # the repository (or the working directory when installed)
VAR_DIR = Path(os.environ.get("GONGZHI_VAR_DIR", str(PROJECT_DIR / "var")))


def env_str(name: str, default: str) -> str:
    return os.environ.get(name, default)


def env_bool(name: str, *, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return raw.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


# A development key only (public in the repository: `check` warns while it is in use, gongzhi.W001);
# production.py refuses to start without GONGZHI_SECRET_KEY.
DEV_SECRET_KEY = "dev-only-insecure-key-never-used-in-production"  # noqa: S105 - public on purpose
SECRET_KEY = env_str("GONGZHI_SECRET_KEY", DEV_SECRET_KEY)
# Off unless GONGZHI_DEBUG=1 is set explicitly (development): debug pages show code and settings.
DEBUG = env_bool("GONGZHI_DEBUG", default=False)
ALLOWED_HOSTS = env_list("GONGZHI_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "testserver"])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rules.apps.AutodiscoverRulesConfig",
    "csp",
    "axes",
    "django_tasks",
    "django_tasks_db",
    "ninja",  # serves Swagger UI for /api/docs from its own static files (no CDN)
    "gongzhi.core",
    "gongzhi.places",
    "gongzhi.elevators",
    "gongzhi.motions",
    "gongzhi.renewals",
    "gongzhi.meetings",
    "gongzhi.delivery",
    "gongzhi.workdays",
    "gongzhi.suggestions",
    "gongzhi.ledgers",
    "gongzhi.councils",
    "gongzhi.spaces",
    "gongzhi.talent",
    "gongzhi.portal",
    "gongzhi.demo",
]

MIDDLEWARE = [
    # Refuses NUL bytes in paths and query strings (400) before any view or query sees them.
    "gongzhi.core.middleware.RefuseNulBytesMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # A JSON 503 with Retry-After under /api/ (a branded page elsewhere) when the database is unreachable.
    "gongzhi.core.middleware.DatabaseUnavailableMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # A DomainError a view lets through: the branded 404/403/400 page with its message (the API maps its own).
    "gongzhi.core.middleware.DomainErrorMiddleware",
    # Login throttling (django-axes): keep it last, after authentication.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "gongzhi.config.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "gongzhi.core.context_processors.site",
            ],
        },
    },
]

ASGI_APPLICATION = "gongzhi.config.asgi.application"
WSGI_APPLICATION = "gongzhi.config.wsgi.application"

# DATABASE_URL selects the database; the default is one SQLite file under var/.
DEFAULT_SQLITE = VAR_DIR / "gongzhi.sqlite3"
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{DEFAULT_SQLITE}",
        conn_max_age=int(env_str("GONGZHI_CONN_MAX_AGE", "0")),
    )
}
_POOL_MAX = int(env_str("GONGZHI_DB_POOL_MAX", "10"))
if _POOL_MAX > 0 and DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Under ASGI each request of a sync view may run on its own thread with its own connection;
    # persistent connections (CONN_MAX_AGE) then pile up until PostgreSQL refuses new clients
    # ("too many clients"). A pool (psycopg_pool, Django 5.1+) caps them per process: on by default
    # with 10 connections; GONGZHI_DB_POOL_MAX=0 turns it off. Set it to about
    # max_connections / (worker processes + 1) in production (README, Production). A request that
    # waits longer than the timeout for a connection gets a 503 with Retry-After.
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
        "min_size": min(2, _POOL_MAX),
        "max_size": _POOL_MAX,
        "timeout": 30,
    }
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the web server read while the task worker writes an import.
    DATABASES["default"].setdefault("OPTIONS", {})
    DATABASES["default"]["OPTIONS"].update(
        {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # first: refuses a locked-out account or address
    "rules.permissions.ObjectPermissionBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# A stale or missing CSRF token gets the branded 403 page, not Django's English one.
CSRF_FAILURE_VIEW = "gongzhi.core.http_errors.csrf_failure"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("简体中文")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
# Front-end packages are installed from npm at build time into node_modules and copied
# (never committed) into assets/vendor by `make assets`.
STATICFILES_DIRS = [PROJECT_DIR / "assets"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
# Development (GONGZHI_DEBUG=1): whitenoise serves assets straight from the finders. With DEBUG off
# (production, `gongzhi demo`) the hashed files come from STATIC_ROOT, filled by collectstatic
# (`gongzhi demo` runs it itself).
WHITENOISE_USE_FINDERS = DEBUG
WHITENOISE_AUTOREFRESH = DEBUG
MEDIA_ROOT = VAR_DIR / "media"
MEDIA_URL = "/media/"
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

TASKS = {
    "default": {
        "BACKEND": env_str("GONGZHI_TASK_BACKEND", "django_tasks_db.DatabaseBackend"),
    }
}

# Secret key of the one-way hash of owners' identity numbers (PIPL: store no more than needed).
# Named *_KEY so that Django's debug page and error reports hide it like SECRET_KEY; the
# environment variable keeps its old name.
DEV_OWNER_ID_HASH_KEY = "dev-only-pepper"
OWNER_ID_HASH_KEY = env_str("GONGZHI_OWNER_ID_PEPPER", DEV_OWNER_ID_HASH_KEY)

# Owners' motions: local rules, Hangzhou's as defaults (杭州市物业管理条例, 2021). Art. 19: a regular
# owners' assembly is announced 15 days ahead, an extraordinary one 7 days ahead; Art. 20: a vote
# stays open at least 5 and at most 60 days (electronic voting is the norm, paper on request).
GONGZHI_MOTION_NOTICE_DAYS = {
    "regular": int(env_str("GONGZHI_MOTION_NOTICE_DAYS_REGULAR", "15")),
    "extraordinary": int(env_str("GONGZHI_MOTION_NOTICE_DAYS_EXTRAORDINARY", "7")),
}
GONGZHI_MOTION_MIN_DAYS = int(env_str("GONGZHI_MOTION_MIN_DAYS", "5"))
GONGZHI_MOTION_MAX_DAYS = int(env_str("GONGZHI_MOTION_MAX_DAYS", "60"))
# Who delivers voters' one-time codes: a dotted path to a class with send(phone, message).
# The console sender (development) prints them; production plugs in its SMS gateway.
GONGZHI_CODE_SENDER = env_str("GONGZHI_CODE_SENDER", "gongzhi.motions.codes.ConsoleSender")
# The city whose renewal subsidies apply (matched against a subsidy rule's region), e.g. 杭州市.
GONGZHI_CITY = env_str("GONGZHI_CITY", "杭州市")
# Public address printed in QR codes on paper notices (e.g. https://gongzhi.example); empty: the request's host.
GONGZHI_PUBLIC_URL = env_str("GONGZHI_PUBLIC_URL", "")

# Marks pages as showing sample data (the Liangzhu demo).
GONGZHI_DEMO = env_bool("GONGZHI_DEMO", default=False)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("GONGZHI_LOG_LEVEL", "WARNING")},
}

# --- Content-Security-Policy (django-csp 4): scripts only from this site or with the response's nonce.
# Templates put the nonce on <script>/<style> tags as {{ request.csp_nonce }}; no inline handlers anywhere
# (docs/security.md, "Content-Security-Policy and scripts"). Style *attributes* stay allowed: ECharts
# writes its HTML tooltips with style="..." and a few templates size bars from data; <style> elements
# still need the nonce. The same policy holds in production and in the demo (no setting changes it).
from csp.constants import NONCE  # noqa: E402 - kept with the policy it serves

CONTENT_SECURITY_POLICY: dict[str, object] = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'", NONCE],
        "style-src": ["'self'", NONCE],
        "style-src-elem": ["'self'", NONCE],
        "style-src-attr": ["'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    },
}

# --- Login throttling (django-axes; core.login_throttle, docs/security.md).
# The client's address (core.clients.client_ip): REMOTE_ADDR, unless the request comes from one of
# GONGZHI_TRUSTED_PROXIES (comma-separated addresses or CIDR networks of your reverse proxies) and
# GONGZHI_CLIENT_IP_HEADER names the header they set (e.g. X-Forwarded-For); only then is the
# header believed, read from the right, skipping the trusted proxies.
import ipaddress  # noqa: E402 - kept with the settings they serve
from datetime import timedelta  # noqa: E402

from django.core.exceptions import ImproperlyConfigured  # noqa: E402

GONGZHI_CLIENT_IP_HEADER = env_str("GONGZHI_CLIENT_IP_HEADER", "")
GONGZHI_TRUSTED_PROXIES = env_list("GONGZHI_TRUSTED_PROXIES", [])
for _proxy in GONGZHI_TRUSTED_PROXIES:
    try:
        ipaddress.ip_network(_proxy, strict=False)
    except ValueError as _error:
        raise ImproperlyConfigured(f"GONGZHI_TRUSTED_PROXIES: {_proxy!r} is not an address or network.") from _error
# Failed logins within the cool-off lock the account (AXES_FAILURE_LIMIT) or the client address
# (GONGZHI_LOGIN_ADDRESS_FAILURE_LIMIT, higher: an office or an estate shares one NAT address);
# a successful login clears the account's failures. `gongzhi axes_reset_username NAME` unlocks.
AXES_FAILURE_LIMIT = int(env_str("GONGZHI_LOGIN_ACCOUNT_FAILURE_LIMIT", "10"))
GONGZHI_LOGIN_ADDRESS_FAILURE_LIMIT = int(env_str("GONGZHI_LOGIN_ADDRESS_FAILURE_LIMIT", "50"))
AXES_LOCKOUT_PARAMETERS = [["username"], ["ip_address"]]
AXES_COOLOFF_TIME = timedelta(minutes=int(env_str("GONGZHI_LOGIN_COOLOFF_MINUTES", "15")))
AXES_RESET_ON_SUCCESS = True
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False  # a definite time to try again
AXES_HANDLER = "gongzhi.core.login_throttle.LoginThrottleHandler"
AXES_CLIENT_IP_CALLABLE = "gongzhi.core.clients.client_ip"
AXES_LOCKOUT_CALLABLE = "gongzhi.core.views.login_lockout"
AXES_HTTP_RESPONSE_CODE = 429
