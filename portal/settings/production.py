"""Production profile: passes ``manage.py check --deploy``, and refuses to start (one line naming the
variable, no traceback) without a real SECRET_KEY and TOKEN_ENCRYPTION_KEYS."""

from .base import *  # noqa: F403
from .base import NOTIFICATIONS_WEBHOOK_ALLOW_PRIVATE, SECRET_KEY, STATICFILES_DIRS, TOKEN_ENCRYPTION_KEYS
from .env import env_bool, env_int, refuse

DEBUG = False


def _weak_secret(secret: str) -> bool:
    """Django's own deployment check's rule (security.W009), made a refusal here."""
    return len(secret) < 50 or len(set(secret)) < 5 or secret.startswith(("dev-insecure", "django-insecure"))


def _not_a_fernet_key(key: str) -> bool:
    import base64
    import binascii

    try:
        return len(base64.urlsafe_b64decode(key.encode())) != 32
    except (binascii.Error, ValueError):
        return True


if _weak_secret(SECRET_KEY):
    refuse(
        "SECRET_KEY",
        "set a real secret for the production profile: 50+ random characters "
        "(python -c 'import secrets; print(secrets.token_urlsafe(50))').",
    )
if not TOKEN_ENCRYPTION_KEYS:
    refuse(
        "TOKEN_ENCRYPTION_KEYS",
        "set at least one Fernet key for the production profile "
        "(python -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())').",
    )
if any(_not_a_fernet_key(key) for key in TOKEN_ENCRYPTION_KEYS):
    refuse("TOKEN_ENCRYPTION_KEYS", "holds a value that is not a Fernet key (32 url-safe base64 bytes).")
if NOTIFICATIONS_WEBHOOK_ALLOW_PRIVATE:
    refuse(
        "NOTIFICATIONS_WEBHOOK_ALLOW_PRIVATE",
        "webhooks to loopback or private addresses are for tests; the production profile refuses them.",
    )

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
X_FRAME_OPTIONS = "DENY"
# A clean clone has no static/ until someone adds a file there (git keeps no empty folders).
STATICFILES_DIRS = [path for path in STATICFILES_DIRS if path.is_dir()]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
