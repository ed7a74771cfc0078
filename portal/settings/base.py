"""Settings shared by every profile. Values that vary by machine come from the environment."""

from pathlib import Path

from .env import env_bool, env_database, env_float, env_int, env_list, env_networks, env_rate, env_str

BASE_DIR = Path(__file__).resolve().parent.parent.parent

SECRET_KEY = env_str("SECRET_KEY", "dev-insecure-secret-key-change-me-in-production-0123456789")
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",  # Swagger UI for /api/v1/docs/, served from the package
    "apps.clc",
    "apps.accounts",
    "apps.inventory",
    "apps.activities",
    "apps.api",
    "apps.tokens",
    "apps.audit",
    "apps.notifications",
    "apps.actions",
    "apps.recipes",
    "apps.balancers",
    "apps.monitoring",
    "apps.billing",
    "apps.networks",
    "apps.policies",
    "apps.webhooks",
    "apps.simulator",
]

MIDDLEWARE = [
    "apps.clc.middleware.ServerTimingMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "portal.nul_guard.RefuseNulCharacterMiddleware",  # "%00" in the address: a 400 that says so
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Database or Redis down (restarting): a 503 "temporarily unavailable", never a 500.
    "apps.accounts.unavailable.ServiceUnavailableMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "apps.accounts.middleware.CloudSessionMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "portal.csp.ContentSecurityPolicyMiddleware",
]

# Content-Security-Policy of every response (portal.csp): this, plus what a view adds with
# @csp_allow(...) (the API docs page: Swagger UI's inline styles and data: images).
CONTENT_SECURITY_POLICY = {
    "default-src": ["'self'"],
    "base-uri": ["'self'"],
    "form-action": ["'self'"],
    "frame-ancestors": ["'none'"],
    "object-src": ["'none'"],
}

# The addresses of the reverse proxies in front of the portal (comma-separated IPs or CIDRs). Only
# a request coming from one of them has its X-Forwarded-For read (portal.client_address); by
# default none: the client is the peer of the connection. The sign-in throttle, the API's anonymous
# throttle and the audit log all take the address from there.
TRUSTED_PROXIES = env_networks("TRUSTED_PROXIES")

# Request bodies: forms and JSON alike stop at 2.5 MB (a JSON body beyond it is refused with 413).
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("DATA_UPLOAD_MAX_MEMORY_SIZE", 2_621_440)
# At most this many servers in one bulk action (apps.actions.server_actions); the bulk form sends
# that many ids plus a few fields of its own (Django's default of 1,000 fields refused it with a
# bare 400), so the form field limit follows it.
ACTIONS_MAX_BULK = env_int("ACTIONS_MAX_BULK", 2_000)
DATA_UPLOAD_MAX_NUMBER_FIELDS = max(env_int("DATA_UPLOAD_MAX_NUMBER_FIELDS", 0), ACTIONS_MAX_BULK + 100)

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"
ASGI_APPLICATION = "portal.asgi.application"

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

# Empty counts as unset; an unreadable URL stops every service with one line naming the variable.
DATABASES = {
    "default": env_database(
        "DATABASE_URL",
        f"sqlite:///{BASE_DIR / 'var' / 'portal.sqlite3'}",
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 0),
    )
}
# A connection kept across requests (DATABASE_CONN_MAX_AGE) is checked before reuse: after a
# database restart the web server and the worker reconnect by themselves.
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if "postgresql" in DATABASES["default"].get("ENGINE", ""):
    # A database that does not answer is an error within seconds, not a hung page.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault(
        "connect_timeout", env_int("DATABASE_CONNECT_TIMEOUT", 5)
    )
if DATABASES["default"].get("ENGINE") == "django.db.backends.sqlite3":
    # The quick start's SQLite is written by the web server, the worker's threads and beat at once:
    # WAL lets readers and a writer work together; BEGIN IMMEDIATE takes the write lock up front (a
    # read that turns into a write can't deadlock and fail at once with "database is locked"); a
    # writer waits up to 30 s for the lock instead of failing.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "timeout": env_int("SQLITE_TIMEOUT", 30),
            "transaction_mode": "IMMEDIATE",
            "init_command": "PRAGMA journal_mode=WAL;PRAGMA synchronous=NORMAL",
        }
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env_str("REDIS_URL", "redis://127.0.0.1:6379/0")
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": env_str("CACHE_KEY_PREFIX", "portal"),
        "TIMEOUT": 300,
    }
}

SESSION_ENGINE = "apps.accounts.sessions"  # database sessions; an outage at save is a 503
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
# Idle timeout; the session never outlives the cloud token (see apps.accounts).
SESSION_IDLE_SECONDS = env_int("SESSION_IDLE_SECONDS", 8 * 3600)
SESSION_COOKIE_AGE = SESSION_IDLE_SECONDS
SESSION_SAVE_EVERY_REQUEST = True

AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "login"  # URL names (resolve_url)
LOGIN_REDIRECT_URL = "dashboard"

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = False
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]

# --- The upstream CLC API -------------------------------------------------------------------
CLC_API_URL = env_str("CLC_API_URL", "http://127.0.0.1:8100").rstrip("/")
CLC_CONNECT_TIMEOUT = env_float("CLC_CONNECT_TIMEOUT", 3.05)
CLC_READ_TIMEOUT = env_float("CLC_READ_TIMEOUT", 30.0)
CLC_GET_RETRIES = env_int("CLC_GET_RETRIES", 2)
CLC_RETRY_BACKOFF = env_float("CLC_RETRY_BACKOFF", 0.2)
CLC_FANOUT_WORKERS = env_int("CLC_FANOUT_WORKERS", 16)
CLC_CACHE_SECONDS = env_int("CLC_CACHE_SECONDS", 30)
# While the account's webhooks are connected the cloud tells the portal what changed, so inventory
# stays cached this long (apps.inventory.cache); CLC_CACHE_SECONDS where they are not.
CLC_CACHE_WEBHOOK_SECONDS = env_int("CLC_CACHE_WEBHOOK_SECONDS", 300)
# The dashboard is read ahead at sign-in; its page waits this long for the figures, then shows each
# data center as a placeholder its script fills in (apps.inventory.warmup).
INVENTORY_WARMUP_AT_SIGNIN = env_bool("INVENTORY_WARMUP_AT_SIGNIN", True)
INVENTORY_DASHBOARD_WAIT_SECONDS = env_float("INVENTORY_DASHBOARD_WAIT_SECONDS", 0.15)

# Token encryption keys: comma-separated Fernet keys, newest first. Old keys still decrypt, so a
# key can be rotated without signing anyone out. Derived from SECRET_KEY when unset (development).
TOKEN_ENCRYPTION_KEYS = env_list("TOKEN_ENCRYPTION_KEYS", [])

LOGIN_THROTTLE_ATTEMPTS = env_int("LOGIN_THROTTLE_ATTEMPTS", 5)
LOGIN_THROTTLE_WINDOW = env_int("LOGIN_THROTTLE_WINDOW", 300)

# --- Celery ---------------------------------------------------------------------------------
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL", REDIS_URL)
CELERY_RESULT_BACKEND = env_str("CELERY_RESULT_BACKEND", REDIS_URL)
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_IGNORE_RESULT = True
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TIMEZONE = "UTC"
# The queue every task goes to and the worker reads (-Q): the quick start gives each run its own, so
# a worker left from another run on the same Redis never takes this run's tasks.
CELERY_TASK_DEFAULT_QUEUE = env_str("CELERY_QUEUE", "celery")

# --- REST framework -------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "apps.tokens.authentication.PersonalTokenAuthentication",  # first: its 401 + WWW-Authenticate
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    # One error shape under /api/v1/: {"message": ...} plus fields (apps/accounts/api_errors.py).
    "EXCEPTION_HANDLER": "apps.accounts.api_errors.exception_handler",
    # JSON only: no browsable API (the documentation is /api/v1/docs/); error texts clipped.
    "DEFAULT_RENDERER_CLASSES": ["apps.api.renderers.ClippedErrorsJSONRenderer"],
    "DEFAULT_PARSER_CLASSES": [
        "apps.api.parsers.LimitedJSONParser",  # size cap, no RecursionError
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_THROTTLE_CLASSES": [
        "apps.api.throttling.PersonalTokenThrottle",
        "apps.api.throttling.PersonThrottle",
        "apps.api.throttling.AnonymousThrottle",
    ],
}
# Rates of the API throttles (apps.api.throttling; "<n>/<second|minute|hour|day>", "off": no limit):
# per personal token, per person (every token and the browser session together) and per client
# address for anonymous calls (the schema). Over the rate: 429 with Retry-After.
API_THROTTLE_TOKEN = env_rate("API_THROTTLE_TOKEN", "120/minute")
API_THROTTLE_PERSON = env_rate("API_THROTTLE_PERSON", "240/minute")
API_THROTTLE_ANONYMOUS = env_rate("API_THROTTLE_ANONYMOUS", "60/minute")
SPECTACULAR_SETTINGS = {
    "TITLE": "CLC Portal API",
    "DESCRIPTION": "Self-service API of the portal: inventory, operations and activities.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # /api/v1/docs/ (apps/api/docs.py) loads Swagger UI from the drf-spectacular-sidecar package's static
    # files; these keep drf-spectacular's own views, should one be mounted, off its default CDN too.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "ENUM_NAME_OVERRIDES": {
        "ServerOperationEnum": "apps.clc.operations.POWER_OPERATIONS",
        "GroupOperationEnum": "apps.actions.api_operations.GROUP_OPERATIONS",
    },
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "apps.api.throttling.document_throttling",  # 429 + Retry-After on every operation
    ],
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"redact_tokens": {"()": "apps.clc.redaction.RedactTokensFilter"}},
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["redact_tokens"],
        }
    },
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
}

# --- Audit log and notifications (apps.audit, apps.notifications) ---------------------------
AUDIT_RETENTION_DAYS = env_int("AUDIT_RETENTION_DAYS", 365)
EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 10)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "CLC Portal <portal@localhost>")
# Delivery: a failed attempt is retried with exponential backoff (base, 2x base, 4x ...), at most
# NOTIFICATIONS_MAX_RETRIES times; then the delivery is marked failed (visible on /notifications/).
NOTIFICATIONS_MAX_RETRIES = env_int("NOTIFICATIONS_MAX_RETRIES", 5)
NOTIFICATIONS_RETRY_BASE_SECONDS = env_float("NOTIFICATIONS_RETRY_BASE_SECONDS", 30.0)
NOTIFICATIONS_WEBHOOK_TIMEOUT = env_float("NOTIFICATIONS_WEBHOOK_TIMEOUT", 10.0)
# Webhooks go to public addresses only (apps.notifications.webhook_targets). On: loopback and
# private receivers too, for tests and trials; the production profile refuses it.
NOTIFICATIONS_WEBHOOK_ALLOW_PRIVATE = env_bool("NOTIFICATIONS_WEBHOOK_ALLOW_PRIVATE", False)
# Absolute links in notifications (e.g. https://portal.example.com); relative when empty.
PORTAL_BASE_URL = env_str("PORTAL_BASE_URL", "").rstrip("/")

# --- Webhooks from the cloud (apps.webhooks) ------------------------------------------------
# Public keys that verify the Tier3-RsaSha1 signature of deliveries: comma-separated PEM texts or
# paths to PEM files, several during a key rotation. Default: CenturyLink's published key (the
# Webhooks FAQ); the quick start uses the simulator's.
CLC_WEBHOOK_PUBLIC_KEYS = env_list("CLC_WEBHOOK_PUBLIC_KEYS", [])
# The portal's address as the cloud reaches it (https://portal.example.com): the receiver's URL
# is built from it when the webhooks are set up.
PORTAL_PUBLIC_URL = env_str("PORTAL_PUBLIC_URL", PORTAL_BASE_URL).rstrip("/")
WEBHOOK_MAX_BODY_BYTES = env_int("WEBHOOK_MAX_BODY_BYTES", 256 * 1024)
WEBHOOK_RETENTION_DAYS = env_int("WEBHOOK_RETENTION_DAYS", 14)
# The receiver's database connections (on the event loop's threads) are kept this long (seconds).
WEBHOOK_DB_KEEP_SECONDS = env_float("WEBHOOK_DB_KEEP_SECONDS", 60.0)
