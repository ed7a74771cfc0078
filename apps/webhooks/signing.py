"""Verifying the ``Tier3-RsaSha1`` header of a delivery against the configured public keys.

The header is the base64 of an RSA PKCS#1 v1.5 signature over the SHA-1 digest of the exact body
bytes (Webhooks FAQ; the documented listener verifies with node-rsa's ``sha1`` scheme). Keys come
from ``CLC_WEBHOOK_PUBLIC_KEYS``: PEM texts or paths to PEM files, several while a key is being
replaced (a delivery verified by any of them is accepted, and the page says which one). Without the
setting, CenturyLink's published key is used.
"""

import base64
import binascii
import functools
import hashlib
import logging
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

log = logging.getLogger(__name__)

HEADER = "Tier3-RsaSha1"
MAX_SIGNATURE_CHARS = 2048  # RSA-4096 in base64 is 684: anything longer is not a signature

# The key of the Webhooks FAQ ("verified with the following public key").
CENTURYLINK_KEY = """-----BEGIN PUBLIC KEY-----
MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAnmwsVLJ22Y8lmnk+1fI/
JKkm4bM1GvggI7DN10KIoPDgBbNcePZqcFayDdmVuq/jL9MFBrqFSfVszgdq8OWF
G9lEB5vP29K/N+0kRg5V2NDXddI5AOzx6jDjkNM/jjb45UXeDcPzMMdMOl/ds6uT
p6mbfG3U8dWqM/if7mzjEbbhYkBM3OuacEFk38Tkm49IJ4jHnC0p9qWO2iaxJqRc
08M2cJ+yKcFudCVKX8ANE6g6YKK+5aSabxfHX83Vjr4I0kpqo0cfP4aSW/CPDUZ7
yR4bFiy5Wv2de2V+FOGVBQF+/viSzrtrwQjUOJViuxEnifc06xuDF0QFta9anz4d
LQIDAQAB
-----END PUBLIC KEY-----
"""


@dataclass(frozen=True)
class PublicKey:
    key: rsa.RSAPublicKey
    fingerprint: str  # SHA-256 of the DER (SubjectPublicKeyInfo), hex
    source: str  # "CenturyLink (Webhooks FAQ)", a file path, or "setting #n"

    @property
    def short(self) -> str:
        return self.fingerprint[:16]


def _load(pem: str, source: str) -> PublicKey:
    try:
        key = serialization.load_pem_public_key(pem.strip().encode())
    except (ValueError, TypeError) as exc:
        raise ImproperlyConfigured(f"CLC_WEBHOOK_PUBLIC_KEYS: {source} is not a PEM public key ({exc}).")
    if not isinstance(key, rsa.RSAPublicKey):
        raise ImproperlyConfigured(f"CLC_WEBHOOK_PUBLIC_KEYS: {source} is not an RSA key.")
    der = key.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    return PublicKey(key, hashlib.sha256(der).hexdigest(), source)


@functools.lru_cache(maxsize=8)
def _keys_for(items: tuple[str, ...]) -> tuple[PublicKey, ...]:
    if not items:
        return (_load(CENTURYLINK_KEY, "CenturyLink (Webhooks FAQ)"),)
    keys = []
    for index, item in enumerate(items, start=1):
        if "BEGIN PUBLIC KEY" in item:
            keys.append(_load(item.replace("\\n", "\n"), f"setting #{index}"))
            continue
        path = Path(item).expanduser()
        try:
            keys.append(_load(path.read_text(), str(path)))
        except OSError as exc:
            raise ImproperlyConfigured(f"CLC_WEBHOOK_PUBLIC_KEYS: cannot read {path} ({exc.strerror}).")
    return tuple(keys)


def public_keys() -> tuple[PublicKey, ...]:
    items = tuple(
        str(i).strip() for i in getattr(settings, "CLC_WEBHOOK_PUBLIC_KEYS", None) or () if str(i).strip()
    )
    return _keys_for(items)


def verify(body: bytes, header: str) -> PublicKey | None:
    """The key whose signature ``header`` is over ``body``, or None (forged, altered, other key)."""
    header = (header or "").strip()
    if not header or len(header) > MAX_SIGNATURE_CHARS:
        return None
    try:
        signature = base64.b64decode(header, validate=True)
    except (binascii.Error, ValueError):
        return None
    for candidate in public_keys():
        try:
            candidate.key.verify(signature, body, padding.PKCS1v15(), hashes.SHA1())
        except InvalidSignature:
            continue
        return candidate
    return None
