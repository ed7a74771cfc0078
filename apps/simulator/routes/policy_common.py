"""Helpers shared by the policy routes (alert, anti-affinity, autoscale, schedules)."""

from .. import errors
from ..roles import can

MAX_NAME = 256


def name_field(value, what: str = "name", max_len: int = MAX_NAME) -> str:
    """A required, non-blank name without control characters."""
    if not isinstance(value, str) or not value.strip():
        raise errors.bad_request(f"The request is invalid: {what} is required.")
    value = value.strip()
    if len(value) > max_len:
        raise errors.bad_request(f"The request is invalid: {what} must be at most {max_len} characters.")
    if any(ord(ch) < 32 for ch in value):
        raise errors.bad_request(f"The request is invalid: {what} may not contain control characters.")
    return value


def id_field(req, body: dict, name: str = "id") -> str:
    value = req.field(body, name)
    if not isinstance(value, str) or not value.strip():
        raise errors.bad_request(f"The request is invalid: {name} is required.")
    return value.strip()


def unique_name(items: dict, alias: str, name: str, what: str, exclude=None) -> None:
    """Names are unique in an account, ignoring case (clients look policies up by name)."""
    for item in items.values():
        if item is not exclude and item.alias.upper() == alias.upper() and item.name.lower() == name.lower():
            raise errors.bad_request(f"{what} named '{name}' already exists.")


def verbs(req, *change_verbs: str, capability: str = "manage_policies") -> list[str]:
    """``GET`` plus the changing verbs when the caller's roles allow them."""
    return ["GET", *change_verbs] if can(req.user.roles, capability) else ["GET"]


def active_server(req, server, action: str) -> None:
    """Policy mappings change only on a built, non-archived server (its links say so)."""
    if server.status != "active":
        raise errors.bad_request(f"The server {server.id} is {server.status}: you cannot {action}.")
