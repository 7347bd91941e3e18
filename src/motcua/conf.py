"""Every setting of motcua, declared once: its type, its one default and what it does.

`settings.py` reads the environment through this registry (`read`): a value that does not fit
its declaration (a boolean that is not one of the spellings below, a number that is not one, a
name outside its choices) stops start-up with ImproperlyConfigured naming the variable. Most
variables become the Django setting of the same name, holding the value as read; those marked
`setting=False` fill a Django setting of another name (or several) in `settings.py`. Code reads
`settings.X`, never the environment and never a default of its own.

Any variable may come from a file instead: `NAME_FILE` names a file whose content (stripped) is
the value (secrets from systemd credentials or Kubernetes secrets). A variable set to nothing counts
as unset (its default), except those declared `empty=True`.

The settings table in docs/operations.md is written from this list (`python -m motcua
settings_table --write`); tests/core/test_settings_registry.py fails when the two differ.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from django.core.exceptions import ImproperlyConfigured

TRUE = ("1", "true", "yes", "on")
FALSE = ("0", "false", "no", "off")

STR, INT, BOOL, LIST, JSON, URL, PATH = "text", "number", "boolean", "list", "JSON object", "URL", "path"


@dataclass(frozen=True)
class Setting:
    name: str
    kind: str
    default: Any
    help: str
    choices: tuple[str, ...] = ()
    minimum: int | None = None
    # The default as the table shows it, when settings.py works it out at start-up (default None).
    shown: str = ""
    # False: settings.py turns the value into Django settings of other names.
    setting: bool = True
    # Where the table's row points for more.
    doc: str = ""
    # The separator of a list's items.
    sep: str = ","
    # URL schemes a URL accepts.
    schemes: tuple[str, ...] = ("http", "https")
    # True: a variable set to nothing is the empty text (else it takes the default, as an unset one).
    empty: bool = False


def _s(name: str, kind: str, default: Any, help: str, **more: Any) -> Setting:
    return Setting(name, kind, default, help, **more)


# The claims the portal keeps from the identity provider, and the claim each is read from by default.
OIDC_CLAIM_DEFAULTS = {
    "id_number": "id_number", "name": "name", "birthdate": "birthdate",
    "phone": "phone_number", "email": "email", "address": "address.formatted",
}

SETTINGS: tuple[Setting, ...] = (
    # --- site, security, folders -------------------------------------------------------------
    _s("DATABASE_URL", STR, None, "the database: `postgres://user:pass@host:5432/name`", setting=False,
       shown="SQLite in the data folder"),
    _s("MOTCUA_DATA_DIR", PATH, None, "the data folder: SQLite database, files, generated keys", setting=False,
       shown="`data/` beside `src/`"),
    _s("MOTCUA_MEDIA_ROOT", PATH, None, "uploaded and generated files (local storage)", setting=False,
       shown="data folder/media"),
    _s("MOTCUA_STATIC_ROOT", PATH, None, "where `collectstatic` puts static files", setting=False,
       shown="data folder/static"),
    _s("MOTCUA_SECRET_KEY", STR, "", "Django's secret key: the same on every machine", setting=False,
       shown="random, kept in the data folder"),
    _s("MOTCUA_DEBUG", BOOL, False, "Django's debug pages (never in production)", setting=False),
    _s("MOTCUA_ALLOWED_HOSTS", LIST, ["127.0.0.1", "localhost", "[::1]"], "the public host name(s)",
       setting=False),
    _s("MOTCUA_CSRF_TRUSTED_ORIGINS", LIST, [], "origins trusted for form posts, e.g. `https://host`",
       setting=False),
    _s("MOTCUA_PUBLIC_URL", URL, "http://127.0.0.1:8000",
       "the portal's public address: links in messages, receipts' QR codes, the OIDC callback"),
    _s("MOTCUA_SITE_NAME", STR, "Cổng Dịch vụ công tỉnh Cà Mau", "the portal's name on pages and in messages"),
    _s("MOTCUA_HTTPS", BOOL, False, "behind HTTPS: secure cookies, HSTS, SSL redirect, staff 2FA required"),
    _s("MOTCUA_SSL_REDIRECT", BOOL, True, "with HTTPS: redirect plain HTTP", setting=False),
    _s("MOTCUA_HSTS_SECONDS", INT, 31536000, "with HTTPS: the HSTS max-age", setting=False),
    _s("MOTCUA_HSTS_PRELOAD", BOOL, True, "with HTTPS: ask browsers to preload HSTS", setting=False),
    _s("MOTCUA_TRUSTED_PROXIES", INT, 0,
       "reverse proxies in front: the client is the N-th address from the right of X-Forwarded-For"),
    _s("MOTCUA_PERMISSIONS_POLICY", STR,
       "camera=(), microphone=(), geolocation=(), payment=(), usb=(), serial=(), bluetooth=(), "
       "accelerometer=(), gyroscope=(), magnetometer=(), interest-cohort=()",
       "the Permissions-Policy header (set empty: none)", shown="every feature off", empty=True),
    _s("MOTCUA_SESSION_DAYS", INT, 14, "citizens' sessions end after this many days", setting=False),
    _s("MOTCUA_STAFF_SESSION_HOURS", INT, 10, "staff sessions end after this many hours", setting=False),
    _s("MOTCUA_STAFF_2FA", STR, None, "staff two-factor sign-in (TOTP)", choices=("optional", "required", "off"),
       shown="optional (required with HTTPS)", doc="docs/accounts.md"),
    _s("MOTCUA_OTP_ISSUER", STR, None, "the issuer name shown in authenticator apps", setting=False,
       shown="the site name"),
    # --- audit ----------------------------------------------------------------------------------
    _s("MOTCUA_AUDIT_KEY", STR, "", "HMAC key of the audit chains and checkpoints (§5)",
       shown="random, kept in `data/audit_key`"),
    _s("MOTCUA_AUDIT_OLD_KEYS", LIST, [], "earlier audit keys, verify only, after a rotation (§5)"),
    _s("MOTCUA_AUDIT_CHECKPOINT_MINUTES", INT, 15, "the worker signs a checkpoint of the audit logs this often (§5)"),
    _s("MOTCUA_AUDIT_CHECKPOINT_DIR", STR, "",
       "a folder for the checkpoints, ideally one the database's administrators cannot write (§5)",
       shown="the file storage"),
    # --- database, files, storage ---------------------------------------------------------------
    _s("MOTCUA_DB_CONN_MAX_AGE", INT, 60, "persistent database connections, seconds (0 behind pgbouncer)",
       setting=False),
    _s("MOTCUA_PREPARED_TRACKING", BOOL, True,
       "public tracking as a prepared statement on PostgreSQL (off behind pgbouncer in transaction mode)"),
    _s("MOTCUA_MANIFEST_STATIC", BOOL, False, "hashed, cacheable static file names (run `collectstatic`)",
       setting=False),
    _s("MOTCUA_STORAGE", STR, "local", "where files are kept: `local` folders or `s3`", choices=("local", "s3")),
    _s("MOTCUA_S3_BUCKET", STR, "", "S3: the bucket (required with `s3`)", setting=False),
    _s("MOTCUA_S3_ENDPOINT", URL, "", "S3: the endpoint (empty for AWS)", setting=False),
    _s("MOTCUA_S3_ACCESS_KEY", STR, "", "S3: the access key", setting=False),
    _s("MOTCUA_S3_SECRET_KEY", STR, "", "S3: the secret key", setting=False),
    _s("MOTCUA_S3_REGION", STR, "us-east-1", "S3: the region", setting=False),
    _s("MOTCUA_S3_ADDRESSING", STR, "path", "S3: the addressing style", setting=False,
       choices=("path", "virtual", "auto")),
    _s("MOTCUA_S3_PREFIX", STR, "", "S3: a folder inside the bucket", setting=False),
    _s("MOTCUA_S3_URL_SECONDS", INT, 300, "S3: the life of a signed download link"),
    _s("MOTCUA_REDIS_URL", URL, "", "Redis for the cache, rate limits and job wake-ups (several web machines)",
       schemes=("redis", "rediss", "unix"), shown="none"),
    _s("MOTCUA_REDIS_PREFIX", STR, "motcua", "the prefix of every Redis key"),
    # --- uploads ----------------------------------------------------------------------------------
    _s("MOTCUA_MAX_UPLOAD_MB", INT, 20, "the largest uploaded file, in MB", setting=False, minimum=1),
    _s("MOTCUA_MAX_PDF_PAGES", INT, 300, "the most pages of an uploaded PDF", minimum=1),
    _s("MOTCUA_MAX_IMAGE_MEGAPIXELS", INT, 60, "the most pixels of an uploaded image, in millions", setting=False,
       minimum=1),
    _s("MOTCUA_PDF_CHECK_CPU_SECONDS", INT, 5,
       "an uploaded PDF is read in a child process stopped after this much CPU time"),
    _s("MOTCUA_PDF_MAX_OBJECTS", INT, 100000, "a PDF whose trailer declares more objects is refused unread"),
    _s("MOTCUA_CLAMD", STR, "", "clamd to scan uploads: `host:port` or a Unix socket", shown="off"),
    _s("MOTCUA_CLAMD_TIMEOUT", INT, 30, "seconds to wait for clamd", minimum=1),
    _s("MOTCUA_MAX_FORM_TEMPLATE_BYTES", INT, 10 * 1024 * 1024, "the largest form template a procedure may carry",
       minimum=1),
    _s("MOTCUA_MAX_VIDEO_BYTES", INT, 100 * 1024 * 1024, "the largest guidance video a procedure may carry",
       minimum=1),
    _s("MOTCUA_PDF_FONT_DIRS", LIST, [], "more folders to look for the PDFs' fonts in, before the system's",
       sep=os.pathsep),
    _s("MOTCUA_ADDRESS_FILE", STR, "", "the national list of provinces and communes (docs/eforms.md)",
       shown="the shipped list"),
    # --- pages, caches, reports ---------------------------------------------------------------------
    _s("MOTCUA_PAGE_SIZE", INT, 20, "rows per page of the portal's lists"),
    _s("MOTCUA_TRACKING_CACHE_SECONDS", INT, None, "public tracking answers from the cache this long",
       shown="30 (3600 with Redis)"),
    _s("MOTCUA_TRANSPARENCY_CACHE_SECONDS", INT, 300, "the public statistics page is cached this long", minimum=1),
    _s("MOTCUA_WORKTIME_CACHE_SECONDS", INT, 0,
       "the cached working calendars are checked for changes after this long (0: every call)"),
    _s("MOTCUA_REPORTS_SUMMARY", BOOL, True, "reports read ended dossiers from their summary (§6); off: all live"),
    _s("MOTCUA_DOSSIER_CODE_PATTERN", STR, "{unit_code}-{date:%y%m%d}-{seq:04d}",
       "the pattern of new dossier codes (`unit_code`, `date`, `seq`)"),
    _s("MOTCUA_POSTAL_FEE_VND", INT, 25000, "the fee recorded when a citizen has the result posted"),
    _s("MOTCUA_KIOSK_IDLE_SECONDS", INT, 60, "a kiosk goes back to its start screen after this long idle"),
    _s("MOTCUA_KIOSK_LOOKUPS", INT, 30, "kiosk lookups per client address per window (0: no limit)"),
    _s("MOTCUA_KIOSK_WINDOW", INT, 60, "the kiosk's rate-limit window, seconds"),
    _s("MOTCUA_KIOSK_NETWORKS", LIST, [],
       "the kiosks' addresses or networks: lookups without the key only from there (empty: anywhere)"),
    _s("MOTCUA_FEEDBACK_LIMIT", INT, 5, "feedback submissions per client address per window"),
    _s("MOTCUA_FEEDBACK_WINDOW", INT, 3600, "the feedback form's rate-limit window, seconds"),
    # --- logs, jobs, housekeeping -------------------------------------------------------------
    _s("MOTCUA_LOG_FORMAT", STR, "plain", "`json`: one JSON object a line", choices=("plain", "json")),
    _s("MOTCUA_LOG_LEVEL", STR, "INFO", "the level of the root logger", setting=False,
       choices=("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")),
    _s("MOTCUA_ACCESS_LOG", BOOL, None, "a log line per request", shown="on with JSON logs"),
    _s("MOTCUA_JOBS_MODE", STR, "worker",
       "background jobs: `worker` (a separate process) or `inline` (after commit, demo only)",
       choices=("worker", "inline")),
    _s("MOTCUA_DRAFT_RETENTION_DAYS", INT, 180, "citizens' drafts not saved for this long are removed (§6)"),
    _s("MOTCUA_CODE_RETENTION_DAYS", INT, 7, "expired codes and API tokens are removed this long after (§6)"),
    _s("MOTCUA_JOB_RETENTION_DAYS", INT, 30, "background jobs done this long ago are removed (§6)"),
    # --- `serve` ------------------------------------------------------------------------------------
    _s("MOTCUA_HOST", STR, "127.0.0.1", "`serve`: the address to listen on"),
    _s("MOTCUA_PORT", INT, 8000, "`serve`: the port to listen on"),
    _s("MOTCUA_WEB_WORKERS", INT, 2, "`serve`: web processes (usually the number of CPU cores)"),
    _s("MOTCUA_WEB_THREADS", INT, 4, "`serve`: threads per web process"),
    _s("MOTCUA_SERVER_LOG_LEVEL", STR, "warning", "`serve`: granian's log level",
       choices=("critical", "error", "warning", "warn", "info", "debug", "notset")),
    _s("MOTCUA_EMBEDDED_WORKER", BOOL, True, "`serve` runs the job worker beside the web server"),
    # --- e-mail ---------------------------------------------------------------------------------
    _s("MOTCUA_EMAIL_HOST", STR, "", "the SMTP server; unset: e-mails are written to `data/mail`", setting=False),
    _s("MOTCUA_EMAIL_PORT", INT, 587, "the SMTP port", setting=False),
    _s("MOTCUA_EMAIL_USER", STR, "", "the SMTP user", setting=False),
    _s("MOTCUA_EMAIL_PASSWORD", STR, "", "the SMTP password", setting=False),
    _s("MOTCUA_EMAIL_TLS", BOOL, True, "STARTTLS to the SMTP server", setting=False),
    _s("MOTCUA_EMAIL_FROM", STR, "motcua@localhost", "the sender of e-mails", setting=False),
    _s("MOTCUA_EMAIL_TIMEOUT", INT, 30, "seconds to wait for the SMTP server", setting=False),
    # --- notifications (docs/notifications.md) ---------------------------------------------------
    _s("MOTCUA_SMS_URL", URL, "", "an HTTP SMS gateway", shown="SMS written to `data/sms`",
       doc="docs/notifications.md"),
    _s("MOTCUA_SMS_BACKEND", STR, None, "`file`, `console`, `locmem`, `http` or a dotted class path",
       shown="`http` with a URL, else `file`", doc="docs/notifications.md"),
    _s("MOTCUA_SMS_FILE_PATH", PATH, None, "the `file` backend's folder", shown="data folder/sms"),
    _s("MOTCUA_SMS_TOKEN", STR, "", "the gateway's token", doc="docs/notifications.md"),
    _s("MOTCUA_SMS_AUTH_HEADER", STR, "Authorization", "the header carrying the token"),
    _s("MOTCUA_SMS_AUTH_SCHEME", STR, "Bearer", "the word before the token (set empty: the bare token)",
       empty=True),
    _s("MOTCUA_SMS_FORMAT", STR, "json", "the request body", choices=("json", "form")),
    _s("MOTCUA_SMS_TO_FIELD", STR, "to", "the field of the phone number"),
    _s("MOTCUA_SMS_TEXT_FIELD", STR, "text", "the field of the text"),
    _s("MOTCUA_SMS_REFERENCE_FIELD", STR, "", "the field of our reference (empty: not sent)"),
    _s("MOTCUA_SMS_EXTRA", JSON, {}, "fixed fields, e.g. `{\"brandname\": \"CAMAU\"}`"),
    _s("MOTCUA_SMS_NUMBER_FORMAT", STR, "national", "phone numbers as `national` 09…, `international` 849…, "
       "`e164` +849…", choices=("national", "international", "e164")),
    _s("MOTCUA_SMS_TIMEOUT", INT, 10, "seconds to wait for the gateway"),
    _s("MOTCUA_SMS_ID_FIELD", STR, "id", "the dotted path of the message id in the gateway's answer"),
    _s("MOTCUA_SMS_SUCCESS_FIELD", STR, "", "a field of the answer that says success"),
    _s("MOTCUA_SMS_SUCCESS_VALUES", LIST, [], "the values of that field that mean success"),
    _s("MOTCUA_SMS_UNACCENT", BOOL, True, "SMS without Vietnamese accents (one message holds more)"),
    _s("MOTCUA_NOTIFY_MAX_ATTEMPTS", INT, 8, "tries of a message before it is given up"),
    _s("MOTCUA_NOTIFY_TEMPLATE_DIRS", LIST, [], "folders of message templates that replace the shipped ones"),
    _s("MOTCUA_WARNING_HOUR", INT, 7, "deadline warnings are sent from this hour (local time) of a working day"),
    # --- accounts (docs/accounts.md) --------------------------------------------------------------
    _s("MOTCUA_ACCOUNTS_USE_NOTIFY", BOOL, True, "verification codes go through the notification queue "
       "(off: e-mail by Django directly)"),
    _s("MOTCUA_CODE_TTL_SECONDS", INT, 600, "a verification code is valid this long"),
    _s("MOTCUA_CODE_MAX_ATTEMPTS", INT, 5, "tries of one verification code"),
    _s("MOTCUA_CODE_RESEND_SECONDS", INT, 60, "a new code after this long at most"),
    _s("MOTCUA_CODE_SENDS_PER_HOUR", INT, 5, "codes an hour to one phone or e-mail address"),
    _s("MOTCUA_CODE_SENDS_PER_DAY", INT, 10, "codes a day to one phone or e-mail address"),
    _s("MOTCUA_CODE_SENDS_PER_IP_HOUR", INT, 30, "codes an hour from one client address"),
    _s("MOTCUA_CODE_FAILURES_PER_IP", INT, 30, "wrong codes from one client address in 15 minutes"),
    _s("MOTCUA_SIGNIN_FAILURES", INT, 10, "failed sign-ins per identifier (and account) in the window"),
    _s("MOTCUA_SIGNIN_FAILURES_PER_IP", INT, 50, "failed sign-ins per client address in the window"),
    _s("MOTCUA_SIGNIN_WINDOW_SECONDS", INT, 900, "the sign-in window"),
    _s("MOTCUA_SIGNUPS_PER_IP_HOUR", INT, 20, "sign-ups an hour from one client address"),
    _s("MOTCUA_API_TOKEN_DAYS", INT, 30, "API tokens expire after this many days", minimum=1),
    _s("MOTCUA_TRACK_FAILURES_PER_IP", INT, 30, "tracking lookups that found nothing, per client address "
       "in the window"),
    _s("MOTCUA_TRACK_FAILURES_PER_CODE", INT, 50, "tracking lookups that found nothing, per code an hour"),
    _s("MOTCUA_TRACK_WINDOW_SECONDS", INT, 900, "the tracking lookups' window"),
    _s("MOTCUA_SUBMIT_DRAFT_PER_HOUR", INT, 20, "draft saves an hour by one citizen"),
    _s("MOTCUA_SUBMIT_UPLOAD_PER_HOUR", INT, 300, "uploads an hour by one citizen"),
    _s("MOTCUA_SUBMIT_SUBMIT_PER_HOUR", INT, 20, "submissions an hour by one citizen"),
    _s("MOTCUA_OIDC_ISSUER", URL, "", "national identity sign-in (VNeID): the provider", shown="off",
       schemes=("https", "http"), doc="docs/accounts.md"),
    _s("MOTCUA_OIDC_CLIENT_ID", STR, "", "OIDC: our client id"),
    _s("MOTCUA_OIDC_CLIENT_SECRET", STR, "", "OIDC: our client secret"),
    _s("MOTCUA_OIDC_SCOPES", LIST, ["openid", "profile"], "OIDC: the scopes asked for"),
    _s("MOTCUA_OIDC_LABEL", STR, "", "OIDC: the sign-in button's text", shown="Vietnamese default"),
    _s("MOTCUA_OIDC_TOKEN_AUTH", STR, "client_secret_basic", "OIDC: how the token endpoint is authenticated",
       choices=("client_secret_basic", "client_secret_post")),
    _s("MOTCUA_OIDC_REDIRECT_URI", URL, "", "OIDC: the callback registered with the provider",
       shown="from MOTCUA_PUBLIC_URL"),
    _s("MOTCUA_OIDC_USE_USERINFO", BOOL, True, "OIDC: also read the userinfo endpoint"),
    _s("MOTCUA_OIDC_ALGORITHMS", LIST, ["RS256", "PS256", "ES256"], "OIDC: the ID token signatures accepted"),
    _s("MOTCUA_OIDC_TIMEOUT", INT, 10, "OIDC: seconds to wait for the provider", minimum=1),
    *(
        _s(f"MOTCUA_OIDC_CLAIM_{key.upper()}", STR, claim, f"OIDC: the claim of the {key.replace('_', ' ')}",
           setting=False)
        for key, claim in OIDC_CLAIM_DEFAULTS.items()
    ),
    # --- payments (docs/payments.md) -------------------------------------------------------------
    _s("MOTCUA_PAYMENT_PROVIDER", STR, "sandbox", "`sandbox` (test gateway, no real money) or `vnpay`",
       doc="docs/payments.md"),
    _s("MOTCUA_PAYMENT_EXTRA_PROVIDERS", JSON, {}, "more providers: `{\"name\": \"dotted.path.Class\"}`"),
    _s("MOTCUA_PAYMENT_TMN_CODE", STR, "MOTCUA01", "the terminal code issued by the gateway"),
    _s("MOTCUA_PAYMENT_HASH_SECRET", STR, "", "the secret issued by the gateway (required for vnpay)",
       shown="sandbox: derived from the secret key"),
    _s("MOTCUA_PAYMENT_GATEWAY_URL", URL, "https://sandbox.vnpayment.vn/paymentv2/vpcpay.html",
       "VNPay's payment page", shown="VNPay's sandbox"),
    _s("MOTCUA_PAYMENT_QUERY_URL", URL, "https://sandbox.vnpayment.vn/merchant_webapi/api/transaction",
       "VNPay's query and refund API", shown="VNPay's sandbox"),
    _s("MOTCUA_PAYMENT_SANDBOX_GATEWAY", BOOL, None, "the built-in sandbox gateway's pages (they sign with the "
       "secret)", shown="on with the sandbox provider"),
    _s("MOTCUA_PAYMENT_SANDBOX_IPN_URL", URL, "", "where the sandbox sends its IPN (empty: in-process)"),
    _s("MOTCUA_PAYMENT_TIMEOUT_MINUTES", INT, 15, "a payment not made within this long is past its deadline"),
    _s("MOTCUA_PAYMENT_REQUERY_AFTER_MINUTES", INT, 5, "pending payments are asked about after this long"),
    _s("MOTCUA_PAYMENT_EXPIRE_GRACE_MINUTES", INT, 15, "unpaid ones expire this long after the deadline"),
    _s("MOTCUA_PAYMENT_GIVE_UP_HOURS", INT, 24, "or this long after, even with the gateway unreachable"),
    _s("MOTCUA_PAYMENT_IPN_ALLOWED_IPS", LIST, [], "the gateway's IPN addresses (empty: any; signed anyway)"),
    _s("MOTCUA_PAYMENT_SERVER_IP", STR, "127.0.0.1", "our address, sent in query requests"),
    _s("MOTCUA_PAYMENT_ORDER_TYPE", STR, "other", "VNPay's order type"),
    _s("MOTCUA_PAYMENT_HTTP_TIMEOUT", INT, 15, "seconds to wait for the gateway's API"),
    # Level 4, fee due at submission: the province's defaults; each agency may set its own (docs/payments.md).
    _s("MOTCUA_FEE_DEADLINE_WORKING_HOURS", INT, 16, "working hours after online submission to pay the fee "
       "due at submission", minimum=1),
    _s("MOTCUA_FEE_REMINDER_WORKING_HOURS", INT, 4, "remind the applicant this many working hours before "
       "that deadline (0: no reminder)", minimum=0),
    _s("MOTCUA_FEE_EXPIRY_ACTION", STR, "counter", "when it passes unpaid: `counter` flags it for the "
       "one-stop counter, `refuse` refuses it automatically", choices=("counter", "refuse")),
    # --- signed results (docs/signing.md) -----------------------------------------------------
    _s("MOTCUA_SIGNING_CERT_DIR", PATH, None, "agencies' certificate files and the development CA",
       shown="data folder/certs", doc="docs/signing.md"),
    _s("MOTCUA_SIGNING_TRUST_ROOTS", LIST, [], "CA certificates the verify page trusts (PEM or DER files)"),
    _s("MOTCUA_SIGNING_TRUST_DEV_CA", BOOL, True, "trust this installation's development CA (off in production)"),
    _s("MOTCUA_SIGNING_FETCH_REVOCATION", BOOL, False, "fetch CRLs/OCSP while verifying (needs network)"),
    _s("MOTCUA_SIGNING_VISIBLE", BOOL, True, "a visible stamp on the first page (off: invisible)"),
    _s("MOTCUA_SIGNING_REASON", STR, "Kết quả giải quyết TTHC", "the reason written in signatures"),
    # --- national portal sync, webhooks (docs/integration.md) ----------------------------------
    _s("MOTCUA_SYNC_URL", URL, "", "national portal (DVCQG) dossier sync", shown="off",
       doc="docs/integration.md"),
    _s("MOTCUA_SYNC_AUTH", STR, "none", "how sync authenticates", choices=("none", "bearer", "basic")),
    _s("MOTCUA_SYNC_TOKEN", STR, "", "sync: the bearer token"),
    _s("MOTCUA_SYNC_USERNAME", STR, "", "sync: the basic user"),
    _s("MOTCUA_SYNC_PASSWORD", STR, "", "sync: the basic password"),
    _s("MOTCUA_SYNC_TIMEOUT", INT, 5, "sync: seconds to wait"),
    _s("MOTCUA_SYNC_MAX_ATTEMPTS", INT, 10, "sync: tries of a message", minimum=1),
    _s("MOTCUA_WEBHOOK_ALLOW_HTTP", BOOL, False, "webhooks may target plain http"),
    _s("MOTCUA_WEBHOOK_ALLOW_PRIVATE", BOOL, False, "webhooks may target loopback and private addresses"),
    _s("MOTCUA_WEBHOOK_TIMEOUT", INT, 5, "webhooks: seconds to wait"),
    _s("MOTCUA_WEBHOOK_MAX_ATTEMPTS", INT, 8, "webhooks: tries of a delivery", minimum=1),
)

BY_NAME: dict[str, Setting] = {s.name: s for s in SETTINGS}

# Django settings that settings.py works out from the variables above (for the registry's tests).
DERIVED = {
    "MOTCUA_MAX_UPLOAD_BYTES": "MOTCUA_MAX_UPLOAD_MB",
    "MOTCUA_MAX_IMAGE_PIXELS": "MOTCUA_MAX_IMAGE_MEGAPIXELS",
    "MOTCUA_STAFF_SESSION_SECONDS": "MOTCUA_STAFF_SESSION_HOURS",
    "MOTCUA_OIDC_CLAIMS": "MOTCUA_OIDC_CLAIM_*",
}


def _raw(name: str, environ: Mapping[str, str]) -> str:
    path = environ.get(f"{name}_FILE")
    if path:
        return Path(path).read_text().strip()
    return environ.get(name, "")


def parse(setting: Setting, raw: str) -> Any:
    """The value of `raw` (not empty) as `setting` declares it; ImproperlyConfigured naming it if it does not fit."""
    name, value = setting.name, raw.strip()
    if setting.kind == BOOL:
        if value.lower() in TRUE:
            return True
        if value.lower() in FALSE:
            return False
        raise ImproperlyConfigured(f"{name}={raw!r}: a boolean is one of {', '.join(TRUE + FALSE)}.")
    if setting.kind == INT:
        try:
            number = int(value)
        except ValueError:
            raise ImproperlyConfigured(f"{name}={raw!r} is not a whole number.") from None
        if setting.minimum is not None and number < setting.minimum:
            raise ImproperlyConfigured(f"{name}={raw!r}: it must be at least {setting.minimum}.")
        return number
    if setting.kind == LIST:
        return [item.strip() for item in value.split(setting.sep) if item.strip()]
    if setting.kind == JSON:
        try:
            data = json.loads(value)
        except ValueError:
            data = None
        if not isinstance(data, dict):
            raise ImproperlyConfigured(f"{name}: {raw!r} is not a JSON object.")
        return data
    if setting.kind == URL:
        problem = url_problem(setting, value)
        if problem:
            raise ImproperlyConfigured(problem)
    if setting.choices:
        chosen = next((c for c in setting.choices if c.lower() == value.lower()), None)
        if chosen is None:
            raise ImproperlyConfigured(f"{name}={raw!r}: it must be one of {', '.join(setting.choices)}.")
        return chosen
    return value


def url_problem(setting: Setting, value: str) -> str:
    """Why `value` is not a URL `setting` accepts ("" when it is, or when it is empty)."""
    if not value:
        return ""
    parts = urlsplit(value)
    if parts.scheme not in setting.schemes or not (parts.netloc or parts.scheme in ("sqlite", "unix")):
        return f"{setting.name}={value!r}: not a URL of the kind {', '.join(s + '://' for s in setting.schemes)}."
    return ""


def read(environ: Mapping[str, str] | None = None) -> dict[str, Any]:
    """Every declared variable's value from the environment (or its default), checked."""
    environ = os.environ if environ is None else environ
    values = {}
    for setting in SETTINGS:
        raw = _raw(setting.name, environ)
        if raw.strip():
            values[setting.name] = parse(setting, raw)
        elif setting.empty and (setting.name in environ or f"{setting.name}_FILE" in environ):
            values[setting.name] = ""
        else:
            values[setting.name] = _copy(setting.default)
    return values


def default(name: str) -> Any:
    """The declared default of `name` (a fresh copy of a list or dict)."""
    return _copy(BY_NAME[name].default)


def _copy(default: Any) -> Any:
    return type(default)(default) if isinstance(default, list | dict) else default


def django_settings(values: Mapping[str, Any]) -> dict[str, Any]:
    """The variables that are Django settings of their own name (settings.py completes the others)."""
    return {s.name: values[s.name] for s in SETTINGS if s.setting}


# --- the settings table of docs/operations.md ------------------------------------------------------------

TABLE_START = "<!-- settings table: written by `python -m motcua settings_table --write`; do not edit -->"
TABLE_END = "<!-- end of settings table -->"


def shown_default(setting: Setting) -> str:
    """The default as the table shows it: a described one as it is, a value in backticks."""
    if setting.shown:
        return setting.shown
    value = setting.default
    if value in ("", [], {}):
        return "empty"
    if setting.kind == BOOL:
        text = "1" if value else "0"
    elif isinstance(value, list):
        text = setting.sep.join(value)
    elif isinstance(value, dict):
        text = json.dumps(value)
    else:
        text = str(value)
    return f"`{text}`"


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def table() -> str:
    """The Markdown table of every setting, in the registry's order."""
    lines = ["| Variable | Type | Default | Meaning |", "|---|---|---|---|"]
    for s in SETTINGS:
        kind = " / ".join(f"`{c}`" for c in s.choices) if s.choices else s.kind
        if s.kind == LIST and s.sep != ",":
            kind += f", `{s.sep}`-separated"
        default = shown_default(s)
        meaning = s.help + (f" ({s.doc})" if s.doc else "")
        lines.append(f"| `{s.name}` | {_cell(kind)} | {_cell(default)} | {_cell(meaning)} |")
    return "\n".join(lines) + "\n"


def with_table(document: str) -> str:
    """`document` with the text between the table's markers replaced by the current table."""
    start, end = document.find(TABLE_START), document.find(TABLE_END)
    if start < 0 or end < start:
        raise ValueError("the settings table's markers are missing")
    return document[: start + len(TABLE_START)] + "\n\n" + table() + "\n" + document[end:]
