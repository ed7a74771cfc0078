"""Helpers shared by the policy routes (alert, anti-affinity, autoscale, horizontal autoscale,
schedules): names, ids, a server's mapping, and ``PolicyKind``: the account's policies of one kind
by path or by a request's id."""

from .. import errors
from ..fields import identifier
from ..links import link
from ..monitoring.model import owned
from ..roles import can, require
from ..router import route
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


def verbs(req, *change_verbs: str, capability: str = "manage_policies") -> list[str]:
    """``GET`` plus the changing verbs when the caller's roles allow them."""
    return ["GET", *change_verbs] if can(req.user.roles, capability) else ["GET"]


def active_server(req, server, action: str) -> None:
    """Policy mappings change only on a built, non-archived server (its links say so)."""
    if server.status != "active":
        raise errors.bad_request(f"The server {server.id} is {server.status}: you cannot {action}.")


def listing(items: list, href: str, self_verbs: list[str]) -> dict:
    """The ``{items, links}`` answer of a policy list."""
    return {"items": items, "links": [link("self", href, verbs=self_verbs)]}


def mapped_server(req, alias: str, server_id: str, capability: str = "manage_alert_policy_on_server"):
    """The server of a policy mapping route: 403 without ``capability``, then 404."""
    require(req, capability)
    return find_server(req, alias, server_id)


class PolicyKind:
    """One kind of account policy, kept in ``world.monitoring.<store>`` under ``{base}/{alias}/{id}``.
    Decorating the kind's ``policy_json(req, policy)`` with ``get_route`` registers that GET, which is
    the same for every kind; the list and the changes stay with each kind. ``what`` names the kind in
    messages; ``model`` makes new ones (for the kinds the API creates)."""

    def __init__(self, base: str, store: str, what: str, model=None):
        self.base, self.store, self.what, self.model = base, store, what, model

    def get_route(self, policy_json):
        """Register ``GET {base}/{alias}/{policy_id}``, answered with ``policy_json``."""

        def get_policy(req, alias, policy_id):
            return policy_json(req, self.at(req, alias, policy_id))

        route("GET", self.base + "/{alias}/{policy_id}")(get_policy)
        return policy_json

    def href(self, policy) -> str:
        return f"{self.base}/{policy.alias.lower()}/{policy.id}"

    def policies(self, world) -> dict:
        return getattr(world.monitoring, self.store)

    def of(self, req, alias: str) -> list:
        """The account's policies, for a caller who may view policies (403)."""
        require(req, "view_policies")
        return [p for p in self.policies(req.world).values() if p.alias.upper() == alias.upper()]

    def at(self, req, alias: str, policy_id: str, capability: str = "view_policies"):
        """The account's policy a path names: 403 without ``capability``, then 404."""
        require(req, capability)
        return errors.found(owned(self.policies(req.world), alias, policy_id))

    def named(self, world, alias: str, policy_id):
        """The account's policy a request's body names; 400 when there is none (the body is wrong)."""
        policy = owned(self.policies(world), alias, policy_id) if isinstance(policy_id, str) else None
        if policy is None:
            raise errors.bad_request(f"The {self.what} '{policy_id}' does not exist.")
        return policy

    def unique_name(self, world, alias: str, name: str, exclude=None) -> None:
        """Names are unique in an account, ignoring case (clients look policies up by name)."""
        for item in self.policies(world).values():
            if (
                item is not exclude
                and item.alias.upper() == alias.upper()
                and item.name.lower() == name.lower()
            ):
                raise errors.bad_request(f"An {self.what} named '{name}' already exists.")

    def new(self, req, alias: str, *fields):
        """A new policy of the account (a new id), kept with the others."""
        policy = self.model(req.world.new_group_id(), alias.upper(), *fields)
        self.policies(req.world)[policy.id] = policy
        return policy
