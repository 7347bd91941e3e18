"""Settings, read from the environment.

Every variable is declared once in motcua.conf (type, default, meaning); this module turns their
values into Django's settings. The defaults are the embedded ones (SQLite and files in a local
data folder, debug off); production sets DATABASE_URL, MOTCUA_SECRET_KEY, MOTCUA_ALLOWED_HOSTS and
friends.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from motcua import conf

PACKAGE_DIR = Path(__file__).resolve().parent
BASE_DIR = PACKAGE_DIR.parent.parent

# Every declared variable, read and checked (a value that does not fit stops start-up here).
_env = conf.read()
# Those that are Django settings of their own name; the rest is worked out below.
globals().update(conf.django_settings(_env))

DATA_DIR = Path(_env["MOTCUA_DATA_DIR"] or BASE_DIR / "data").resolve()
DATA_DIR.mkdir(parents=True, exist_ok=True)

DEBUG = _env["MOTCUA_DEBUG"]


def _key(name: str, file_name: str, length: int) -> str:
    """A secret from the environment (NAME or NAME_FILE), else the embedded default: a random key
    kept in the data folder, never one shipped in the code. A NAME_FILE naming an empty file stops
    start-up rather than fall back to another key."""
    key = _env[name]
    if key:
        return key
    if os.environ.get(f"{name}_FILE"):
        raise ImproperlyConfigured(f"{name}_FILE names an empty file.")
    path = DATA_DIR / file_name
    if not path.exists():
        path.write_text(secrets.token_urlsafe(length))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = _key("MOTCUA_SECRET_KEY", "secret_key", 50)
# HMAC key of the audit hash chains and checkpoints (motcua.audit.keys; docs/operations.md §5).
# Production supplies its own and keeps a copy apart from the backups: whoever holds it can re-seal
# edited audit rows.
MOTCUA_AUDIT_KEY = _key("MOTCUA_AUDIT_KEY", "audit_key", 32)
# MOTCUA_AUDIT_OLD_KEYS: earlier keys, verify only; MOTCUA_AUDIT_CHECKPOINT_DIR: empty = the file
# storage under audit-checkpoints/ (kept by `backup`), a folder = that folder.
ALLOWED_HOSTS = _env["MOTCUA_ALLOWED_HOSTS"]
CSRF_TRUSTED_ORIGINS = _env["MOTCUA_CSRF_TRUSTED_ORIGINS"]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "ninja",
    "motcua.core",
    "motcua.jobs",
    "motcua.accounts",
    "motcua.agencies",
    "motcua.worktime",
    "motcua.catalog",
    "motcua.documents",
    "motcua.dossiers",
    "motcua.payments",
    "motcua.signing",
    "motcua.feedback",
    "motcua.citizen",
    "motcua.kiosk",
    "motcua.eforms",
    "motcua.submissions",
    "motcua.notify",
    "motcua.staff",
    "motcua.portal",
    "motcua.backoffice",
    "motcua.administration",
    "motcua.reports",
    "motcua.sync",
    "motcua.integrations",
    "motcua.audit",
    "motcua.api",
    "motcua.ops",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "motcua.core.middleware.VietnameseFirstMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "motcua.urls"
WSGI_APPLICATION = "motcua.wsgi.application"

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
                "motcua.core.context_processors.site",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
DATABASE_URL = _env["DATABASE_URL"] or f"sqlite:///{DATA_DIR / 'motcua.sqlite3'}"
# Persistent connections (with a health check) save a connection set-up per request on PostgreSQL.
DATABASES = {
    "default": dj_database_url.parse(
        DATABASE_URL, conn_max_age=_env["MOTCUA_DB_CONN_MAX_AGE"], conn_health_checks=True
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers work while one writer writes; IMMEDIATE makes concurrent writers
    # wait for the lock (up to `timeout` seconds) instead of failing with "database is locked".
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
    }
    DATABASES["default"]["TEST"] = {"NAME": str(DATA_DIR / "test.sqlite3")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Files ----------------------------------------------------------------------------------
MEDIA_ROOT = Path(_env["MOTCUA_MEDIA_ROOT"] or DATA_DIR / "media")
MEDIA_URL = "/media/"
STATIC_ROOT = Path(_env["MOTCUA_STATIC_ROOT"] or DATA_DIR / "static")
STATIC_URL = "/static/"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if _env["MOTCUA_MANIFEST_STATIC"]
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
# MOTCUA_STORAGE=s3 keeps every uploaded and generated file in S3-compatible storage (AWS S3,
# MinIO, Ceph, Viettel/FPT object storage): every web and worker machine then sees the same files.
if _env["MOTCUA_STORAGE"] == "s3":
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": _env["MOTCUA_S3_BUCKET"],
            "endpoint_url": _env["MOTCUA_S3_ENDPOINT"] or None,
            "access_key": _env["MOTCUA_S3_ACCESS_KEY"] or None,
            "secret_key": _env["MOTCUA_S3_SECRET_KEY"] or None,
            "region_name": _env["MOTCUA_S3_REGION"],
            "addressing_style": _env["MOTCUA_S3_ADDRESSING"],
            "signature_version": "s3v4",
            "location": _env["MOTCUA_S3_PREFIX"],
            "file_overwrite": False,  # stored files are never overwritten (keys are generated anyway)
            "default_acl": None,  # private objects; downloads go through the views or signed URLs
            "querystring_auth": True,
            "querystring_expire": _env["MOTCUA_S3_URL_SECONDS"],
        },
    }
# Serve static files straight from the apps when collectstatic has not run (tests, demo);
# production runs collectstatic with MOTCUA_MANIFEST_STATIC=1 for hashed, cacheable names.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 25 * 1024 * 1024
MOTCUA_MAX_UPLOAD_BYTES = _env["MOTCUA_MAX_UPLOAD_MB"] * 1024 * 1024
# MOTCUA_PDF_CHECK_CPU_SECONDS: an uploaded PDF's page tree is read in a child process stopped
# after this much CPU time (a hostile file can make a parser spin for minutes).

# --- Language and time ----------------------------------------------------------------------
LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", _("Tiếng Việt")), ("en", _("English"))]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_TZ = True
LANGUAGE_COOKIE_NAME = "motcua_language"

# --- Security -------------------------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = _env["MOTCUA_HTTPS"]
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if _env["MOTCUA_HTTPS"]:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = _env["MOTCUA_SSL_REDIRECT"]
    SECURE_HSTS_SECONDS = _env["MOTCUA_HSTS_SECONDS"]
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True

AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"

# Argon2id (m = 19 MiB, t = 2, p = 1: motcua.accounts.hashers); older PBKDF2 hashes still sign in
# and are re-made with Argon2id at that moment.
PASSWORD_HASHERS = [
    "motcua.accounts.hashers.Argon2idHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# --- E-mail ---------------------------------------------------------------------------------
EMAIL_HOST = _env["MOTCUA_EMAIL_HOST"]
if EMAIL_HOST:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_PORT = _env["MOTCUA_EMAIL_PORT"]
    EMAIL_HOST_USER = _env["MOTCUA_EMAIL_USER"]
    EMAIL_HOST_PASSWORD = _env["MOTCUA_EMAIL_PASSWORD"]
    EMAIL_USE_TLS = _env["MOTCUA_EMAIL_TLS"]
else:
    # Embedded default: messages are written as files, so nothing is sent by accident.
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = DATA_DIR / "mail"
DEFAULT_FROM_EMAIL = _env["MOTCUA_EMAIL_FROM"]
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Logging --------------------------------------------------------------------------------
# MOTCUA_LOG_FORMAT=json: one JSON object a line (motcua.core.logs); MOTCUA_ACCESS_LOG=1 adds a
# line per request (on by default with JSON logs).
_json_logs = _env["MOTCUA_LOG_FORMAT"] == "json"
MOTCUA_ACCESS_LOG = _json_logs if _env["MOTCUA_ACCESS_LOG"] is None else _env["MOTCUA_ACCESS_LOG"]
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
        "json": {"()": "motcua.core.logs.JsonFormatter"},
    },
    "handlers": {"console": {"class": "logging.StreamHandler",
                             "formatter": "json" if _json_logs else "plain"}},
    "root": {"handlers": ["console"], "level": _env["MOTCUA_LOG_LEVEL"]},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}
if MOTCUA_ACCESS_LOG:
    MIDDLEWARE.insert(0, "motcua.core.logs.RequestLogMiddleware")

# --- cache, rate limits, job wake-ups: embedded by default, Redis with MOTCUA_REDIS_URL -------
# The embedded cache is per process (fine for one web process); several web processes or
# machines share Redis so that rate limits count together and tracking is never stale.
# Jobs stay in the database (written in the same transaction as the change that causes them);
# with Redis, workers are woken the moment a job is committed instead of polling.
if _env["MOTCUA_REDIS_URL"]:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": _env["MOTCUA_REDIS_URL"],
            "KEY_PREFIX": _env["MOTCUA_REDIS_PREFIX"],
            "TIMEOUT": 300,
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "OPTIONS": {"MAX_ENTRIES": 20000},
        },
        # Rate-limit counters must be shared by the web processes (`serve` runs two): without
        # Redis they live in the database (the table is made by core's migration 0001).
        "ratelimit": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "motcua_ratelimit",
            "TIMEOUT": 3600,
            "OPTIONS": {"MAX_ENTRIES": 200_000, "CULL_FREQUENCY": 4},
        },
    }

# --- motcua ---------------------------------------------------------------------------------
# Public tracking answers from the cache; any action on the dossier clears it. With Redis every
# worker sees the invalidation at once, so entries may live much longer.
if _env["MOTCUA_TRACKING_CACHE_SECONDS"] is None:
    MOTCUA_TRACKING_CACHE_SECONDS = 3600 if _env["MOTCUA_REDIS_URL"] else 30
MOTCUA_PUBLIC_URL = _env["MOTCUA_PUBLIC_URL"].rstrip("/")

# --- Notifications (motcua.notify; docs/notifications.md) ------------------------------------
# SMS backend: "file" (one file per message in MOTCUA_SMS_FILE_PATH), "console", "locmem",
# "http" (a generic gateway, the default once MOTCUA_SMS_URL is set) or a dotted class path.
if _env["MOTCUA_SMS_BACKEND"] is None:
    MOTCUA_SMS_BACKEND = "http" if _env["MOTCUA_SMS_URL"] else "file"
MOTCUA_SMS_FILE_PATH = Path(_env["MOTCUA_SMS_FILE_PATH"] or DATA_DIR / "sms")
EMAIL_TIMEOUT = _env["MOTCUA_EMAIL_TIMEOUT"]

# --- Signed electronic results (motcua.signing, docs/signing.md) -----------------------------
# Agencies' certificate files (relative paths in AgencyCertificate rows start here); the
# development CA and certificates made by `python -m motcua dev_certificate` live here too.
MOTCUA_SIGNING_CERT_DIR = Path(_env["MOTCUA_SIGNING_CERT_DIR"] or DATA_DIR / "certs")

# --- accounts (sign-up, verification codes, sign-in limits, OpenID Connect) ------------------
# Sign in with a username, an e-mail address or a phone number (ModelBackend underneath).
AUTHENTICATION_BACKENDS = ["motcua.accounts.backends.IdentifierBackend"]
# Verification codes, sign-in limits and OpenID Connect: MOTCUA_CODE_*, MOTCUA_SIGNIN_*, MOTCUA_OIDC_*
# (motcua.conf). Claim names (dotted for nested claims) for what the portal keeps.
MOTCUA_OIDC_CLAIMS = {key: _env[f"MOTCUA_OIDC_CLAIM_{key.upper()}"] for key in conf.OIDC_CLAIM_DEFAULTS}
# --- end accounts ----------------------------------------------------------------------------

# --- payments (motcua.payments; docs/payments.md) -----------------------------------------------
# Online payment of fees (service level 4): MOTCUA_PAYMENT_* (motcua.conf). The sandbox gateway signs
# with the merchant secret: on only with the sandbox provider, unless set.
if _env["MOTCUA_PAYMENT_SANDBOX_GATEWAY"] is None:
    MOTCUA_PAYMENT_SANDBOX_GATEWAY = _env["MOTCUA_PAYMENT_PROVIDER"] == "sandbox"
# The demo gateway is a contrib app of its own, installed only while it is on.
if MOTCUA_PAYMENT_SANDBOX_GATEWAY:
    INSTALLED_APPS.append("motcua.payments.contrib.sandbox")
# --- end payments ------------------------------------------------------------------------------

# --- sync + integrations (national-portal outbox, service accounts, webhooks; docs/integration.md) ---
# MOTCUA_SYNC_* and MOTCUA_WEBHOOK_* (motcua.conf): sync is off while the URL is empty; webhooks go
# to https targets only, never loopback/private addresses (SSRF), unless allowed.
# --- end sync + integrations ---------------------------------------------------------------------

# --- security (two-factor sign-in, CSP, headers, sessions, uploads) ----------------------------
# One block so that the rest of the file stays as it is; see docs in motcua.accounts.twofactor,
# motcua.audit.headers and motcua.dossiers.files.
from urllib.parse import urlsplit as _urlsplit  # noqa: E402

from csp.constants import NONE as _CSP_NONE  # noqa: E402
from csp.constants import SELF as _CSP_SELF  # noqa: E402

INSTALLED_APPS += ["django_otp", "django_otp.plugins.otp_totp", "django_otp.plugins.otp_static", "csp"]
MIDDLEWARE.insert(MIDDLEWARE.index("django.middleware.security.SecurityMiddleware") + 1, "csp.middleware.CSPMiddleware")
MIDDLEWARE.insert(MIDDLEWARE.index("csp.middleware.CSPMiddleware") + 1,
                  "motcua.audit.headers.SecurityHeadersMiddleware")
MIDDLEWARE.insert(
    MIDDLEWARE.index("django.contrib.auth.middleware.AuthenticationMiddleware") + 1,
    "django_otp.middleware.OTPMiddleware",
)
MIDDLEWARE.insert(MIDDLEWARE.index("django_otp.middleware.OTPMiddleware") + 1,
                  "motcua.accounts.twofactor.TwoFactorMiddleware")
# Staff two-factor sign-in: "optional" (staff may enrol; those who did must use it), "required"
# (staff must enrol before the back office), or "off". Production (MOTCUA_HTTPS=1) requires it.
if _env["MOTCUA_STAFF_2FA"] is None:
    MOTCUA_STAFF_2FA = "required" if _env["MOTCUA_HTTPS"] else "optional"
OTP_TOTP_ISSUER = _env["MOTCUA_OTP_ISSUER"] or _env["MOTCUA_SITE_NAME"]
# Code attempts are limited per account and per address by motcua.core.ratelimit instead.
OTP_TOTP_THROTTLE_FACTOR = 0
OTP_STATIC_THROTTLE_FACTOR = 0

# Sessions: HTTP-only, SameSite=Lax cookies (Secure under HTTPS); staff sessions end after
# MOTCUA_STAFF_SESSION_HOURS, citizens' after MOTCUA_SESSION_DAYS.
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = _env["MOTCUA_SESSION_DAYS"] * 86400
MOTCUA_STAFF_SESSION_SECONDS = _env["MOTCUA_STAFF_SESSION_HOURS"] * 3600
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = _env["MOTCUA_HTTPS"]
if _env["MOTCUA_HTTPS"]:
    SESSION_COOKIE_NAME = "__Host-motcua_session"
    CSRF_COOKIE_NAME = "__Host-motcua_csrf"
    SECURE_HSTS_PRELOAD = _env["MOTCUA_HSTS_PRELOAD"]

# Headers: nosniff, Referrer-Policy, COOP (Django); Permissions-Policy (motcua.audit.headers);
# frames denied by X-Frame-Options and CSP frame-ancestors.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"


def _origin(url: str) -> list[str]:
    parts = _urlsplit(url or "")
    return [f"{parts.scheme}://{parts.netloc}"] if parts.scheme in {"http", "https"} and parts.netloc else []


# Content-Security-Policy (django-csp 4): no inline scripts or styles anywhere; forms may post (and
# be redirected) to the payment gateway and the identity provider only.
CONTENT_SECURITY_POLICY = {
    "EXCLUDE_URL_PREFIXES": ["/api/v1/docs"],  # Swagger UI loads its own scripts from a CDN
    "DIRECTIVES": {
        "default-src": [_CSP_SELF],
        "script-src": [_CSP_SELF],
        "style-src": [_CSP_SELF],
        "img-src": [_CSP_SELF, "data:"],
        "font-src": [_CSP_SELF],
        "connect-src": [_CSP_SELF],
        "object-src": [_CSP_NONE],
        "base-uri": [_CSP_SELF],
        "frame-ancestors": [_CSP_NONE],
        "form-action": [_CSP_SELF, *_origin(_env["MOTCUA_PAYMENT_GATEWAY_URL"]), *_origin(_env["MOTCUA_OIDC_ISSUER"])],
        **({"upgrade-insecure-requests": True} if _env["MOTCUA_HTTPS"] else {}),
    },
}

# Uploads (motcua.dossiers.files): page and pixel limits, and an optional virus scan by clamd
# (MOTCUA_MAX_PDF_PAGES, MOTCUA_CLAMD).
MOTCUA_MAX_IMAGE_PIXELS = _env["MOTCUA_MAX_IMAGE_MEGAPIXELS"] * 1_000_000
# --- end security -------------------------------------------------------------------------------
