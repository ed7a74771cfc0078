"""Validation shared by the intra and cross data center firewall policy routes: CIDR blocks, port
specs (``any``, ``icmp``, ``tcp/80``, ``udp/1-600``), booleans sent as JSON or as text, accounts."""

import ipaddress
import re

from . import errors

_PORT = re.compile(r"^(tcp|udp)/(\d{1,5})(?:-(\d{1,5}))?$")
MAX_ENTRIES = 100


def cidr(value, name: str) -> str:
    """An IPv4 block in CIDR notation (host bits allowed, as firewalls take them); as sent."""
    text = value.strip() if isinstance(value, str) else None
    try:
        if not text or "/" not in text:
            raise ValueError
        ipaddress.IPv4Network(text, strict=False)
    except ValueError:
        raise errors.bad_request(f"{name}: '{value}' is not a valid CIDR block (e.g. 10.1.1.0/24).") from None
    return text


def cidr_list(value, name: str) -> list[str]:
    """A non-empty list of CIDR blocks (a single string is taken as a list of one)."""
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not value:
        raise errors.bad_request(f"{name} is required: a list of CIDR blocks.")
    if len(value) > MAX_ENTRIES:
        raise errors.bad_request(f"{name} may hold at most {MAX_ENTRIES} CIDR blocks.")
    return [cidr(item, name) for item in value]


def port_spec(value) -> str:
    text = value.strip().lower() if isinstance(value, str) else ""
    if text in ("any", "icmp"):
        return text
    match = _PORT.match(text)
    if match:
        low = int(match.group(2))
        high = int(match.group(3)) if match.group(3) else None
        if 1 <= low <= 65535 and (high is None or low <= high <= 65535):
            return text
    raise errors.bad_request(
        f"ports: '{value}' is not valid. Use any, icmp, tcp/<port>, udp/<port>, tcp/<from>-<to> or "
        "udp/<from>-<to> with ports from 1 to 65535."
    )


def port_list(value) -> list[str]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not value:
        raise errors.bad_request('ports must be a non-empty list such as ["tcp/443"] or ["any"].')
    if len(value) > MAX_ENTRIES:
        raise errors.bad_request(f"ports may hold at most {MAX_ENTRIES} entries.")
    return [port_spec(item) for item in value]


def boolean(value, name: str) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true"
    raise errors.bad_request(f"{name} must be true or false.")


def account(world, value, name: str) -> str:
    """An existing account alias (any case) -> as the simulator stores it (upper case)."""
    if not isinstance(value, str) or not value.strip():
        raise errors.bad_request(f"{name} is required.")
    alias = value.strip().upper()
    if alias not in world.accounts:
        raise errors.bad_request(f"{name}: the account '{value.strip()}' does not exist.")
    return alias
