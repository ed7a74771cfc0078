"""Where a webhook may go, and the one way a webhook is sent.

A person's webhook URL is a request the portal makes from inside its own network, so it must not
reach that network: ``check(url)`` refuses URLs with a user name or password, schemes other than
http(s), and hosts that are (or resolve to) loopback, link-local, private, shared, multicast,
reserved or unspecified addresses — including IPv4 hidden in IPv6 (``::ffff:127.0.0.1``, 6to4,
Teredo, NAT64). ``post_json(url, payload, headers, timeout)`` checks again when sending, resolves
the name ONCE and connects to the address it checked (the ``Host`` header and, for https, SNI and
the certificate check keep the name), so DNS cannot switch the address in between. No redirects.

``NOTIFICATIONS_WEBHOOK_ALLOW_PRIVATE`` (off; refused by the production profile) lets tests and
trials deliver to a local receiver; credentials in URLs stay refused.
"""

import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

import certifi
import urllib3
from django.conf import settings

NOT_PUBLIC = "The URL's host is not a public address; webhooks go to public receivers only."
CREDENTIALS = "Put no user name or password in the URL (use a secret path or query instead)."
SCHEME = "Use an http:// or https:// URL."
UNREADABLE = "This URL cannot be read."
CONNECT_FAILED = "Could not connect to the receiver."
TIMED_OUT = "The receiver did not answer in time."
UNRESOLVED = "The receiver's host name could not be resolved."
CA_BUNDLE = certifi.where()
NAT64 = ipaddress.ip_network("64:ff9b::/96")


class Refused(Exception):
    """The URL may not be used (``message`` says why, in the person's words)."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class Unresolved(Exception):
    """The host name has no address right now (DNS may come back: worth a retry)."""


class SendFailed(Exception):
    """No HTTP answer (connection failed or timed out): ``message`` is generic on purpose."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Target:
    scheme: str
    host: str  # as written (lower case, no brackets)
    port: int
    path: str  # path and query
    address: str  # the checked address the connection goes to

    @property
    def host_header(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        default = 443 if self.scheme == "https" else 80
        return host if self.port == default else f"{host}:{self.port}"


def _embedded_ipv4(ip: ipaddress.IPv6Address) -> list[ipaddress.IPv4Address]:
    found = [ip.ipv4_mapped, ip.sixtofour, ip.teredo[1] if ip.teredo else None]
    if ip in NAT64:
        found.append(ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF))
    return [v4 for v4 in found if v4 is not None]


def is_public(address: str) -> bool:
    """True for a global unicast address (and any IPv4 it carries) that is none of the above."""
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return False
    candidates = [ip] + (_embedded_ipv4(ip) if ip.version == 6 else [])
    return all(
        c.is_global
        and not (
            c.is_private
            or c.is_loopback
            or c.is_link_local
            or c.is_multicast
            or c.is_reserved
            or c.is_unspecified
        )
        for c in candidates
    )


def allow_private() -> bool:
    return bool(getattr(settings, "NOTIFICATIONS_WEBHOOK_ALLOW_PRIVATE", False))


def _parse(url: str) -> tuple[str, str, int, str]:
    try:
        parts = urlsplit((url or "").strip())
        port = parts.port
    except ValueError:
        raise Refused(UNREADABLE) from None
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        raise Refused(SCHEME)
    if parts.username is not None or parts.password is not None or "@" in parts.netloc:
        raise Refused(CREDENTIALS)
    host = (parts.hostname or "").rstrip(".").lower()
    if not host:
        raise Refused(UNREADABLE)
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return scheme, host, port or (443 if scheme == "https" else 80), path


def _resolve(host: str, port: int) -> list[str]:
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError, OSError):
        raise Unresolved(host) from None
    addresses = []
    for _family, _type, _proto, _name, sockaddr in infos:
        if sockaddr[0] not in addresses:
            addresses.append(sockaddr[0])
    if not addresses:
        raise Unresolved(host)
    return addresses


def resolve(url: str) -> Target:
    """The checked target of ``url``. Raises ``Refused`` or ``Unresolved``."""
    scheme, host, port, path = _parse(url)
    if host == "localhost" or host.endswith(".localhost"):
        raise Refused(NOT_PUBLIC)
    addresses = _resolve(host, port)
    # Every address the name has must be public: one bad answer refuses the name.
    if not allow_private() and not all(is_public(a) for a in addresses):
        raise Refused(NOT_PUBLIC)
    return Target(scheme, host, port, path, addresses[0])


def check(url: str) -> None:
    """For the form: ``Refused`` when the URL may not be used. A name that does not resolve now is
    accepted (it is checked again, and resolved, when a notification is sent)."""
    try:
        resolve(url)
    except Unresolved:
        pass


def post_json(url: str, body: bytes, headers: dict, timeout: tuple[float, float]) -> int:
    """POST ``body`` to the checked address of ``url``; the receiver's status code.

    Raises ``Refused`` (never sent), ``Unresolved``, or ``SendFailed`` (no answer)."""
    target = resolve(url)
    connect, read = timeout
    pool_options = {
        "timeout": urllib3.Timeout(connect=connect, read=read),
        "retries": False,
        "maxsize": 1,
    }
    if target.scheme == "https":
        pool = urllib3.HTTPSConnectionPool(
            target.address,
            target.port,
            server_hostname=target.host,
            assert_hostname=target.host,
            cert_reqs="CERT_REQUIRED",
            ca_certs=CA_BUNDLE,
            **pool_options,
        )
    else:
        pool = urllib3.HTTPConnectionPool(target.address, target.port, **pool_options)
    try:
        response = pool.urlopen(
            "POST",
            target.path,
            body=body,
            headers={**headers, "Host": target.host_header},
            redirect=False,
            preload_content=False,
            assert_same_host=False,
        )
        status = response.status
        response.release_conn()
        return status
    except urllib3.exceptions.NewConnectionError:  # (a subclass of ConnectTimeoutError)
        raise SendFailed(CONNECT_FAILED) from None
    except urllib3.exceptions.TimeoutError:
        raise SendFailed(TIMED_OUT) from None
    except (urllib3.exceptions.HTTPError, OSError):
        raise SendFailed(CONNECT_FAILED) from None
    finally:
        pool.close()
