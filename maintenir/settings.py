"""Settings, all from `MAINTENIR_*` environment variables (documented in the README)."""

import os
import secrets
import socket
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DATA_DIR = Path(os.environ.get("MAINTENIR_DATA_DIR") or Path.home() / ".local" / "share" / "maintenir").expanduser()
DATA_DIR.mkdir(parents=True, exist_ok=True)


def _secret_key() -> str:
    """The configured key, else one generated once and kept in the data directory."""
    configured = os.environ.get("MAINTENIR_SECRET_KEY")
    if configured:
        return configured
    key_file = DATA_DIR / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(50))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


SECRET_KEY = _secret_key()
DEBUG = env_bool("MAINTENIR_DEBUG")
ALLOWED_HOSTS = env_list("MAINTENIR_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("MAINTENIR_CSRF_TRUSTED_ORIGINS", "")

# Served over HTTPS (by a reverse proxy that terminates TLS and sets X-Forwarded-Proto): cookies only over HTTPS,
# plain HTTP redirected, and browsers told to use HTTPS only for MAINTENIR_HSTS_SECONDS (a year by default).
MAINTENIR_HTTPS = env_bool("MAINTENIR_HTTPS")
if MAINTENIR_HTTPS:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = True
    SECURE_HSTS_SECONDS = int(os.environ.get("MAINTENIR_HSTS_SECONDS", str(365 * 24 * 3600)))

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("MAINTENIR_DATABASE_URL") or f"sqlite:///{DATA_DIR / 'maintenir.sqlite3'}",
        conn_max_age=int(os.environ.get("MAINTENIR_DATABASE_CONN_MAX_AGE", "0")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the web server read while another process writes; writers queue for the write lock (IMMEDIATE,
    # taken at the start of a transaction so that it is never upgraded midway) for up to 20 s rather than fail.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_filters",
    "django_htmx",
    "ninja",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "maintenir.core",
    "maintenir.assets",
    "maintenir.people",
    "maintenir.certification",
    "maintenir.devices",
    "maintenir.stores",
    "maintenir.workorders",
    "maintenir.preventive",
    "maintenir.planning",
    "maintenir.reliability",
    "maintenir.reports",
    "maintenir.api",
    "maintenir.ui",
    "maintenir.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "maintenir.core.middleware.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "maintenir.core.middleware.RequestBodyLimitMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "maintenir.core.middleware.SecondFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "maintenir.core.middleware.RequestContextMiddleware",
    # Last, as django-axes asks: it turns a refused login into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "maintenir.urls"
WSGI_APPLICATION = "maintenir.wsgi.application"

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
            ],
        },
    },
]

AUTH_USER_MODEL = "core.User"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
]
AUTHENTICATION_BACKENDS = [
    # Refuses any login, password or second factor, while the account or the address is locked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", "Français"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = os.environ.get("MAINTENIR_TIME_ZONE", "Europe/Paris")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)  # whitenoise expects it even when serving from the finders
MEDIA_URL = "media/"
MEDIA_ROOT = Path(os.environ.get("MAINTENIR_MEDIA_DIR") or DATA_DIR / "media")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
# Static files are served from the installed apps directly, so no collectstatic is needed.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# Uploads: a request body other than files (forms, JSON, the API's CSV imports) is bounded by
# MAINTENIR_MAX_BODY_MB (413 beyond); files by their kind, photos being decoded and re-encoded on the way in.
DATA_UPLOAD_MAX_MEMORY_SIZE = int(float(os.environ.get("MAINTENIR_MAX_BODY_MB", "2.5")) * 1024 * 1024)
MAINTENIR_MAX_PHOTO_MB = float(os.environ.get("MAINTENIR_MAX_PHOTO_MB", "10"))
MAINTENIR_MAX_DOCUMENT_MB = float(os.environ.get("MAINTENIR_MAX_DOCUMENT_MB", "50"))
# Files imported (CSV or Excel workbooks of parts, equivalences, stock…), on a page or on the command line.
MAINTENIR_MAX_IMPORT_MB = float(os.environ.get("MAINTENIR_MAX_IMPORT_MB", "20"))
# Scripts only from the application's own static files; styles also inline, for the templates' style attributes.
MAINTENIR_CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'self'; frame-ancestors 'none'; form-action 'self'"
)

# The API's interactive documentation and OpenAPI description: for logged-in users and bearer tokens only,
# unless opened to anyone.
MAINTENIR_PUBLIC_API_DOCS = env_bool("MAINTENIR_PUBLIC_API_DOCS")

# Login throttling (django-axes): after MAINTENIR_LOGIN_FAILURE_LIMIT failed logins (password or second-factor
# code) for one account, or from one address, both are locked for MAINTENIR_LOGIN_LOCKOUT_MINUTES; every further
# failure during the lock doubles it, up to MAINTENIR_LOGIN_LOCKOUT_MAX_MINUTES. Repeated bad API tokens lock their
# address the same way. Failed attempts are kept, with their address, in the admin site.
MAINTENIR_LOGIN_LOCKOUT_MINUTES = float(os.environ.get("MAINTENIR_LOGIN_LOCKOUT_MINUTES", "15"))
MAINTENIR_LOGIN_LOCKOUT_MAX_MINUTES = float(os.environ.get("MAINTENIR_LOGIN_LOCKOUT_MAX_MINUTES", "1440"))
AXES_FAILURE_LIMIT = int(os.environ.get("MAINTENIR_LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = "maintenir.core.login.lockout_duration"
AXES_LOCKOUT_PARAMETERS = "maintenir.core.login.lockout_parameters"
AXES_LOCKOUT_CALLABLE = "maintenir.core.login.lockout_response"
AXES_ENABLE_ACCESS_FAILURE_LOG = True
# The log names the account and the address of each failure; passwords and codes are never written.
AXES_SENSITIVE_PARAMETERS = ["code", "csrfmiddlewaretoken"]
AXES_VERBOSE = False
# Behind MAINTENIR_PROXY_COUNT reverse proxies, the client's address is the one the outermost appended to
# X-Forwarded-For (what the client put there itself is not believed).
MAINTENIR_PROXY_COUNT = int(os.environ.get("MAINTENIR_PROXY_COUNT", "0"))
AXES_CLIENT_IP_CALLABLE = "maintenir.core.login.client_address"

# Two-factor authentication (TOTP, django-otp): offered to every user; mandatory for the roles listed in
# MAINTENIR_REQUIRE_2FA (e.g. "administrator,manager"), who are sent to enrol before anything else.
MAINTENIR_REQUIRE_2FA = env_list("MAINTENIR_REQUIRE_2FA", "")
OTP_TOTP_ISSUER = "Maintenir"

# E-mail (reports sent from their page, on-call calls). With MAINTENIR_EMAIL_HOST set, mail goes out through that
# SMTP server (port MAINTENIR_EMAIL_PORT, login MAINTENIR_EMAIL_USER / MAINTENIR_EMAIL_PASSWORD,
# STARTTLS unless MAINTENIR_EMAIL_USE_TLS=false, or implicit TLS with MAINTENIR_EMAIL_USE_SSL=true);
# without, messages are written to the console. MAINTENIR_EMAIL_BACKEND names another Django backend.
EMAIL_HOST = os.environ.get("MAINTENIR_EMAIL_HOST", "")
EMAIL_PORT = int(os.environ.get("MAINTENIR_EMAIL_PORT", "587"))
EMAIL_HOST_USER = os.environ.get("MAINTENIR_EMAIL_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("MAINTENIR_EMAIL_PASSWORD", "")
EMAIL_USE_SSL = env_bool("MAINTENIR_EMAIL_USE_SSL")
EMAIL_USE_TLS = env_bool("MAINTENIR_EMAIL_USE_TLS", not EMAIL_USE_SSL)
EMAIL_TIMEOUT = int(os.environ.get("MAINTENIR_EMAIL_TIMEOUT", "30"))
# The sender of Maintenir's e-mails; replies go to the user who sent the report.
DEFAULT_FROM_EMAIL = os.environ.get("MAINTENIR_EMAIL_FROM", "maintenir@localhost")
EMAIL_BACKEND = os.environ.get("MAINTENIR_EMAIL_BACKEND") or (
    "django.core.mail.backends.smtp.EmailBackend" if EMAIL_HOST else "django.core.mail.backends.console.EmailBackend"
)

# A cache every web and task worker shares (it holds the progress of imports, which a page shows while the upload
# runs, from whichever worker answers): Redis when MAINTENIR_CACHE_URL names one; else, on PostgreSQL, a table of the
# database, so that web workers on several machines keep nothing of their own; on SQLite, files under the data
# directory, since that database lives on one machine anyway.
CACHE_URL = os.environ.get("MAINTENIR_CACHE_URL", "")
CACHE_TABLE = "maintenir_cache"
if CACHE_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": CACHE_URL}}
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": CACHE_TABLE}}
else:
    FILE_CACHE = "django.core.cache.backends.filebased.FileBasedCache"
    CACHES = {"default": {"BACKEND": FILE_CACHE, "LOCATION": str(DATA_DIR / "cache")}}

CELERY_BROKER_URL = os.environ.get("MAINTENIR_BROKER_URL", "")
# Without a broker, tasks run in the calling process.
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE = {
    "generate-preventive-work": {
        "task": "maintenir.preventive.tasks.generate_due_work_orders",
        "schedule": int(os.environ.get("MAINTENIR_PREVENTIVE_EVERY", "3600")),
    },
    "compact-readings": {
        "task": "maintenir.devices.tasks.compact_readings",
        "schedule": int(os.environ.get("MAINTENIR_READINGS_COMPACT_EVERY", "3600")),
    },
    "escalate-on-call": {
        "task": "maintenir.workorders.tasks.escalate_on_call",
        "schedule": 60,
    },
}

# The MQTT broker whose "maintenir/readings" topics `maintenir ingest` stores (empty: none).
MAINTENIR_MQTT_URL = os.environ.get("MAINTENIR_MQTT_URL", "")
# A `maintenir ingest` process's persistent session at the broker: one id per process, the same after a restart.
MAINTENIR_MQTT_CLIENT_ID = os.environ.get("MAINTENIR_MQTT_CLIENT_ID", f"maintenir-ingest-{socket.gethostname()}")
# The shared subscription of all the `maintenir ingest` processes: each message goes to one of them.
MAINTENIR_MQTT_GROUP = os.environ.get("MAINTENIR_MQTT_GROUP", "maintenir")
# A `maintenir poll` process holds each of its devices for this long, renewed every third of it: a dead
# poller's devices are polled by another after at most 4/3 of it.
MAINTENIR_POLL_LEASE_SECONDS = float(os.environ.get("MAINTENIR_POLL_LEASE_SECONDS", "30"))
# The name of a `maintenir poll` process in the devices' leases (empty: host name and process id).
MAINTENIR_POLLER_ID = os.environ.get("MAINTENIR_POLLER_ID", "")

# Preventive orders are generated this many days ahead of their date, so they can be planned.
MAINTENIR_PREVENTIVE_HORIZON_DAYS = int(os.environ.get("MAINTENIR_PREVENTIVE_HORIZON_DAYS", "14"))

# Raw readings are kept this many days (at least 1), then rolled up into hourly count, min, max,
# mean and last value, and deleted; hourly rollups are kept this many days (0: forever).
MAINTENIR_READINGS_RAW_DAYS = int(os.environ.get("MAINTENIR_READINGS_RAW_DAYS", "31"))
MAINTENIR_READINGS_ROLLUP_DAYS = int(os.environ.get("MAINTENIR_READINGS_ROLLUP_DAYS", "0"))

# The company's working hours, Monday to Friday except French public holidays; an urgent request outside
# them goes to the technician on call.
MAINTENIR_WORKING_HOURS = os.environ.get("MAINTENIR_WORKING_HOURS", "08:00-17:00")
# The team whose on-call roster answers urgent requests (its name); empty: the first team with a roster that week.
MAINTENIR_ON_CALL_TEAM = os.environ.get("MAINTENIR_ON_CALL_TEAM", "")
# Minutes an on-call technician has to acknowledge a call before the next one on the roster is called.
MAINTENIR_ON_CALL_ACK_MINUTES = int(os.environ.get("MAINTENIR_ON_CALL_ACK_MINUTES", "15"))

# The service level a suggested reorder point aims at: the chance of not running out during a lead time.
MAINTENIR_STOCK_SERVICE_LEVEL = float(os.environ.get("MAINTENIR_STOCK_SERVICE_LEVEL", "0.95"))

# The cost of an hour of maintenance labour, for the cost KPIs (in the currency of the parts' costs).
MAINTENIR_LABOUR_HOURLY_COST = float(os.environ.get("MAINTENIR_LABOUR_HOURLY_COST", "50"))


# Resolution deadline of the service level, in hours from the order's creation, per priority
# ("priority:hours", 1 = urgent … 4 = low); the dispatch plan weighs lateness past it five times more.
def env_hours_by_priority(name: str, default: str) -> dict[int, int]:
    """ "1:24,2:72" as {1: 24, 2: 72}; a malformed item stops the start, naming the variable and the item."""
    hours: dict[int, int] = {}
    for item in env_list(name, default):
        priority, _, value = item.partition(":")
        if not (priority.strip() in {"1", "2", "3", "4"} and value.strip().isdigit()):
            raise ImproperlyConfigured(f"{name}: {item!r} is not priority:hours (priority 1 to 4, whole hours)")
        hours[int(priority)] = int(value)
    return hours


MAINTENIR_SLA_RESOLUTION_HOURS = env_hours_by_priority("MAINTENIR_SLA_RESOLUTION_HOURS", "1:24,2:72")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"refusals": {"()": "maintenir.core.log.RefusalFilter"}},
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("MAINTENIR_LOG_LEVEL", "INFO")},
    "loggers": {
        # WeasyPrint narrates every rendering step at INFO.
        "weasyprint.progress": {"level": "WARNING"},
        # The field-protocol libraries narrate connections at INFO and log each failed connection before
        # raising it: the acquisition service's own one-line message about the device is what shows.
        "pymodbus": {"level": "ERROR"},
        "asyncua": {"level": "WARNING"},
        # asyncua logs each message it cannot parse with its traceback; the device's reason says it instead.
        "asyncua.client.ua_client": {"level": "CRITICAL"},
        "xknx": {"level": "WARNING"},
        # bacpypes3 logs each datagram it cannot decode with its traceback: the point's or the device's
        # reason, stored and logged once by the service, says it instead.
        "bacpypes3": {"level": "CRITICAL"},
        "django.request": {"filters": ["refusals"]},
    },
}
