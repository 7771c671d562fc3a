"""Django settings for pbnsync, read from the environment (see .env.example)."""

from pathlib import Path

import environ

BASE_DIR = Path(__file__).resolve().parent.parent

# Development-only secrets: safe defaults for `make run`, refused in production
# by the system checks in pbnsync/checks.py.
DEV_SECRET_KEY = "dev-only-insecure-secret-key-change-me"
DEV_FERNET_KEY = "dev-only-insecure-fernet-key-change-me"

env = environ.Env(
    DEBUG=(bool, True),
    SECRET_KEY=(str, DEV_SECRET_KEY),
    FERNET_KEYS=(list, [DEV_FERNET_KEY]),
    ALLOWED_HOSTS=(list, ["localhost", "127.0.0.1", "[::1]", "testserver"]),
    REDIS_URL=(str, ""),
    Q_WORKERS=(int, 2),
    TIME_ZONE=(str, "UTC"),
    PMS_AGENT_SILENT_AFTER=(int, 600),
    PMS_AGENT_COMMAND_WAIT=(int, 30),
    SYNC_AVAILABILITY_DAYS=(int, 30),
)
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env("DEBUG")
SECRET_KEY = env("SECRET_KEY")
FERNET_KEYS = env("FERNET_KEYS")
ALLOWED_HOSTS = env("ALLOWED_HOSTS")

DATABASES = {
    "default": env.db(
        "DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'var' / 'pbnsync.sqlite3'}"
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Concurrent web + qcluster writers: wait for the lock instead of failing.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "timeout": 20,
            "transaction_mode": "IMMEDIATE",
            "init_command": "PRAGMA journal_mode=WAL;",
        }
    )

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_q",
    "pbnsync",
    "practices",
    "pms",
    "records",
    "syncjobs",
    "writeback",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "pbnsync.urls"
WSGI_APPLICATION = "pbnsync.wsgi.application"

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
                "practices.context_processors.practice_switcher",
            ],
        },
    },
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en-us"
TIME_ZONE = env("TIME_ZONE")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "var" / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

SESSION_COOKIE_HTTPONLY = True
# Messages live in the (database) session, not in a cookie: a new API token is
# shown once as a message, and a cookie is signed, not encrypted.
MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"
CSRF_COOKIE_HTTPONLY = False
if not DEBUG:
    SESSION_COOKIE_SECURE = env.bool("SECURE_COOKIES", default=True)
    CSRF_COOKIE_SECURE = env.bool("SECURE_COOKIES", default=True)

REDIS_URL = env("REDIS_URL")

# The PMS boundary (pms/http.py, pms/budget/, pms/agent/). Unset values fall back
# to each connector's own defaults.
PMS_REQUEST_INTERVAL_MS = env.int("PMS_REQUEST_INTERVAL_MS", default=None)
PMS_BUDGET_MARGIN_MS = env.float("PMS_BUDGET_MARGIN_MS", default=20.0)
PMS_HTTP_MAX_ATTEMPTS = env.int("PMS_HTTP_MAX_ATTEMPTS", default=None)
PMS_HTTP_BACKOFF_BASE = env.float("PMS_HTTP_BACKOFF_BASE", default=None)
PMS_HTTP_BACKOFF_CAP = env.float("PMS_HTTP_BACKOFF_CAP", default=None)
PMS_HTTP_MAX_RETRY_AFTER = env.float("PMS_HTTP_MAX_RETRY_AFTER", default=None)
PMS_AGENT_SILENT_AFTER = env("PMS_AGENT_SILENT_AFTER")
PMS_AGENT_COMMAND_WAIT = env("PMS_AGENT_COMMAND_WAIT")

# Sync Availability and the nightly run read provider schedules and blockouts for
# today and this many days ahead (syncjobs/schedules.py).
SYNC_AVAILABILITY_DAYS = env("SYNC_AVAILABILITY_DAYS")
# Initial syncs claimed at once across the cluster (unset: Q_WORKERS - 1, at least 1).
SYNC_INITIAL_RUNS_MAX = env.int("SYNC_INITIAL_RUNS_MAX", default=None)
# Seconds an initial sync's slice runs before it may yield to overdue fast syncs.
SYNC_INITIAL_MIN_SLICE_SECONDS = env.int("SYNC_INITIAL_MIN_SLICE_SECONDS", default=10)

# django-q2: Redis broker when REDIS_URL is set (several cluster nodes),
# otherwise the ORM broker on the default database (embedded default).
Q_CLUSTER = {
    "name": "pbnsync",
    "workers": env("Q_WORKERS"),
    "timeout": 300,
    "retry": 360,
    "max_attempts": 1,
    "catch_up": False,
    "label": "Task cluster",
}
if REDIS_URL:
    Q_CLUSTER["redis"] = REDIS_URL
else:
    Q_CLUSTER["orm"] = "default"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
}
