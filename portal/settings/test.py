from .base import *  # noqa: F403
from .base import CACHES
from .env import env_str

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# Tests use their own Redis database number so they never touch a developer's data.
REDIS_URL = env_str("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
CACHES["default"]["LOCATION"] = REDIS_URL
CELERY_BROKER_URL = REDIS_URL
CELERY_RESULT_BACKEND = REDIS_URL
CLC_RETRY_BACKOFF = 0.01
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# The API throttles count per token, person and address in the shared Redis, across tests: generous
# here; the throttle tests set their own rates.
API_THROTTLE_TOKEN = API_THROTTLE_PERSON = API_THROTTLE_ANONYMOUS = "100000/minute"
# The portal's address as the cloud would reach it (apps.webhooks builds its receiver's URL from it).
PORTAL_PUBLIC_URL = env_str("PORTAL_PUBLIC_URL", "http://testserver")
# Closed after each use: no connection outlives a test (the test database is dropped at the end).
WEBHOOK_DB_KEEP_SECONDS = float(env_str("WEBHOOK_DB_KEEP_SECONDS", "0"))
# The dashboard: no read ahead at sign-in (tests count each page's upstream calls), and the page
# waits for its figures (the progressive fill has tests of its own that set these).
INVENTORY_WARMUP_AT_SIGNIN = False
INVENTORY_DASHBOARD_WAIT_SECONDS = 120.0
