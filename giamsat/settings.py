"""GiamSat settings. Every deployment-specific value comes from an environment variable.

See README.md ("Configuration") for the list. Defaults give the embedded shape: a SQLite
file under var/, Huey on SQLite. DEBUG is off unless DEBUG=true is set (`make run` and the test
settings set it), so a deployment that forgets it shows no tracebacks and gets HSTS.
"""

import datetime as dt
import os
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("GIAMSAT_VAR_DIR", BASE_DIR / "var"))
VAR_DIR.mkdir(parents=True, exist_ok=True)


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", False)
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY and DEBUG:
    SECRET_KEY = "dev-only-insecure-key-change-me"  # noqa: S105 - local development only
elif not SECRET_KEY:
    # No key given: one is made once and kept in var/ (owner-readable only), so every
    # manage.py command works on a fresh machine. Several machines must share SECRET_KEY.
    _key_file = VAR_DIR / "secret_key"
    if not _key_file.exists():
        import secrets

        _key_file.touch(mode=0o600)
        _key_file.write_text(secrets.token_urlsafe(50))
    SECRET_KEY = _key_file.read_text().strip()
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "huey.contrib.djhuey",
    "ninja",
    "giamsat.core.thirdparty.AxesConfig",
    "django_otp",
    "giamsat.core.thirdparty.TOTPConfig",
    "giamsat.core",
    "giamsat.events",
    "giamsat.jobs",
    "giamsat.orgunits",
    "giamsat.accounts",
    "giamsat.catalog",
    "giamsat.reporting",
    "giamsat.evaluation",
    "giamsat.alerts",
    "giamsat.notifications",
    "giamsat.documents",
    "giamsat.maps",
    "giamsat.tracking",
    "giamsat.plans",
    "giamsat.projects",
    "giamsat.api",
    "giamsat.portal",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "giamsat.core.middleware.VietnameseFirstLocaleMiddleware",
    "giamsat.core.middleware.RejectNulMiddleware",
    "giamsat.core.middleware.ContentSecurityPolicyMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "giamsat.accounts.middleware.SessionTimeoutMiddleware",
    # After the timeout: a session waiting for its TOTP code reaches only the code page.
    "giamsat.accounts.middleware.SecondFactorMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # With DEBUG on, the Vietnamese 404 page rather than Django's technical one.
    "giamsat.core.middleware.FriendlyNotFoundMiddleware",
    # A form-only address opened in the browser: a page with a way back, not an empty 405.
    "giamsat.core.middleware.FriendlyMethodNotAllowedMiddleware",
    # Last: turns a locked-out sign-in (ours or the admin's) into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "giamsat.urls"
WSGI_APPLICATION = "giamsat.wsgi.application"
ASGI_APPLICATION = "giamsat.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "giamsat" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "giamsat.portal.context_processors.navigation",
                "giamsat.notifications.context_processors.unread_notifications",
            ],
        },
    },
]

# Database: DATABASE_URL, e.g. postgres://user@127.0.0.1:5432/giamsat. Default: SQLite in var/.
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'giamsat.sqlite3'}"),
        conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "60")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
    }
    # A file (not :memory:) so that the browser tests' server thread sees the same data.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test.sqlite3")}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "portal:home"
LOGOUT_REDIRECT_URL = "accounts:login"
# Axes first: it refuses a locked-out account or address before the password is checked.
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

# Vietnamese first, English second. Formats (dd/mm/yyyy, 1.234,5) come from core/formats.
LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", "Tiếng Việt"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
FORMAT_MODULE_PATH = ["giamsat.core.formats"]
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True
USE_THOUSAND_SEPARATOR = True
LANGUAGE_COOKIE_NAME = "giamsat_language"

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "giamsat" / "static"]
# Data imports through the API: bodies up to this size are accepted (streamed to storage and
# imported as a background job above 2 MB); larger ones get a 413 naming the limit.
IMPORT_MAX_BODY_BYTES = int(os.environ.get("IMPORT_MAX_BODY_BYTES", str(200 * 1024 * 1024)))

# Uploaded and job files (imports waiting for a worker, generated documents): Django's storage
# API, so a deployment with several worker machines points "default" at shared storage.
MEDIA_ROOT = Path(os.environ.get("GIAMSAT_MEDIA_ROOT", VAR_DIR / "media"))
MEDIA_URL = "media/"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = DEBUG

# Background jobs: Huey on SQLite by default, on Redis when REDIS_URL is set.
REDIS_URL = os.environ.get("REDIS_URL", "")
HUEY_IMMEDIATE = env_bool("HUEY_IMMEDIATE", False)
# Domain events (values changed, report steps, catalogue and registry edits) are written to the
# outbox with the change; after commit they are dispatched to their subscribers (the evaluation's
# refresh, ...) by a Huey task ("task"), in the same request ("inline", for debugging) or not
# until a later run ("off": tests that do not look at results; the rows wait).
EVENTS_DISPATCH = os.environ.get("EVENTS_DISPATCH", "task")
if REDIS_URL:
    HUEY = {
        "huey_class": "huey.PriorityRedisHuey",
        "name": "giamsat",
        "url": REDIS_URL,
        "immediate": HUEY_IMMEDIATE,
    }
else:
    HUEY = {
        "huey_class": "huey.SqliteHuey",
        "name": "giamsat",
        "filename": str(VAR_DIR / "huey.sqlite3"),
        "immediate": HUEY_IMMEDIATE,
    }
# An idle consumer looks for work at least every 0.1 s (Huey's default backs off to 10 s), so a
# submitted value's refresh starts at once; polling SQLite that often costs next to nothing.
HUEY["consumer"] = {"workers": 1, "worker_type": "thread", "initial_delay": 0.05, "backoff": 1.15, "max_delay": 0.1}
# A worker that starts again releases the task locks a killed one left held (an exclusive
# recompute's, the event dispatcher's); with several worker machines set HUEY_FLUSH_LOCKS=false.
HUEY["consumer"]["flush_locks"] = env_bool("HUEY_FLUSH_LOCKS", True)

# E-mail: console in development; SMTP when EMAIL_HOST is set.
EMAIL_HOST = os.environ.get("EMAIL_HOST", "")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "587"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "GiamSat <no-reply@giamsat.local>")
EMAIL_BACKEND = (
    "django.core.mail.backends.smtp.EmailBackend" if EMAIL_HOST else "django.core.mail.backends.console.EmailBackend"
)
# Links in e-mails are made absolute with this address.
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000")

# Notifications (giamsat/notifications): outside channels in use; how immediate messages are sent
# after commit ("task": a Huey task; "inline": in the request; "off": by the minute's sweep);
# the local time of the daily digest (working days; the weekly one on the week's first working
# day); reminders so many working days before a report's deadline; how long a worker may hold a
# message it is sending before another takes it over (a killed worker on the same machine is
# known at once); the SMTP connection's timeout in seconds.
NOTIFICATIONS_CHANNELS = env_list("NOTIFICATIONS_CHANNELS", "email")
NOTIFICATIONS_SEND = os.environ.get("NOTIFICATIONS_SEND", "task")
NOTIFICATIONS_DIGEST_TIME = os.environ.get("NOTIFICATIONS_DIGEST_TIME", "07:30")
# On days off (weekends, public holidays, Tết) messages that are not urgent wait for the next
# working morning (NOTIFICATIONS_DIGEST_TIME); false sends them at once every day.
NOTIFICATIONS_QUIET_DAYS_OFF = os.environ.get("NOTIFICATIONS_QUIET_DAYS_OFF", "true").lower() != "false"
NOTIFICATIONS_REMINDER_DAYS = [int(day) for day in env_list("NOTIFICATIONS_REMINDER_DAYS", "3,1")]
NOTIFICATIONS_SEND_LEASE_SECONDS = int(os.environ.get("NOTIFICATIONS_SEND_LEASE_SECONDS", "600"))
NOTIFICATIONS_SMTP_TIMEOUT = int(os.environ.get("NOTIFICATIONS_SMTP_TIMEOUT", "30"))

SESSION_COOKIE_HTTPONLY = True
# A signed-in session ends after SESSION_IDLE_TIMEOUT_MINUTES without a request, and at the latest
# SESSION_COOKIE_AGE_HOURS after sign-in (accounts.middleware.SessionTimeoutMiddleware).
# API requests authenticated by a personal token carry no session and are not affected.
SESSION_IDLE_TIMEOUT_MINUTES = int(os.environ.get("SESSION_IDLE_TIMEOUT_MINUTES", "30"))
SESSION_COOKIE_AGE = int(float(os.environ.get("SESSION_COOKIE_AGE_HOURS", "12")) * 3600)
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", not DEBUG)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", not DEBUG)
X_FRAME_OPTIONS = "DENY"

# HTTPS. Behind a reverse proxy that terminates TLS, SECURE_PROXY_SSL_HEADER names the header it
# sets (HTTP_X_FORWARDED_PROTO: "https"); set it only when the proxy overwrites that header.
_proxy_ssl_header = os.environ.get("SECURE_PROXY_SSL_HEADER", "").strip()
SECURE_PROXY_SSL_HEADER = (_proxy_ssl_header, "https") if _proxy_ssl_header else None
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", False)
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "0" if DEBUG else "31536000"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", not DEBUG)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = os.environ.get("REFERRER_POLICY", "same-origin")
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# HSTS preloading is a promise made for a whole registrable domain (submitted to the browsers'
# list by its owner), not a setting one site behind gov.vn can honour: `check --deploy` does not
# ask for it unless SECURE_HSTS_PRELOAD=true is chosen.
SILENCED_SYSTEM_CHECKS = [] if SECURE_HSTS_PRELOAD else ["security.W021"]

# Content-Security-Policy on every response (core/middleware.py). Scripts are static files only;
# Alpine.js (standard build) evaluates its directives, hence 'unsafe-eval'; styles may be inline
# (style="" attributes, the charts' own styles).
CONTENT_SECURITY_POLICY = os.environ.get(
    "CONTENT_SECURITY_POLICY",
    "default-src 'self'; script-src 'self' 'unsafe-eval'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; font-src 'self'; connect-src 'self'; object-src 'none'; frame-ancestors 'none'; "
    "base-uri 'self'; form-action 'self'",
)
CSRF_FAILURE_VIEW = "giamsat.core.views.csrf_failure"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        # Everything goes through the root handler once (Django and Huey add their own otherwise).
        "django": {"handlers": [], "propagate": True},
        "django.request": {"level": "ERROR"},
        "huey": {"handlers": [], "propagate": True},
    },
}

# API tokens: how long a new personal token lives unless the user chooses otherwise.
API_TOKEN_DEFAULT_DAYS = int(os.environ.get("API_TOKEN_DEFAULT_DAYS", "90"))
API_TOKEN_MAX_DAYS = int(os.environ.get("API_TOKEN_MAX_DAYS", "365"))

# Sign-in throttling (django-axes): after LOGIN_FAILURE_LIMIT wrong passwords the account, and
# separately the client address, are refused for LOGIN_LOCKOUT_MINUTES (each new try during the
# lockout starts the wait again). An administrator unlocks from the admin (users: "Unlock
# sign-in", or Axes' access attempts). LOGIN_LOCKOUT_BY lists what is counted: "username",
# "ip_address", or a combination joined by "+" ("username+ip_address"), comma separated.
# Behind a reverse proxy set LOGIN_CLIENT_IP_HEADER (e.g. HTTP_X_REAL_IP) to the header the
# proxy sets, or every client shares the proxy's address.
AXES_ENABLED = env_bool("LOGIN_THROTTLING", True)
AXES_FAILURE_LIMIT = int(os.environ.get("LOGIN_FAILURE_LIMIT", "5"))
# 0 minutes: locked until an administrator unlocks.
AXES_COOLOFF_TIME = dt.timedelta(minutes=float(os.environ.get("LOGIN_LOCKOUT_MINUTES", "15"))) or None
AXES_LOCKOUT_PARAMETERS = [
    item.split("+") if "+" in item else item for item in env_list("LOGIN_LOCKOUT_BY", "username,ip_address")
]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "giamsat.accounts.lockout.lockout_response"
AXES_CLIENT_IP_CALLABLE = "giamsat.accounts.lockout.client_ip_address"
LOGIN_CLIENT_IP_HEADER = os.environ.get("LOGIN_CLIENT_IP_HEADER", "")
AXES_VERBOSE = False

# Second factor (TOTP, django-otp): leaders and administrators may turn it on from their profile;
# then sign-in asks for the 6-digit code after the password. TOTP_REQUIRED_ROLES (comma-separated
# role codes, e.g. "ADMIN,MINISTRY_LEADER") makes it compulsory: those users are sent to set it
# up right after signing in. A wrong code counts as a failed sign-in (the lockout above); after
# SECOND_FACTOR_MAX_ATTEMPTS wrong codes the session goes back to the password step.
TOTP_REQUIRED_ROLES = env_list("TOTP_REQUIRED_ROLES", "")
SECOND_FACTOR_MAX_ATTEMPTS = int(os.environ.get("SECOND_FACTOR_MAX_ATTEMPTS", "5"))
OTP_TOTP_ISSUER = "GiamSat"
# After each wrong code the device refuses codes for 2^(n-1) × factor seconds (0: no delay).
OTP_TOTP_THROTTLE_FACTOR = float(os.environ.get("TOTP_THROTTLE_FACTOR", "1"))

# Reports: the leader who approves a report may not be the person who submitted it.
REPORT_APPROVER_NOT_SUBMITTER = env_bool("REPORT_APPROVER_NOT_SUBMITTER", True)
