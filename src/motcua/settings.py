"""Settings, read from the environment.

The defaults are the embedded ones (SQLite and files in a local data folder, debug off);
production sets DATABASE_URL, MOTCUA_SECRET_KEY, MOTCUA_ALLOWED_HOSTS and friends.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

PACKAGE_DIR = Path(__file__).resolve().parent
BASE_DIR = PACKAGE_DIR.parent.parent


def env_str(name: str, default: str = "") -> str:
    # `NAME_FILE` lets secrets come from a mounted file (systemd credentials, k8s secrets).
    path = os.environ.get(f"{name}_FILE")
    if path:
        return Path(path).read_text().strip()
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value else default


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in env_str(name, default).split(",") if item.strip()]


DATA_DIR = Path(env_str("MOTCUA_DATA_DIR", str(BASE_DIR / "data"))).resolve()
DATA_DIR.mkdir(parents=True, exist_ok=True)

DEBUG = env_bool("MOTCUA_DEBUG", False)


def _key(name: str, file_name: str, length: int) -> str:
    """A secret from the environment (NAME or NAME_FILE), else the embedded default: a random key
    kept in the data folder, never one shipped in the code. A NAME_FILE naming an empty file stops
    start-up rather than fall back to another key."""
    key = env_str(name)
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
# Earlier audit keys, verify only (after a rotation), comma-separated.
MOTCUA_AUDIT_OLD_KEYS = env_list("MOTCUA_AUDIT_OLD_KEYS")
# The worker writes a signed checkpoint of the audit chains this often (motcua.audit.checkpoints).
MOTCUA_AUDIT_CHECKPOINT_MINUTES = env_int("MOTCUA_AUDIT_CHECKPOINT_MINUTES", 15)
# Where checkpoints go: empty = the file storage under audit-checkpoints/ (kept by `backup`);
# a folder path = that folder (a mount the database's administrators cannot write, ideally).
MOTCUA_AUDIT_CHECKPOINT_DIR = env_str("MOTCUA_AUDIT_CHECKPOINT_DIR")
ALLOWED_HOSTS = env_list("MOTCUA_ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("MOTCUA_CSRF_TRUSTED_ORIGINS")

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
DATABASE_URL = env_str("DATABASE_URL", f"sqlite:///{DATA_DIR / 'motcua.sqlite3'}")
# Persistent connections (with a health check) save a connection set-up per request on PostgreSQL.
DATABASES = {
    "default": dj_database_url.parse(
        DATABASE_URL, conn_max_age=env_int("MOTCUA_DB_CONN_MAX_AGE", 60), conn_health_checks=True
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
MEDIA_ROOT = Path(env_str("MOTCUA_MEDIA_ROOT", str(DATA_DIR / "media")))
MEDIA_URL = "/media/"
STATIC_ROOT = Path(env_str("MOTCUA_STATIC_ROOT", str(DATA_DIR / "static")))
STATIC_URL = "/static/"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if env_bool("MOTCUA_MANIFEST_STATIC", False)
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
# MOTCUA_STORAGE=s3 keeps every uploaded and generated file in S3-compatible storage (AWS S3,
# MinIO, Ceph, Viettel/FPT object storage): every web and worker machine then sees the same files.
MOTCUA_STORAGE = env_str("MOTCUA_STORAGE", "local")
MOTCUA_S3_URL_SECONDS = env_int("MOTCUA_S3_URL_SECONDS", 300)  # life of a signed download link
if MOTCUA_STORAGE == "s3":
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": env_str("MOTCUA_S3_BUCKET"),
            "endpoint_url": env_str("MOTCUA_S3_ENDPOINT") or None,
            "access_key": env_str("MOTCUA_S3_ACCESS_KEY") or None,
            "secret_key": env_str("MOTCUA_S3_SECRET_KEY") or None,
            "region_name": env_str("MOTCUA_S3_REGION", "us-east-1"),
            "addressing_style": env_str("MOTCUA_S3_ADDRESSING", "path"),
            "signature_version": "s3v4",
            "location": env_str("MOTCUA_S3_PREFIX"),
            "file_overwrite": False,  # stored files are never overwritten (keys are generated anyway)
            "default_acl": None,  # private objects; downloads go through the views or signed URLs
            "querystring_auth": True,
            "querystring_expire": MOTCUA_S3_URL_SECONDS,
        },
    }
elif MOTCUA_STORAGE != "local":
    raise ImproperlyConfigured("MOTCUA_STORAGE must be 'local' or 's3'")
# Serve static files straight from the apps when collectstatic has not run (tests, demo);
# production runs collectstatic with MOTCUA_MANIFEST_STATIC=1 for hashed, cacheable names.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 25 * 1024 * 1024
MOTCUA_MAX_UPLOAD_BYTES = env_int("MOTCUA_MAX_UPLOAD_MB", 20) * 1024 * 1024
# Reading an uploaded PDF's page tree runs in a child process stopped after this much CPU time
# (a hostile file can make a parser spin for minutes); such a file is refused as too complex.
MOTCUA_PDF_CHECK_CPU_SECONDS = env_int("MOTCUA_PDF_CHECK_CPU_SECONDS", 5)
# A PDF whose trailer declares more objects than this is refused before any parser reads it.
MOTCUA_PDF_MAX_OBJECTS = env_int("MOTCUA_PDF_MAX_OBJECTS", 100_000)

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
SESSION_COOKIE_SECURE = env_bool("MOTCUA_HTTPS", False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if env_bool("MOTCUA_HTTPS", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("MOTCUA_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = env_int("MOTCUA_HSTS_SECONDS", 31536000)
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
EMAIL_HOST = env_str("MOTCUA_EMAIL_HOST")
if EMAIL_HOST:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_PORT = env_int("MOTCUA_EMAIL_PORT", 587)
    EMAIL_HOST_USER = env_str("MOTCUA_EMAIL_USER")
    EMAIL_HOST_PASSWORD = env_str("MOTCUA_EMAIL_PASSWORD")
    EMAIL_USE_TLS = env_bool("MOTCUA_EMAIL_TLS", True)
else:
    # Embedded default: messages are written as files, so nothing is sent by accident.
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = DATA_DIR / "mail"
DEFAULT_FROM_EMAIL = env_str("MOTCUA_EMAIL_FROM", "motcua@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Logging --------------------------------------------------------------------------------
# MOTCUA_LOG_FORMAT=json: one JSON object a line (motcua.core.logs); MOTCUA_ACCESS_LOG=1 adds a
# line per request (on by default with JSON logs).
MOTCUA_LOG_FORMAT = env_str("MOTCUA_LOG_FORMAT", "plain")
MOTCUA_ACCESS_LOG = env_bool("MOTCUA_ACCESS_LOG", MOTCUA_LOG_FORMAT == "json")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
        "json": {"()": "motcua.core.logs.JsonFormatter"},
    },
    "handlers": {"console": {"class": "logging.StreamHandler",
                             "formatter": "json" if MOTCUA_LOG_FORMAT == "json" else "plain"}},
    "root": {"handlers": ["console"], "level": env_str("MOTCUA_LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}
if MOTCUA_ACCESS_LOG:
    MIDDLEWARE.insert(0, "motcua.core.logs.RequestLogMiddleware")

# --- cache, rate limits, job wake-ups: embedded by default, Redis with MOTCUA_REDIS_URL -------
# The embedded cache is per process (fine for one web process); several web processes or
# machines share Redis so that rate limits count together and tracking is never stale.
# Jobs stay in the database (written in the same transaction as the change that causes them);
# with Redis, workers are woken the moment a job is committed instead of polling.
MOTCUA_REDIS_URL = env_str("MOTCUA_REDIS_URL")
MOTCUA_REDIS_PREFIX = env_str("MOTCUA_REDIS_PREFIX", "motcua")
if MOTCUA_REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": MOTCUA_REDIS_URL,
            "KEY_PREFIX": MOTCUA_REDIS_PREFIX,
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
MOTCUA_SITE_NAME = env_str("MOTCUA_SITE_NAME", "Cổng Dịch vụ công tỉnh Cà Mau")
MOTCUA_PAGE_SIZE = 20
# Public tracking answers from the cache for this long; any action on the dossier clears it.
# With Redis every worker sees the invalidation at once, so entries may live much longer.
MOTCUA_TRACKING_CACHE_SECONDS = env_int("MOTCUA_TRACKING_CACHE_SECONDS", 3600 if MOTCUA_REDIS_URL else 30)
# Background jobs: "worker" (run by `python -m motcua worker`, which `serve` starts beside the
# web server) or "inline" (right after the transaction commits, in the same process).
MOTCUA_JOBS_MODE = env_str("MOTCUA_JOBS_MODE", "worker")
# Housekeeping (core.cleanup, daily): a citizen's draft not saved for this many days is removed.
MOTCUA_DRAFT_RETENTION_DAYS = env_int("MOTCUA_DRAFT_RETENTION_DAYS", 180)
# Postal delivery of results (bưu chính công ích): the fee recorded when a citizen chooses it.
MOTCUA_POSTAL_FEE_VND = env_int("MOTCUA_POSTAL_FEE_VND", 25000)
# Public tracking runs as a prepared statement on PostgreSQL (off behind pgbouncer in transaction mode).
MOTCUA_PREPARED_TRACKING = env_bool("MOTCUA_PREPARED_TRACKING", True)
# Reports read ended dossiers from their summary (reports/summary.py); off: everything counted live
# (the benchmark's baseline, or a fallback should the summary be in doubt).
MOTCUA_REPORTS_SUMMARY = env_bool("MOTCUA_REPORTS_SUMMARY", True)
# The portal's public address, printed in QR codes of receipts (tracking links).
MOTCUA_PUBLIC_URL = env_str("MOTCUA_PUBLIC_URL", "http://127.0.0.1:8000").rstrip("/")

# --- Notifications (motcua.notify; docs/notifications.md) ------------------------------------
# SMS backend: "file" (one file per message in MOTCUA_SMS_FILE_PATH), "console", "locmem",
# "http" (a generic gateway, the default once MOTCUA_SMS_URL is set) or a dotted class path.
MOTCUA_SMS_URL = env_str("MOTCUA_SMS_URL")
MOTCUA_SMS_BACKEND = env_str("MOTCUA_SMS_BACKEND", "http" if MOTCUA_SMS_URL else "file")
MOTCUA_SMS_FILE_PATH = Path(env_str("MOTCUA_SMS_FILE_PATH", str(DATA_DIR / "sms")))
MOTCUA_SMS_TOKEN = env_str("MOTCUA_SMS_TOKEN")  # or MOTCUA_SMS_TOKEN_FILE
MOTCUA_SMS_AUTH_HEADER = env_str("MOTCUA_SMS_AUTH_HEADER", "Authorization")
MOTCUA_SMS_AUTH_SCHEME = env_str("MOTCUA_SMS_AUTH_SCHEME", "Bearer")
MOTCUA_SMS_FORMAT = env_str("MOTCUA_SMS_FORMAT", "json")  # or "form"
MOTCUA_SMS_TO_FIELD = env_str("MOTCUA_SMS_TO_FIELD", "to")
MOTCUA_SMS_TEXT_FIELD = env_str("MOTCUA_SMS_TEXT_FIELD", "text")
MOTCUA_SMS_REFERENCE_FIELD = env_str("MOTCUA_SMS_REFERENCE_FIELD")
MOTCUA_SMS_EXTRA = env_str("MOTCUA_SMS_EXTRA")  # fixed fields as a JSON object, e.g. {"brandname": "CAMAU"}
MOTCUA_SMS_NUMBER_FORMAT = env_str("MOTCUA_SMS_NUMBER_FORMAT", "national")  # or "international", "e164"
MOTCUA_SMS_TIMEOUT = env_int("MOTCUA_SMS_TIMEOUT", 10)
MOTCUA_SMS_ID_FIELD = env_str("MOTCUA_SMS_ID_FIELD", "id")
MOTCUA_SMS_SUCCESS_FIELD = env_str("MOTCUA_SMS_SUCCESS_FIELD")
MOTCUA_SMS_SUCCESS_VALUES = env_list("MOTCUA_SMS_SUCCESS_VALUES")
MOTCUA_SMS_UNACCENT = env_bool("MOTCUA_SMS_UNACCENT", True)
MOTCUA_NOTIFY_MAX_ATTEMPTS = env_int("MOTCUA_NOTIFY_MAX_ATTEMPTS", 8)
MOTCUA_NOTIFY_TEMPLATE_DIRS = env_list("MOTCUA_NOTIFY_TEMPLATE_DIRS")
EMAIL_TIMEOUT = env_int("MOTCUA_EMAIL_TIMEOUT", 30)

# --- Signed electronic results (motcua.signing, docs/signing.md) -----------------------------
# Agencies' certificate files (relative paths in AgencyCertificate rows start here); the
# development CA and certificates made by `python -m motcua dev_certificate` live here too.
MOTCUA_SIGNING_CERT_DIR = Path(env_str("MOTCUA_SIGNING_CERT_DIR", str(DATA_DIR / "certs")))
# CA certificates (PEM or DER files, bundles allowed) whose certificates the verify page trusts.
MOTCUA_SIGNING_TRUST_ROOTS = env_list("MOTCUA_SIGNING_TRUST_ROOTS")
# Trust the development CA of this installation (if it exists); production sets this off.
MOTCUA_SIGNING_TRUST_DEV_CA = env_bool("MOTCUA_SIGNING_TRUST_DEV_CA", True)
# Fetch CRLs/OCSP while verifying (needs network access from the web servers).
MOTCUA_SIGNING_FETCH_REVOCATION = env_bool("MOTCUA_SIGNING_FETCH_REVOCATION", False)
# A visible stamp (bottom-right of the first page) or an invisible signature.
MOTCUA_SIGNING_VISIBLE = env_bool("MOTCUA_SIGNING_VISIBLE", True)
MOTCUA_SIGNING_REASON = env_str("MOTCUA_SIGNING_REASON", "Kết quả giải quyết TTHC")

# --- accounts (sign-up, verification codes, sign-in limits, OpenID Connect) ------------------
# Sign in with a username, an e-mail address or a phone number (ModelBackend underneath).
AUTHENTICATION_BACKENDS = ["motcua.accounts.backends.IdentifierBackend"]
# Verification codes: 6 digits, valid 10 minutes, 5 tries, a new one after 60 s at most,
# at most 5 an hour and 10 a day to one phone or e-mail address, 30 an hour from one address.
MOTCUA_CODE_TTL_SECONDS = env_int("MOTCUA_CODE_TTL_SECONDS", 600)
MOTCUA_CODE_MAX_ATTEMPTS = env_int("MOTCUA_CODE_MAX_ATTEMPTS", 5)
MOTCUA_CODE_RESEND_SECONDS = env_int("MOTCUA_CODE_RESEND_SECONDS", 60)
MOTCUA_CODE_SENDS_PER_HOUR = env_int("MOTCUA_CODE_SENDS_PER_HOUR", 5)
MOTCUA_CODE_SENDS_PER_DAY = env_int("MOTCUA_CODE_SENDS_PER_DAY", 10)
MOTCUA_CODE_SENDS_PER_IP_HOUR = env_int("MOTCUA_CODE_SENDS_PER_IP_HOUR", 30)
MOTCUA_CODE_FAILURES_PER_IP = env_int("MOTCUA_CODE_FAILURES_PER_IP", 30)
# Housekeeping: expired codes (and their messages, expired API tokens) are removed this many days later.
MOTCUA_CODE_RETENTION_DAYS = env_int("MOTCUA_CODE_RETENTION_DAYS", 7)
# Housekeeping: background jobs done this many days ago are removed (failed ones are kept).
MOTCUA_JOB_RETENTION_DAYS = env_int("MOTCUA_JOB_RETENTION_DAYS", 30)
# Sign-in: 10 failures per identifier (and per account) in 15 minutes lock it for the rest of the
# window; 50 per client address (many citizens share one address behind a carrier's NAT).
MOTCUA_SIGNIN_FAILURES = env_int("MOTCUA_SIGNIN_FAILURES", 10)
MOTCUA_SIGNIN_FAILURES_PER_IP = env_int("MOTCUA_SIGNIN_FAILURES_PER_IP", 50)
MOTCUA_SIGNIN_WINDOW_SECONDS = env_int("MOTCUA_SIGNIN_WINDOW_SECONDS", 900)
MOTCUA_SIGNUPS_PER_IP_HOUR = env_int("MOTCUA_SIGNUPS_PER_IP_HOUR", 20)
# Behind N reverse proxies, the client address is the N-th from the right of X-Forwarded-For.
MOTCUA_TRUSTED_PROXIES = env_int("MOTCUA_TRUSTED_PROXIES", 0)
# National identity sign-in (OpenID Connect, e.g. VNeID): off unless issuer and client id are set.
MOTCUA_OIDC_ISSUER = env_str("MOTCUA_OIDC_ISSUER")
MOTCUA_OIDC_CLIENT_ID = env_str("MOTCUA_OIDC_CLIENT_ID")
MOTCUA_OIDC_CLIENT_SECRET = env_str("MOTCUA_OIDC_CLIENT_SECRET")
MOTCUA_OIDC_SCOPES = env_list("MOTCUA_OIDC_SCOPES", "openid,profile")
MOTCUA_OIDC_LABEL = env_str("MOTCUA_OIDC_LABEL")
MOTCUA_OIDC_TOKEN_AUTH = env_str("MOTCUA_OIDC_TOKEN_AUTH", "client_secret_basic")
MOTCUA_OIDC_REDIRECT_URI = env_str("MOTCUA_OIDC_REDIRECT_URI")
# Claim names (dotted for nested claims) for what the portal keeps; only the ID number is required.
MOTCUA_OIDC_CLAIMS = {
    key: env_str(f"MOTCUA_OIDC_CLAIM_{key.upper()}", default)
    for key, default in {
        "id_number": "id_number", "name": "name", "birthdate": "birthdate",
        "phone": "phone_number", "email": "email", "address": "address.formatted",
    }.items()
}
# --- end accounts ----------------------------------------------------------------------------

# --- payments (motcua.payments; docs/payments.md) -----------------------------------------------
# Online payment of fees (service level 4). "sandbox": the built-in test gateway under
# /thanh-toan/sandbox/ (no real money); "vnpay": VNPay 2.1.0 with the terminal code and secret it issued.
MOTCUA_PAYMENT_PROVIDER = env_str("MOTCUA_PAYMENT_PROVIDER", "sandbox")
MOTCUA_PAYMENT_TMN_CODE = env_str("MOTCUA_PAYMENT_TMN_CODE", "MOTCUA01")
# Required for vnpay; empty for the sandbox: a secret derived from SECRET_KEY (never one in the code).
MOTCUA_PAYMENT_HASH_SECRET = env_str("MOTCUA_PAYMENT_HASH_SECRET")
MOTCUA_PAYMENT_GATEWAY_URL = env_str(
    "MOTCUA_PAYMENT_GATEWAY_URL", "https://sandbox.vnpayment.vn/paymentv2/vpcpay.html"
)
MOTCUA_PAYMENT_QUERY_URL = env_str(
    "MOTCUA_PAYMENT_QUERY_URL", "https://sandbox.vnpayment.vn/merchant_webapi/api/transaction"
)
# The sandbox gateway signs with the merchant secret: on only with the sandbox provider, unless set.
MOTCUA_PAYMENT_SANDBOX_GATEWAY = env_bool(
    "MOTCUA_PAYMENT_SANDBOX_GATEWAY", MOTCUA_PAYMENT_PROVIDER == "sandbox"
)
MOTCUA_PAYMENT_TIMEOUT_MINUTES = env_int("MOTCUA_PAYMENT_TIMEOUT_MINUTES", 15)
MOTCUA_PAYMENT_REQUERY_AFTER_MINUTES = env_int("MOTCUA_PAYMENT_REQUERY_AFTER_MINUTES", 5)
MOTCUA_PAYMENT_EXPIRE_GRACE_MINUTES = env_int("MOTCUA_PAYMENT_EXPIRE_GRACE_MINUTES", 15)
MOTCUA_PAYMENT_GIVE_UP_HOURS = env_int("MOTCUA_PAYMENT_GIVE_UP_HOURS", 24)
# The gateway's IPN source addresses (REMOTE_ADDR as the app sees it); empty: any (signature checked).
MOTCUA_PAYMENT_IPN_ALLOWED_IPS = env_list("MOTCUA_PAYMENT_IPN_ALLOWED_IPS")
MOTCUA_PAYMENT_SERVER_IP = env_str("MOTCUA_PAYMENT_SERVER_IP", "127.0.0.1")
MOTCUA_PAYMENT_ORDER_TYPE = env_str("MOTCUA_PAYMENT_ORDER_TYPE", "other")
MOTCUA_PAYMENT_HTTP_TIMEOUT = env_int("MOTCUA_PAYMENT_HTTP_TIMEOUT", 15)
# Empty: the sandbox gateway hands its IPN to the active provider in-process; a URL: HTTP GET to it.
MOTCUA_PAYMENT_SANDBOX_IPN_URL = env_str("MOTCUA_PAYMENT_SANDBOX_IPN_URL")
# --- end payments ------------------------------------------------------------------------------

# --- sync + integrations (national-portal outbox, service accounts, webhooks; docs/integration.md) ---
# National portal (DVCQG) dossier sync: off while the URL is empty (no messages are written).
MOTCUA_SYNC_URL = env_str("MOTCUA_SYNC_URL")
MOTCUA_SYNC_AUTH = env_str("MOTCUA_SYNC_AUTH", "none")  # none, bearer (MOTCUA_SYNC_TOKEN) or basic
MOTCUA_SYNC_TOKEN = env_str("MOTCUA_SYNC_TOKEN")  # or MOTCUA_SYNC_TOKEN_FILE
MOTCUA_SYNC_USERNAME = env_str("MOTCUA_SYNC_USERNAME")
MOTCUA_SYNC_PASSWORD = env_str("MOTCUA_SYNC_PASSWORD")  # or MOTCUA_SYNC_PASSWORD_FILE
MOTCUA_SYNC_TIMEOUT = env_int("MOTCUA_SYNC_TIMEOUT", 5)
MOTCUA_SYNC_MAX_ATTEMPTS = env_int("MOTCUA_SYNC_MAX_ATTEMPTS", 10)
# Webhooks: https targets only, and never loopback/private addresses (SSRF), unless allowed here.
MOTCUA_WEBHOOK_ALLOW_HTTP = env_bool("MOTCUA_WEBHOOK_ALLOW_HTTP", False)
MOTCUA_WEBHOOK_ALLOW_PRIVATE = env_bool("MOTCUA_WEBHOOK_ALLOW_PRIVATE", False)
MOTCUA_WEBHOOK_TIMEOUT = env_int("MOTCUA_WEBHOOK_TIMEOUT", 5)
MOTCUA_WEBHOOK_MAX_ATTEMPTS = env_int("MOTCUA_WEBHOOK_MAX_ATTEMPTS", 8)
# --- end sync + integrations ---------------------------------------------------------------------

# --- security (issue #8: two-factor sign-in, CSP, headers, sessions, uploads) -----------------
# One block so that the rest of the file stays as it is; see docs in motcua.accounts.twofactor,
# motcua.audit.headers and motcua.dossiers.files.
from urllib.parse import urlsplit as _urlsplit  # noqa: E402

from csp.constants import NONE as _CSP_NONE  # noqa: E402
from csp.constants import SELF as _CSP_SELF  # noqa: E402

MOTCUA_HTTPS = env_bool("MOTCUA_HTTPS", False)
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
MOTCUA_STAFF_2FA = env_str("MOTCUA_STAFF_2FA", "required" if MOTCUA_HTTPS else "optional")
OTP_TOTP_ISSUER = env_str("MOTCUA_OTP_ISSUER", MOTCUA_SITE_NAME)
# Code attempts are limited per account and per address by motcua.core.ratelimit instead.
OTP_TOTP_THROTTLE_FACTOR = 0
OTP_STATIC_THROTTLE_FACTOR = 0

# Sessions: HTTP-only, SameSite=Lax cookies (Secure under HTTPS); staff sessions end after
# MOTCUA_STAFF_SESSION_HOURS, citizens' after MOTCUA_SESSION_DAYS.
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = env_int("MOTCUA_SESSION_DAYS", 14) * 86400
MOTCUA_STAFF_SESSION_SECONDS = env_int("MOTCUA_STAFF_SESSION_HOURS", 10) * 3600
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = MOTCUA_HTTPS
if MOTCUA_HTTPS:
    SESSION_COOKIE_NAME = "__Host-motcua_session"
    CSRF_COOKIE_NAME = "__Host-motcua_csrf"
    SECURE_HSTS_PRELOAD = env_bool("MOTCUA_HSTS_PRELOAD", True)

# Headers: nosniff, Referrer-Policy, COOP (Django); Permissions-Policy (motcua.audit.headers);
# frames denied by X-Frame-Options and CSP frame-ancestors.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
MOTCUA_PERMISSIONS_POLICY = env_str(
    "MOTCUA_PERMISSIONS_POLICY",
    "camera=(), microphone=(), geolocation=(), payment=(), usb=(), serial=(), bluetooth=(), "
    "accelerometer=(), gyroscope=(), magnetometer=(), interest-cohort=()",
)


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
        "form-action": [_CSP_SELF, *_origin(MOTCUA_PAYMENT_GATEWAY_URL), *_origin(MOTCUA_OIDC_ISSUER)],
        **({"upgrade-insecure-requests": True} if MOTCUA_HTTPS else {}),
    },
}

# Uploads (motcua.dossiers.files): page and pixel limits, and an optional virus scan by clamd
# ("host:port" or a unix socket path; empty: off).
MOTCUA_MAX_PDF_PAGES = env_int("MOTCUA_MAX_PDF_PAGES", 300)
MOTCUA_MAX_IMAGE_PIXELS = env_int("MOTCUA_MAX_IMAGE_MEGAPIXELS", 60) * 1_000_000
MOTCUA_CLAMD = env_str("MOTCUA_CLAMD")
MOTCUA_CLAMD_TIMEOUT = env_int("MOTCUA_CLAMD_TIMEOUT", 30)
# --- end security -------------------------------------------------------------------------------
