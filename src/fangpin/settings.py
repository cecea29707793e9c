"""Django settings. The embedded default is SQLite under ./var; set DATABASE_URL for PostgreSQL."""
import os
import sys
import tempfile
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent
VAR_DIR = Path(os.environ.get("FANGPIN_VAR_DIR", Path.cwd() / "var"))
VAR_DIR.mkdir(parents=True, exist_ok=True)  # the SQLite file, uploads and caches live here



def _installation_secret(path: Path) -> str:
    """This installation's secret key, kept in a file beside the data (mode 0600) and made on first start.

    The new key is written to a private temporary file and linked into place, so that processes starting together
    (web workers, the job worker) all end up with the same complete key."""
    try:
        return path.read_text(encoding="ascii").strip()
    except FileNotFoundError:
        pass
    from django.core.management.utils import get_random_secret_key

    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".secret_key.")  # created with mode 0600
    try:
        with os.fdopen(fd, "w", encoding="ascii") as f:
            f.write(get_random_secret_key() + "\n")
        try:
            os.link(tmp, path)
        except FileExistsError:
            pass  # another process was first: use its key
    finally:
        os.unlink(tmp)
    return path.read_text(encoding="ascii").strip()


SECRET_KEY = os.environ.get("FANGPIN_SECRET_KEY") or _installation_secret(VAR_DIR / "secret_key")
# Off unless asked for: development turns it on with FANGPIN_DEBUG=1 (`make dev`).
DEBUG = os.environ.get("FANGPIN_DEBUG", "0") == "1"
ALLOWED_HOSTS = os.environ.get("FANGPIN_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "ninja",  # its templates and static files: the API docs page loads Swagger UI from here, not from a CDN
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
    "fangpin.payments",
    "fangpin.ledgers",
    "fangpin.funds",
    "fangpin.consumption",
    "fangpin.industry",
    "fangpin.rectification",
    "fangpin.credit",
    "fangpin.assets",
    "fangpin.employment",
    "fangpin.indicators",
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
    # SQLite for several users at once: WAL lets pages read while a job writes; IMMEDIATE makes every transaction take
    # the write lock when it begins, so that writers queue (for up to `timeout` seconds) instead of failing when a read
    # turns into a write; what still cannot proceed answers "系统正忙" in Chinese (fangpin.web.views.server_error).
    DATABASES["default"].setdefault("OPTIONS", {}).update({
        "timeout": int(os.environ.get("FANGPIN_SQLITE_TIMEOUT", "30")),
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    })

elif DATABASES["default"]["ENGINE"].endswith("postgresql"):
    # The planner's cost of a random page read: PostgreSQL's default (4) models a spinning disk, and with it a city
    # leader's warning list counted its 20,000 warnings by reading all of the million households rather than probing
    # 20,000 of them by key (179 ms against 37). County servers have SSDs; the deployment may say otherwise.
    options = DATABASES["default"].setdefault("OPTIONS", {})
    options["options"] = (options.get("options", "") + " -c random_page_cost="
                          + os.environ.get("FANGPIN_PG_RANDOM_PAGE_COST", "1.1")).strip()

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# History is read by record (id) and household, never by date alone: no index on history_date (each index is written
# for every imported row; docs/decisions.md 85).
SIMPLE_HISTORY_DATE_INDEX = False
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
# The only language: LocaleMiddleware would otherwise follow an English browser (dates as "July 1, 2026").
LANGUAGES = [("zh-hans", "简体中文")]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
# WhiteNoise serves static files in every mode, DEBUG off included; finders let it serve them from the apps without
# collectstatic (indexed once at start, or looked up on every request with DEBUG on). It also serves STATIC_ROOT,
# for whoever runs collectstatic, and warns when that folder is missing.
STATIC_ROOT.mkdir(exist_ok=True)
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG
MEDIA_ROOT = VAR_DIR / "media"

SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False  # the API's fetch() calls read it
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
CSRF_TRUSTED_ORIGINS = [o for o in os.environ.get("FANGPIN_CSRF_TRUSTED_ORIGINS", "").split(",") if o]

# HTTPS (docs/deployment.md): FANGPIN_HTTPS=1 once the site is reached over https only. It redirects http to https,
# sends cookies over https only and turns on HSTS (FANGPIN_HSTS_SECONDS, default one year). Behind a reverse proxy
# that ends TLS, FANGPIN_PROXY_SSL_HEADER=1 trusts its X-Forwarded-Proto header (the proxy must set it).
HTTPS = os.environ.get("FANGPIN_HTTPS", "0") == "1"
SECURE_SSL_REDIRECT = HTTPS
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_HSTS_SECONDS = int(os.environ.get("FANGPIN_HSTS_SECONDS", "31536000")) if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS
if os.environ.get("FANGPIN_PROXY_SSL_HEADER", "0") == "1":
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

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

# Django's error pages (shown only with DEBUG on) hide settings and environment whose names say secret; also hide
# the database URL, which carries the password.
DEFAULT_EXCEPTION_REPORTER_FILTER = "fangpin.web.errors.ReporterFilter"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}
