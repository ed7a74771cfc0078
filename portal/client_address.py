"""The client's address, from one place: the sign-in throttle, the API's anonymous throttle and the
audit log all call ``client_address(request)``.

The peer of the connection (``REMOTE_ADDR``) is the client, unless it is one of
``settings.TRUSTED_PROXIES`` (IPs or CIDR networks; none by default). Then ``X-Forwarded-For`` is
read from the right: entries our own proxies appended are skipped, and the first address that is
not a trusted proxy is the client. Anything left of it was written by the client and is ignored,
so nobody picks their own address. The web server itself must not rewrite the address (uvicorn
runs with ``--no-proxy-headers``).
"""

import functools
import ipaddress

from django.conf import settings

__all__ = ["client_address", "parse_ip"]


def parse_ip(value: str):
    """An ``ip_address`` from ``1.2.3.4``, ``1.2.3.4:5678``, ``::1`` or ``[::1]:5678``; None if not one."""
    value = (value or "").strip()
    if value.startswith("[") and "]" in value:
        value = value[1 : value.index("]")]
    elif value.count(":") == 1:
        value = value.split(":", 1)[0]
    try:
        ip = ipaddress.ip_address(value)
    except ValueError:
        return None
    if ip.version == 6 and ip.ipv4_mapped:
        return ip.ipv4_mapped
    return ip


@functools.lru_cache(maxsize=8)
def _networks(configured: tuple[str, ...]):
    return tuple(ipaddress.ip_network(item, strict=False) for item in configured)


def _trusted(ip) -> bool:
    networks = _networks(tuple(getattr(settings, "TRUSTED_PROXIES", None) or ()))
    return any(ip.version == net.version and ip in net for net in networks)


def client_address(request) -> str | None:
    """The client's IP address as text, or None when the request has none readable."""
    if request is None:
        return None
    meta = getattr(request, "META", None) or {}
    peer = parse_ip(meta.get("REMOTE_ADDR", ""))
    if peer is None or not _trusted(peer):
        return str(peer) if peer is not None else None
    forwarded = [part for part in (meta.get("HTTP_X_FORWARDED_FOR") or "").split(",") if part.strip()]
    client = peer
    for part in reversed(forwarded):
        hop = parse_ip(part)
        if hop is None:
            break  # unreadable: the last address our proxies vouched for is all we know
        client = hop
        if not _trusted(hop):
            break
    return str(client)
