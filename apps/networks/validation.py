"""Checking what people type before anything goes upstream: CIDR blocks, port specs, names.

Each parser takes text (one entry per comma, semicolon or line; a list from JSON is taken too) and
returns what the API wants, or raises ``django.forms.ValidationError`` with a message a person can
act on.

    cidrs("10.0.0.0/8, 203.0.113.7/32")         -> ["10.0.0.0/8", "203.0.113.7/32"]
    port_specs("tcp/80, udp/1000-2000, icmp")   -> ["tcp/80", "udp/1000-2000", "icmp"]   (firewall)
    public_ports("tcp/80, tcp/8000-8080, icmp") -> [{"protocol": "TCP", "port": 80}, ...] (public IP)
"""

import ipaddress
import re

from django import forms
from django.forms import ValidationError

SPLIT = re.compile(r"[,;\s]+")
PORT_SPEC = re.compile(r"^(tcp|udp)/(\d{1,5})(?:-(\d{1,5}))?$", re.I)
MAX_ENTRIES = 100
PORT_HELP = "Write tcp/80, udp/1000-2000, icmp or any (ports from 1 to 65535, low to high)."


class EntriesField(forms.CharField):
    """Text with comma separated entries; a JSON list (from the API) is taken as its entries."""

    def to_python(self, value):
        if isinstance(value, list | tuple):
            value = ", ".join(str(v).strip() for v in value if v is not None)
        return super().to_python(value)


def entries(value) -> list[str]:
    """Text (or a JSON list) -> its non-empty entries."""
    if value is None:
        return []
    if isinstance(value, list | tuple):
        out = []
        for item in value:
            out += entries(item)
        return out
    return [part for part in SPLIT.split(str(value).strip()) if part]


def cidr(text: str) -> str:
    """One IPv4 block with its prefix (host bits allowed, as firewalls take them)."""
    try:
        if "/" not in text:
            raise ValueError
        ipaddress.IPv4Network(text, strict=False)
    except ValueError:
        raise ValidationError(
            f"'{text}' is not an IPv4 CIDR block such as 10.1.1.0/24 (an address needs its /prefix, e.g. /32)."
        ) from None
    return text


def _counted(items: list, none: str, limit: int, what: str) -> list:
    """``items`` when there is one at least (else ``none``, unless empty is fine: ``none`` "") and
    ``limit`` at most."""
    if none and not items:
        raise ValidationError(none)
    if len(items) > limit:
        raise ValidationError(f"At most {limit} {what}.")
    return items


def cidrs(value, *, required: bool = True, limit: int = MAX_ENTRIES) -> list[str]:
    none = "Give at least one CIDR block, e.g. 10.1.1.0/24." if required else ""
    found = _counted(entries(value), none, limit, "CIDR blocks")
    return list(dict.fromkeys(cidr(item) for item in found))


def _range(text: str, low: int, high: int | None) -> None:
    if not 1 <= low <= 65535 or (high is not None and not low <= high <= 65535):
        raise ValidationError(f"'{text}': ports are numbers from 1 to 65535, low to high.")


def port_spec(text: str) -> str:
    """A firewall policy's port: ``any``, ``icmp``, ``tcp/80``, ``udp/1000-2000`` (lower case)."""
    value = text.strip().lower()
    if value in ("any", "icmp"):
        return value
    match = PORT_SPEC.match(value)
    if not match:
        raise ValidationError(f"'{text}' is not a port. {PORT_HELP}")
    low = int(match.group(2))
    high = int(match.group(3)) if match.group(3) else None
    _range(text, low, high)
    return value if high != low else f"{match.group(1)}/{low}"


def port_specs(value) -> list[str]:
    found = _counted(entries(value), f"Give at least one port. {PORT_HELP}", MAX_ENTRIES, "ports")
    specs = list(dict.fromkeys(port_spec(item) for item in found))
    if "any" in specs and len(specs) > 1:
        raise ValidationError("'any' already opens every port: give it alone.")
    return specs


def public_ports(value) -> list[dict]:
    """A public IP's open ports as the API takes them: ``{"protocol", "port", "portTo"?}``."""
    out = []
    for item in entries(value):
        spec = item.strip().lower()
        if spec == "any":
            raise ValidationError(
                "A public IP opens named ports: write tcp/80, udp/53, tcp/8000-8080 or icmp."
            )
        spec = port_spec(spec)
        if spec == "icmp":
            entry = {"protocol": "ICMP"}
        else:
            protocol, ports = spec.split("/", 1)
            low, _, high = ports.partition("-")
            entry = {"protocol": protocol.upper(), "port": int(low)}
            if high:
                entry["portTo"] = int(high)
        if entry not in out:
            out.append(entry)
    return _counted(out, "Open at least one port, e.g. tcp/443.", MAX_ENTRIES, "ports")


def port_text(ports) -> str:
    """``[{"protocol": "TCP", "port": 80}, ...]`` or ``Port`` objects -> ``"tcp/80, icmp"``."""
    out = []
    for p in ports:
        if hasattr(p, "spec"):
            out.append(p.spec)
            continue
        protocol = str(p.get("protocol", "")).lower()
        if protocol == "icmp":
            out.append("icmp")
        elif p.get("portTo") and p.get("portTo") != p.get("port"):
            out.append(f"{protocol}/{p['port']}-{p['portTo']}")
        else:
            out.append(f"{protocol}/{p.get('port')}")
    return ", ".join(out)


def network_of(address_or_cidr: str, networks):
    """The network (of ``networks``) holding this address or whole block, else None."""
    try:
        block = ipaddress.IPv4Network(address_or_cidr.strip(), strict=False)
    except ValueError:
        return None
    for network in networks:
        try:
            mine = ipaddress.IPv4Network(network.cidr, strict=False)
        except ValueError:
            continue
        if block.subnet_of(mine):
            return network
    return None
