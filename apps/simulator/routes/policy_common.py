"""Helpers shared by the policy routes (alert, anti-affinity, autoscale, horizontal autoscale,
schedules): names, ids, the account's policies by path or by a request's id, a server's mapping."""

from .. import errors
from ..fields import identifier
from ..links import link
from ..monitoring.model import owned
from ..roles import can, require
from .servers import find_server

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
    return identifier(req.field(body, name), name)


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


def policies_of(req, store: dict, alias: str) -> list:
    """The account's policies kept in ``store``, for a caller who may view policies (403)."""
    require(req, "view_policies")
    return [p for p in store.values() if p.alias.upper() == alias.upper()]


def listing(items: list, href: str, self_verbs: list[str]) -> dict:
    """The ``{items, links}`` answer of a policy list."""
    return {"items": items, "links": [link("self", href, verbs=self_verbs)]}


def policy_at(req, store: dict, alias: str, policy_id: str, capability: str = "view_policies"):
    """The account's policy a path names: 403 without ``capability``, then 404."""
    require(req, capability)
    return errors.found(owned(store, alias, policy_id))


def named_policy(store: dict, alias: str, policy_id, what: str):
    """The account's policy a request's body names; 400 when there is none (the body is wrong)."""
    policy = owned(store, alias, policy_id) if isinstance(policy_id, str) else None
    if policy is None:
        raise errors.bad_request(f"The {what} '{policy_id}' does not exist.")
    return policy


def mapped_server(req, alias: str, server_id: str, capability: str = "manage_alert_policy_on_server"):
    """The server of a policy mapping route: 403 without ``capability``, then 404."""
    require(req, capability)
    return find_server(req, alias, server_id)


def new_policy(req, store: dict, model, alias: str, *fields):
    """A new policy of the account (a new id), kept in ``store``."""
    policy = model(req.world.new_group_id(), alias.upper(), *fields)
    store[policy.id] = policy
    return policy
