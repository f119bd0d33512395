"""Settings for the Yamaguchi portal: one module, driven by the environment.

Defaults are the safe production ones (DEBUG off, HTTPS only, secure cookies); a developer
turns them off explicitly: `make run` writes var/local.env (DEBUG=1, SECURE_HTTPS=0, a random
SECRET_KEY), which is read below when it exists. Read through django-environ with strict booleans
(a mistyped value stops the start), and secrets optionally from `*_FILE` paths.
"""

import os
from datetime import timedelta
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("PORTAL_VAR_DIR", BASE_DIR / "var"))

# django-environ reads os.environ each time a value is asked for, so an env file loaded here with
# `environ.Env.read_env(path)` (it never overrides a variable already set) feeds every helper below.
env = environ.Env()

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


def env_bool(name: str, default: bool) -> bool:
    """A boolean variable, strictly: django-environ reads any unknown word as False, so a typo such
    as SECURE_HTTPS=ture would silently switch HTTPS off. Unset or empty means the default."""
    raw = env.str(name, default="")
    value = raw.strip().lower()
    if value == "":
        return default
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(
        f"{name}={raw!r} は真偽値として読めません（1/0、true/false、yes/no、on/off のいずれかにしてください）。"
    )


def env_int(name: str, default: int) -> int:
    raw = env.str(name, default="").strip()
    if raw == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={raw!r} は整数として読めません。") from None


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in env.str(name, default=default).split(",") if item.strip()]


def env_secret(name: str, default: str = "") -> str:
    """A secret from `NAME`, or from the file named by `NAME_FILE` (Docker / systemd credentials),
    so the value need not sit in the process environment. Setting both is refused: which one wins
    would be a guess. Read from os.environ directly, not env.str: django-environ would treat a
    value starting with "$" as the name of another variable, and a secret may start with "$"."""
    value = os.environ.get(name, "")
    path = os.environ.get(f"{name}_FILE", "")
    if value and path:
        raise ImproperlyConfigured(
            f"{name} と {name}_FILE の両方が設定されています。どちらか一方にしてください。"
        )
    if not path:
        return value or default
    try:
        # A trailing newline is what an editor or `echo` leaves, never part of the secret.
        return Path(path).read_text(encoding="utf-8").rstrip("\r\n")
    except OSError as error:
        raise ImproperlyConfigured(f"{name}_FILE のファイル {path} を読めません: {error.strerror}") from None


_DATABASE_ENGINES = {"django.db.backends.sqlite3", "django.db.backends.postgresql"}


def database_from_url(url: str) -> dict:
    """Translate DATABASE_URL into Django's DATABASES entry (sqlite:/// or postgres://)."""
    config = environ.Env.db_url_config(url)
    if config["ENGINE"] not in _DATABASE_ENGINES:
        scheme = url.split("://", 1)[0]
        raise ImproperlyConfigured(f"DATABASE_URL の形式が分かりません: {scheme}://…")
    options = config.get("OPTIONS", {})
    if config["ENGINE"] == "django.db.backends.sqlite3":
        # sqlite:/// with no path means the portal's own file, not django-environ's :memory:.
        if config["NAME"] == ":memory:" and ":memory:" not in url:
            config["NAME"] = str(VAR_DIR / "portal.sqlite3")
        config["OPTIONS"] = {
            **options,
            # WAL: readers never block the writer, and a commit (every signed-in page saves its
            # session) needs no fsync of the whole file; IMMEDIATE takes the write lock at BEGIN so
            # two gunicorn workers never deadlock upgrading read locks (measured in bench/).
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL",
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
        }
        return config
    config["NAME"] = config["NAME"] or "portal"
    config["PORT"] = str(config["PORT"] or "")
    # Persistent connections: a new connection per request costs ~3/4 of a page's time here.
    config["CONN_MAX_AGE"] = env_int("CONN_MAX_AGE", 600)
    config["CONN_HEALTH_CHECKS"] = True
    config["OPTIONS"] = {**options, "connect_timeout": env_int("DB_CONNECT_TIMEOUT", 3)}
    return config


def read_env_file(path: str) -> None:
    """KEY=VALUE lines into the environment; a variable already set in the environment wins."""
    if path and os.path.isfile(path):
        environ.Env.read_env(path, overwrite=False)


# A local install's settings (scripts/local-env.sh, written once by `make run`), so the README's
# manage.py and `make backup` commands work in any shell. A server has no such file and keeps the
# strict defaults; PORTAL_ENV_FILE= (empty) reads none: the Docker image and the test run set it.
read_env_file(os.environ.get("PORTAL_ENV_FILE", str(VAR_DIR / "local.env")))

DEBUG = env_bool("DEBUG", False)

SECRET_KEY = env_secret("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY が設定されていません（DEBUG が無効のときは必須です）。")
    SECRET_KEY = "insecure-development-key-only-used-with-DEBUG"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
CSRF_FAILURE_VIEW = "core.views.csrf_failure"  # the portal's Japanese page (templates/403_csrf.html)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    # runserver (make run) leaves the static files to WhiteNoise too, reading them through the finders
    # (WHITENOISE_USE_FINDERS follows DEBUG): the same headers as production, but not compressed, as
    # WhiteNoise only serves the .br/.gz files collectstatic wrote and never compresses on the fly.
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_filters",
    "csp",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "core",
    "accounts",
    "regions",
    "meetings",
    "training",
    "indicators",
    "national",
    "pdca",
    "reminders",
    "dashboard",
    "sheets",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "core.middleware.DatabaseUnavailableMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "accounts.middleware.OfficialOTPRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "core.middleware.DownloadAuditMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes asks: turns a locked-out sign-in into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "yamaguchi_portal.urls"
WSGI_APPLICATION = "yamaguchi_portal.wsgi.application"

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
                "accounts.context_processors.portal_user",
                "indicators.context_processors.small_counts",
            ],
            "builtins": ["core.templatetags.wareki", "core.templatetags.form_errors"],
        },
    }
]

DATABASES = {
    "default": database_from_url(env_secret("DATABASE_URL", f"sqlite:///{VAR_DIR / 'portal.sqlite3'}"))
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    # zxcvbn's estimate: refuses repeats, sequences (also of kana), keyboard rows and names.
    {"NAME": "accounts.validators.StrengthValidator", "OPTIONS": {"min_score": 3}},
]
# django-axes checks every sign-in first (see accounts.backends), then Django's own backend.
AUTHENTICATION_BACKENDS = [
    "accounts.backends.LockoutBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:login"

LANGUAGE_CODE = "ja"
LANGUAGES = [("ja", "日本語")]
TIME_ZONE = "Asia/Tokyo"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATICFILES_FINDERS = [
    "django.contrib.staticfiles.finders.FileSystemFinder",
    "django.contrib.staticfiles.finders.AppDirectoriesFinder",
    # Bootstrap and plotly.js straight from their installed Python packages (no copies in the repo).
    "core.staticfinders.VendorFinder",
]
MEDIA_ROOT = VAR_DIR / "media"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if env_bool("STATIC_MANIFEST", not DEBUG)
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# HTTPS: on by default. SECURE_HTTPS=0 is for a plain-HTTP intranet or a developer's machine.
SECURE_HTTPS = env_bool("SECURE_HTTPS", True)
SECURE_SSL_REDIRECT = SECURE_HTTPS
SESSION_COOKIE_SECURE = SECURE_HTTPS
CSRF_COOKIE_SECURE = SECURE_HTTPS
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000 if SECURE_HTTPS else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", SECURE_HTTPS)
# The preload directive is only a header; joining the browsers' list is a separate, manual step.
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", SECURE_HTTPS)
if env_bool("SECURE_PROXY_SSL_HEADER", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 30 * 60)
SESSION_SAVE_EVERY_REQUEST = True  # 30 minutes idle, not 30 minutes after sign-in
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

# Content Security Policy (django-csp 4.x format). Scripts only from our own origin: no inline
# scripts, no eval, nothing external; data reaches scripts through json_script (type=application/json,
# which the browser never executes).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        # plotly.js 4.x (the dashboard's charts) writes its CSS rules into a <style> element it
        # creates at run time (modebar, hover labels, cursors) and sets style attributes on SVG
        # nodes; under style-src 'self' Chromium refuses three of those on a plain bar chart
        # (measured with tests/core/test_csp.py). Styles cannot run code, so 'unsafe-inline' is
        # allowed for styles only — never for scripts (the same test module pins script-src).
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

# Sign-in limits (accounts.lockout); a prefecture official can lift each early at /accounts/locked/.
# 1. django-axes: 5 failures for one user name from one address lock that pair for 30 minutes.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("AXES_COOLOFF_MINUTES", 30))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
# An attempt refused during a lock is not counted (it would only extend the lock), and every counted
# failure is kept in AccessFailureLog, which limits 2 and 3 count across worker processes.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_ENABLE_ACCESS_FAILURE_LOG = True
# 2. Password spraying: 20 failures on any user names from one address within 30 minutes lock the
#    address for 30 minutes after the last of them.
SIGN_IN_ADDRESS_FAILURE_LIMIT = env_int("SIGN_IN_ADDRESS_FAILURE_LIMIT", 20)
SIGN_IN_ADDRESS_WINDOW = timedelta(minutes=env_int("SIGN_IN_ADDRESS_WINDOW_MINUTES", 30))
SIGN_IN_ADDRESS_COOLOFF = timedelta(minutes=env_int("SIGN_IN_ADDRESS_COOLOFF_MINUTES", 30))
# 3. One user name from any addresses: from the 5th failure within 24 hours each further attempt
#    waits 2, 4, 8 … seconds after the last failure, at most 5 minutes. A delay, never a lock, so
#    nobody can keep an official out by guessing wrong on purpose.
SIGN_IN_USERNAME_DELAY_AFTER = env_int("SIGN_IN_USERNAME_DELAY_AFTER", 5)
SIGN_IN_USERNAME_WINDOW = timedelta(hours=env_int("SIGN_IN_USERNAME_WINDOW_HOURS", 24))
SIGN_IN_USERNAME_MAX_DELAY = timedelta(seconds=env_int("SIGN_IN_USERNAME_MAX_DELAY_SECONDS", 300))
AXES_LOCKOUT_CALLABLE = "accounts.lockout.lockout_response"
AXES_VERBOSE = False
AXES_DISABLE_ACCESS_LOG = True  # sign-ins are in the portal's own audit log (core.AuditEvent)
# Behind a reverse proxy set AXES_IPWARE_PROXY_COUNT (and SECURE_PROXY_SSL_HEADER) so the client's
# address, not the proxy's, is what gets locked.
AXES_IPWARE_PROXY_COUNT = env_int("AXES_IPWARE_PROXY_COUNT", 0) or None

# Two-factor sign-in (django-otp, TOTP): required for prefecture officials, optional for others.
OTP_TOTP_ISSUER = "山口県 地域移行ポータル"

# Audit log (core.AuditEvent): kept this many days, then `manage.py purge_audit_log` removes it.
AUDIT_RETENTION_DAYS = env_int("AUDIT_RETENTION_DAYS", 1827)

# Backups (`make backup` / `manage.py backup_db`): the newest BACKUP_KEEP generations are kept.
BACKUP_DIR = Path(env.str("BACKUP_DIR", default=str(VAR_DIR / "backups")))
BACKUP_KEEP = max(3, env_int("BACKUP_KEEP", 7))

DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# Seconds a PDF render (core.pdf, WeasyPrint in a child process) may take before it is stopped.
PDF_RENDER_TIMEOUT = env_int("PDF_RENDER_TIMEOUT", 60)

# Mail (the daily digest, `manage.py send_reminders`, and the address confirmations): SMTP with
# STARTTLS on port 587 unless told otherwise. `make run` writes EMAIL_BACKEND for the console backend
# into var/local.env, so a local install prints mail instead of sending it; the tests use Django's
# locmem backend (the test runner sets it).
# (An empty variable, as Compose passes an unset one, means the default.)
EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="") or "django.core.mail.backends.smtp.EmailBackend"
EMAIL_HOST = env.str("EMAIL_HOST", default="") or "localhost"
EMAIL_PORT = env_int("EMAIL_PORT", 587)
EMAIL_HOST_USER = env_secret("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_secret("EMAIL_HOST_PASSWORD")
# SMTPS (port 465) instead of STARTTLS: EMAIL_USE_SSL=1 switches STARTTLS off unless it is set too.
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", not EMAIL_USE_SSL)
if EMAIL_USE_TLS and EMAIL_USE_SSL:
    raise ImproperlyConfigured(
        "EMAIL_USE_TLS と EMAIL_USE_SSL の両方が有効です。STARTTLS（587 番）か SMTPS（465 番）のどちらか一方にしてください。"
    )
# Seconds a connection to the mail server may wait: a server that hangs never hangs the daily run.
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 30)
DEFAULT_FROM_EMAIL = (
    env.str("DEFAULT_FROM_EMAIL", default="") or "山口県 地域移行ポータル <noreply@localhost>"
)
SERVER_EMAIL = env.str("SERVER_EMAIL", default="") or DEFAULT_FROM_EMAIL
EMAIL_USE_LOCALTIME = True  # the Date header in Japan's time (+0900), as the mail's own dates


def site_url(raw: str) -> str:
    """The portal's address as people reach it (links in mail have no request to take it from)."""
    value = raw.strip().rstrip("/")
    if value and not value.startswith(("https://", "http://")):
        raise ImproperlyConfigured(
            f"SITE_URL={raw!r} は https:// または http:// で始まるアドレスにしてください。"
        )
    return value


# Empty on a server until set: the digest then stops with a message rather than mail wrong links.
SITE_URL = site_url(env.str("SITE_URL", default="") or ("http://127.0.0.1:8000" if DEBUG else ""))

# The prefecture this deployment serves (its 全国地方公共団体コード).
PORTAL_PREFECTURE_CODE = env.str("PORTAL_PREFECTURE_CODE", default="350001")

# Small counts (indicators.suppression): counts of people at region and municipality level from 1 to
# this number − 1 are hidden from viewers and in every export and PDF (the NDB publication rule: 10).
SMALL_COUNT_THRESHOLD = env_int("SMALL_COUNT_THRESHOLD", 10)
if SMALL_COUNT_THRESHOLD < 2:
    raise ImproperlyConfigured(
        f"SMALL_COUNT_THRESHOLD={SMALL_COUNT_THRESHOLD} は 2 以上にしてください（1 以下では何も秘匿されません）。"
    )

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    # "reminders" (send_reminders: what was mailed, every failed send) goes to the console as the rest.
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}
