"""Bearer tokens encrypted at rest with authenticated encryption (Fernet: AES-128-CBC + HMAC-SHA256).

Keys come from ``settings.TOKEN_ENCRYPTION_KEYS`` (Fernet keys, newest first). The newest key
encrypts; every key decrypts, so a new key can be put in front without signing anyone out, and
``manage.py rotate_token_keys`` re-encrypts every stored token with it (then old keys can go).
A key derived from ``SECRET_KEY`` (HKDF-SHA256) is used when none is configured, and is kept as the
last decryption key so a deployment that starts configuring keys keeps its tokens readable.
"""

import base64
import functools

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

__all__ = ["InvalidToken", "decrypt_token", "encrypt_token", "rotate_ciphertext"]


def derived_key(secret_key: str) -> bytes:
    hkdf = HKDF(algorithm=hashes.SHA256(), length=32, salt=b"clc-portal", info=b"cloud token encryption")
    return base64.urlsafe_b64encode(hkdf.derive(secret_key.encode()))


@functools.lru_cache(maxsize=8)
def _fernet_for(keys: tuple[str, ...], secret_key: str) -> MultiFernet:
    fernets = []
    for key in keys:
        try:
            fernets.append(Fernet(key.strip().encode()))
        except (ValueError, TypeError):
            raise ImproperlyConfigured(
                "TOKEN_ENCRYPTION_KEYS holds a value that is not a Fernet key "
                "(generate one with: python -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())')"
            )
    fernets.append(Fernet(derived_key(secret_key)))
    return MultiFernet(fernets)


def fernet() -> MultiFernet:
    keys = tuple(k for k in (settings.TOKEN_ENCRYPTION_KEYS or ()) if k and k.strip())
    return _fernet_for(keys, settings.SECRET_KEY)


def encrypt_token(token: str) -> bytes:
    return fernet().encrypt(token.encode())


def decrypt_token(ciphertext: bytes | memoryview) -> str:
    """Raises ``InvalidToken`` when no configured key opens it (or it was tampered with)."""
    return fernet().decrypt(bytes(ciphertext)).decode()


def rotate_ciphertext(ciphertext: bytes | memoryview) -> bytes:
    """Re-encrypt with the newest key (raises ``InvalidToken`` if no key opens it)."""
    return fernet().rotate(bytes(ciphertext))
