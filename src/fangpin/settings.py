"""Django settings. The embedded default is SQLite under ./var; set DATABASE_URL for PostgreSQL."""
import os
import sys
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent
VAR_DIR = Path(os.environ.get("FANGPIN_VAR_DIR", Path.cwd() / "var"))
VAR_DIR.mkdir(parents=True, exist_ok=True)  # the SQLite file, uploads and caches live here

SECRET_KEY = os.environ.get("FANGPIN_SECRET_KEY", "dev-only-insecure-key-change-me-in-production")
DEBUG = os.environ.get("FANGPIN_DEBUG", "1") == "1"
ALLOWED_HOSTS = os.environ.get("FANGPIN_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "simple_history",
    "axes",
    "django_tasks",
    "django_tasks_db",
    "fangpin.orgunits",
    "fangpin.accounts",
    "fangpin.registry",
    "fangpin.exchange",
    "fangpin.web",
    "fangpin.demo",
    "fangpin.policies",
    "fangpin.monitoring",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "fangpin.accounts.middleware.LoginRequiredMiddleware",
    # axes last, as its docs require
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "fangpin.urls"
WSGI_APPLICATION = "fangpin.wsgi.application"

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
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{VAR_DIR / 'fangpin.sqlite3'}",
        conn_max_age=int(os.environ.get("FANGPIN_CONN_MAX_AGE", "0")),
    )
}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # WAL lets page reads go on while an import writes; a short timeout keeps errors honest.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"timeout": 20, "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"}
    )

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LOGIN_URL = "login"

# Background jobs (screening): Django's tasks API on the database; `fangpin db_worker` runs them (make run starts
# one). FANGPIN_TASKS=immediate runs them in the request instead: the default under pytest (the browser test's live
# server included), so that a test sees a job's result without a worker process.
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}
         if os.environ.get("FANGPIN_TASKS", "immediate" if "pytest" in sys.modules else "db") == "immediate"
         else {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
FEEDS_DIR = VAR_DIR / "feeds"  # department files as uploaded and as normalized Parquet
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Throttle repeated login failures: 5 failures lock the username+IP pair for 15 minutes.
AXES_FAILURE_LIMIT = int(os.environ.get("FANGPIN_LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = 0.25  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_TEMPLATE = "accounts/locked.html"
AXES_RESET_ON_SUCCESS = True

LANGUAGE_CODE = "zh-hans"
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
# WhiteNoise serves static files in every mode; finders let it serve them without collectstatic.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG
MEDIA_ROOT = VAR_DIR / "media"

SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False  # the API's fetch() calls read it

# Uploaded workbooks above this go to a temp file, never all into memory.
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 50 * 1024 * 1024
# Every file the system reads (uploads on pages and the API, files named on the command line) is measured by
# fangpin.lib.uploads before a parser sees it, and refused with a Chinese message naming the file and the limit.
# Keys here override the defaults of fangpin.lib.uploads.Limits, e.g. {"rows": 2_000_000, "file_bytes": 100 << 20};
# docs/exchange-format.md lists them. The first upload handler stops storing a file once it passes file_bytes.
UPLOAD_LIMITS: dict[str, int] = {}
FILE_UPLOAD_HANDLERS = [
    "fangpin.exchange.bounded.LimitedUploadHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}
