"""Django settings for Backcourse.

Everything that differs between a laptop and production comes from environment
variables (see README). Defaults are safe for local use: SQLite, console email, DEBUG on
only when asked for.
"""

from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from backcourse.env import env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent
DATA_DIR = Path(env_str("BACKCOURSE_DATA_DIR", str(BASE_DIR.parent / "var")))

DEBUG = env_bool("DEBUG", False)
# Sessions, sign-in links and booking confirmations are signed with this key; a key
# everybody knows would let anybody forge them. So without DEBUG (i.e. anywhere but a
# laptop) it must be set, or nothing starts. `dev.py demo` turns DEBUG on; the tests
# set a key of their own (tests/settings.py).
SECRET_KEY = env_str("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. Set it to a long random value, e.g. the output of "
            "`python3 -c 'import secrets; print(secrets.token_urlsafe(50))'`, or set "
            "DEBUG=1 on a development machine."
        )
    SECRET_KEY = "backcourse-insecure-development-key"  # noqa: S105 - DEBUG only

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_tasks",
    "django_tasks_db",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "backcourse.accounts",
    "backcourse.practices",
    "backcourse.measures",
    "backcourse.clients",
    "backcourse.courses",
    "backcourse.scheduling",
    "backcourse.records",
    "backcourse.outcomes",
    "backcourse.portal",
    "backcourse.api",
    "backcourse.audit",
    "backcourse.security",
    "backcourse.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Static files straight from the app server, compressed and cached (whitenoise).
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "backcourse.security.middleware.BadInputMiddleware",
    "backcourse.security.middleware.NoStoreMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "backcourse.audit.context.AuditContextMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "backcourse.practices.middleware.PracticeMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "backcourse.urls"
WSGI_APPLICATION = "backcourse.wsgi.application"

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
                "backcourse.practices.context_processors.practice",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{DATA_DIR / 'backcourse.sqlite3'}"),
        conn_max_age=env_int("DB_CONN_MAX_AGE", 0),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Writers wait for the lock instead of failing at once; IMMEDIATE transactions take
    # the write lock at BEGIN, which serializes "check for overlap, then insert".
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"timeout": 20, "transaction_mode": "IMMEDIATE", "init_command": "PRAGMA journal_mode=WAL;"}
    )

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:login"

# Login throttling (django-axes): lock out a username+IP after AXES_FAILURE_LIMIT
# failures, and an IP after AXES_IP_FAILURE_LIMIT failures across usernames (password
# spraying); see accounts/throttle.py.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_IP_FAILURE_LIMIT = env_int("AXES_IP_FAILURE_LIMIT", 20)
AXES_COOLOFF_TIME = 0.25  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"], "ip_address"]
AXES_HANDLER = "backcourse.accounts.throttle.UsernameAndAddressHandler"
AXES_RESET_ON_SUCCESS = True
AXES_ENABLED = env_bool("AXES_ENABLED", True)
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"

LANGUAGE_CODE = "en"
# "en" writes dates the British way (1 December 2026, 01/10/1981, 14:00), "en-us" the US
# way (December 1, 2026, 10/01/1981, 2:00 PM); both use the English texts. Dates, times
# and numbers always follow the active language (backcourse/formats, Django's formats).
LANGUAGES = [
    ("en", _("English (British dates)")),
    ("en-us", _("English (US dates)")),
    ("de", _("German")),
    ("lt", _("Lithuanian")),
]
LOCALE_PATHS = [BASE_DIR / "locale"]
FORMAT_MODULE_PATH = ["backcourse.formats"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(DATA_DIR / "static")))
# `manage.py collectstatic` writes compressed copies next to each file; whitenoise serves
# them with far-future caching only for files whose names carry a hash.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
# Uploaded files (therapists' photos). Served by Django only with DEBUG; production serves
# MEDIA_ROOT from the web server, or sets a shared storage (several app servers).
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env_str("BACKCOURSE_MEDIA_ROOT", str(DATA_DIR / "media")))

EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_FILE_PATH = env_str("EMAIL_FILE_PATH", str(DATA_DIR / "mail"))
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Backcourse <noreply@localhost>")

TASKS = {
    "default": {
        "BACKEND": env_str("TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
    },
    # Every email but the reminders (notifications/outbox.py), sent by its own worker:
    # `manage.py db_worker --backend email`.
    "email": {
        "BACKEND": env_str("EMAIL_TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
    },
}

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", False)
CSRF_COOKIE_SECURE = env_bool("SECURE_COOKIES", False)
X_FRAME_OPTIONS = "DENY"

# Deployment hardening, all from the environment (README "Production settings").
# A login lasts a working day (SESSION_COOKIE_AGE seconds), not two weeks.
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 8 * 60 * 60)
SESSION_COOKIE_SAMESITE = "Lax"
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", False)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", False)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
# Behind a TLS-terminating proxy: "HTTP_X_FORWARDED_PROTO,https" (header, value).
_proxy_header = env_list("SECURE_PROXY_SSL_HEADER", [])
SECURE_PROXY_SSL_HEADER = tuple(_proxy_header) if len(_proxy_header) == 2 else None
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"

# Content-Security-Policy (django-csp): scripts only from this site, never inline (the
# pages' small behaviours are in static files). Styles may be inline: the admin and
# the SVG charts use style attributes. The API's Swagger page loads its own inline
# bootstrap script and is left out.
MIDDLEWARE.insert(MIDDLEWARE.index("django.middleware.security.SecurityMiddleware") + 1,
                  "csp.middleware.CSPMiddleware")  # fmt: skip
CONTENT_SECURITY_POLICY = {
    "EXCLUDE_URL_PREFIXES": ["/api/v1/docs"],
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "WARNING")},
}

# Reminders and calendar feeds (issue 4).
INSTALLED_APPS += ["backcourse.notifications"]

# Public self-booking pages and the series page (issue 4).
INSTALLED_APPS += ["backcourse.booking"]

# The front desk's calendar grid (issue 12).
INSTALLED_APPS += [
    "backcourse.calendar",
    "backcourse.setup",
    "backcourse.closures",
    "backcourse.waitlist",
    "backcourse.sms",
]
# Text messages, like EMAIL_BACKEND: console (default), file, locmem (tests), twilio.
SMS_BACKEND = env_str("SMS_BACKEND", "backcourse.sms.backends.console.SmsBackend")
SMS_SENDER = env_str("SMS_SENDER", "")
SMS_FILE_PATH = env_str("SMS_FILE_PATH", str(DATA_DIR / "sms.log"))
SMS_TWILIO_ACCOUNT_SID = env_str("SMS_TWILIO_ACCOUNT_SID", "")
SMS_TWILIO_AUTH_TOKEN = env_str("SMS_TWILIO_AUTH_TOKEN", "")
SMS_TWILIO_API_URL = env_str("SMS_TWILIO_API_URL", "")
# Region for phone numbers typed without a country code.
PHONE_REGION = env_str("PHONE_REGION", "DE")
# How long a freed slot offered from the waitlist is held for the person offered it.
WAITLIST_HOLD_MINUTES = env_int("WAITLIST_HOLD_MINUTES", 30)

# JSON API (django-ninja) and two-factor login for staff.
INSTALLED_APPS += ["ninja"]  # serves the API docs page with its own Swagger UI files
MIDDLEWARE += ["backcourse.accounts.middleware.TwoFactorMiddleware"]
OTP_TOTP_ISSUER = "Backcourse"
OTP_ADMIN_HIDE_SENSITIVE_DATA = True  # the admin never shows an authenticator secret

# Rate limits on the public forms that send email (counted from database rows, so they
# hold across several app servers). 0 turns a limit off.
BOOKING_REQUESTS_PER_EMAIL_HOUR = env_int("BOOKING_REQUESTS_PER_EMAIL_HOUR", 5)
BOOKING_REQUESTS_PER_IP_HOUR = env_int("BOOKING_REQUESTS_PER_IP_HOUR", 20)
SIGNIN_LINKS_PER_EMAIL_15MIN = env_int("SIGNIN_LINKS_PER_EMAIL_15MIN", 5)
SIGNIN_LINKS_PER_IP_15MIN = env_int("SIGNIN_LINKS_PER_IP_15MIN", 20)

# --- Reminders (notifications/) ------------------------------------------------------
# How long a reminder may stay "sending" before a later scan assumes the worker died
# between claiming it and handing it to the mail server, and sends it again.
REMINDER_CLAIM_TIMEOUT = timedelta(seconds=env_int("REMINDER_CLAIM_TIMEOUT_SECONDS", 15 * 60))
# A maintenance reminder due further back than this is not sent: it would only surprise
# a client who left long ago (e.g. right after an import).
MAINTENANCE_REMINDER_LOOKBACK = timedelta(days=env_int("MAINTENANCE_REMINDER_LOOKBACK_DAYS", 14))
# At most this many reminders per scan; the next scan takes the rest.
REMINDER_SCAN_LIMIT = env_int("REMINDER_SCAN_LIMIT", 500)

# --- Client pages (portal/) ------------------------------------------------------------
# A validated questionnaire is asked at the start of a course and every this many held
# sessions.
BACKCOURSE_QUESTIONNAIRE_EVERY = env_int("BACKCOURSE_QUESTIONNAIRE_EVERY", 4)

# Prices, packages, invoices and payments (issue 11).
INSTALLED_APPS += ["backcourse.billing"]

# The floor view of scripts/bench_pages.py (one session by primary key); off everywhere else.
BENCH_FLOOR = env_bool("BACKCOURSE_BENCH_FLOOR", False)
