"""Small helpers to read typed values from the environment.

A value the portal cannot use stops every service with ONE line on stderr that names the variable
(``SettingsRefused``: a ``SystemExit``, so no traceback), never a stack trace from deep inside a
library. A variable set but empty counts as unset.
"""

import ipaddress
import os


class SettingsRefused(SystemExit):
    """The configuration is refused: the message (one line, naming the variable) goes to stderr and
    the process exits with status 1."""


def refuse(variable: str, message: str) -> None:
    raise SettingsRefused(f"{variable}: {message}")


def env_str(name: str, default: str = "") -> str:
    raw = os.environ.get(name)
    return default if raw in (None, "") else raw


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw in (None, ""):
        return default
    try:
        return int(raw)
    except ValueError:
        refuse(name, f"{raw[:40]!r} is not a whole number.")


def env_float(name: str, default: float) -> float:
    raw = os.environ.get(name)
    if raw in (None, ""):
        return default
    try:
        return float(raw)
    except ValueError:
        refuse(name, f"{raw[:40]!r} is not a number.")


def env_bool(name: str, default: bool = False) -> bool:
    raw = os.environ.get(name)
    if raw in (None, ""):
        return default
    return raw.strip().lower() in ("1", "true", "yes", "on")


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw in (None, ""):
        return list(default)
    return [item.strip() for item in raw.split(",") if item.strip()]


def env_rate(name: str, default: str) -> str | None:
    """A rate like ``120/minute`` (DRF's form: ``<n>/<s|sec|m|min|minute|h|hour|d|day>``); None when
    set to ``none`` or ``off`` (no limit)."""
    raw = env_str(name, default).strip()
    if raw.lower() in ("none", "off", "0"):
        return None
    count, _, period = raw.partition("/")
    if not count.isdecimal() or int(count) < 1 or period[:1].lower() not in ("s", "m", "h", "d"):
        refuse(name, f"{raw[:40]!r} is not a rate; write it like 120/minute (or off).")
    return f"{int(count)}/{period.lower()}"


def env_networks(name: str) -> list[str]:
    """Comma-separated IP addresses or CIDR networks (``10.0.0.0/8, 2001:db8::1``), normalised."""
    networks = []
    for item in env_list(name, []):
        try:
            networks.append(str(ipaddress.ip_network(item, strict=False)))
        except ValueError:
            refuse(name, f"{item[:60]!r} is not an IP address or network (e.g. 10.0.0.0/8).")
    return networks


def env_database(name: str, default: str, conn_max_age: int) -> dict:
    """``DATABASES["default"]`` from the URL in ``name`` (``default`` when unset or empty)."""
    import dj_database_url

    url = env_str(name, default).strip()
    try:
        config = dj_database_url.parse(url, conn_max_age=conn_max_age)
    except Exception as exc:  # unknown scheme, bad port, ...: whatever the library raises
        scheme = url.split(":", 1)[0] if ":" in url else ""
        why = f"unknown scheme {scheme!r}" if "Scheme" in type(exc).__name__ and scheme else "unreadable"
        refuse(
            name,
            f"cannot use this database URL ({why}); "
            "write it like postgres://user:password@host:5432/name or sqlite:////path/to/file.sqlite3",
        )
    if not config.get("ENGINE"):
        refuse(name, "cannot use this database URL (no database engine for it).")
    return config
