"""The ``Tier3-RsaSha1`` signature of webhook deliveries.

The header is the base64 (standard alphabet, padded) of an RSA PKCS#1 v1.5 signature over the SHA-1
digest of the exact body bytes: what the documented Node.js listener verifies with
``new rsa(publicKey, 'pkcs8-public-pem', {signingScheme: 'sha1'}).verify(body, header, 'utf8',
'base64')``. The key is RSA-2048 (a recorded real signature is 256 bytes long).

The simulator cannot sign with CenturyLink's key, so it makes its own pair: once per process, on
first use (``/control/reset`` keeps it; it is never written to the state file). The public key is
served as a PEM ``PUBLIC KEY`` (SubjectPublicKeyInfo, as in the FAQ) at
``GET /control/webhooks/public-key``; ``POST /control/webhooks/rotate-key`` replaces the pair, and
every attempt made afterwards (retries included) is signed with the new key.
"""

import base64
import hashlib
import threading

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

HEADER = "Tier3-RsaSha1"
KEY_BITS = 2048


class SigningKeys:
    def __init__(self):
        self._lock = threading.Lock()
        self._private = None

    def _key(self):
        with self._lock:
            if self._private is None:
                self._generate()
            return self._private

    def _generate(self) -> None:
        self._private = rsa.generate_private_key(public_exponent=65537, key_size=KEY_BITS)

    def rotate(self) -> dict:
        with self._lock:
            self._generate()
        return self.describe()

    def sign(self, body: bytes) -> str:
        signature = self._key().sign(body, padding.PKCS1v15(), hashes.SHA1())
        return base64.b64encode(signature).decode("ascii")

    def public_pem(self) -> str:
        return (
            self._key()
            .public_key()
            .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
            .decode("ascii")
        )

    def describe(self) -> dict:
        pem = self.public_pem()
        der = base64.b64decode("".join(pem.strip().splitlines()[1:-1]))
        return {
            "header": HEADER,
            "algorithm": "RSA PKCS#1 v1.5 over SHA-1 of the body bytes, base64",
            "publicKey": pem,
            "fingerprint": hashlib.sha256(der).hexdigest(),
        }


KEYS = SigningKeys()
