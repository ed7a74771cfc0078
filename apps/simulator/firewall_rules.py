"""What the intra and cross data center firewall policy routes share: validation (CIDR blocks, port
specs ``any``, ``icmp``, ``tcp/80``, ``udp/1-600``, booleans sent as JSON or as text, accounts), the
self link's verbs, and the routes that are the same for both (list, get, delete, provisioning)."""

import ipaddress
import re

from . import errors, fields
from .roles import can, require
from .router import route
from .state import provisioning

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
    return fields.boolean(value, name, prefix="")


def account(world, value, name: str) -> str:
    """An existing account alias (any case) -> as the simulator stores it (upper case)."""
    if not isinstance(value, str) or not value.strip():
        raise errors.bad_request(f"{name} is required.")
    alias = value.strip().upper()
    if alias not in world.accounts:
        raise errors.bad_request(f"{name}: the account '{value.strip()}' does not exist.")
    return alias


def state_json(policy) -> dict:
    """What both families answer first: the id, the provisioning status and whether it is on."""
    return {"id": policy.id, "status": policy.status, "enabled": policy.enabled}


def verbs(roles) -> list[str]:
    """A policy's self link: changing needs "Firewall policies: add, change, delete"."""
    return ["GET", "PUT", "DELETE"] if can(roles, "manage_firewall") else ["GET"]


class Family:
    """One family of policies, kept in ``world.<store>`` under ``{base}/{alias}/{dc}`` and provisioned
    by a queued ``kind``: constructing it registers list (``?<destination param>=``), get and
    delete, which are the same for both; create and update stay with each family."""

    def __init__(self, base: str, store: str, kind: str, policy_json, destination_params: tuple[str, ...]):
        self.store, self.kind, self.policy_json = store, kind, policy_json
        self.destination_params = destination_params
        route("GET", base + "/{alias}/{dc}")(self.list_policies)
        route("GET", base + "/{alias}/{dc}/{policy_id}")(self.get_policy)
        route("DELETE", base + "/{alias}/{dc}/{policy_id}")(self.delete_policy)
        provisioning(
            kind, lambda world, op: self.policies(world).get(op.resource_ids[0]), "pending", "active", "error"
        )

    def policies(self, world) -> dict:
        return getattr(world, self.store)

    @staticmethod
    def _here(policy, alias, datacenter) -> bool:
        return policy.alias.upper() == alias.upper() and policy.location.upper() == datacenter.id.upper()

    def find(self, req, alias, dc, policy_id):
        datacenter = req.world.datacenter(alias, dc)
        policy = self.policies(req.world).get(policy_id.strip().lower())
        if policy is None or not self._here(policy, alias, datacenter):
            raise errors.not_found()
        return policy

    def creating(self, req, alias, dc):
        """(the data center, the body) of a create: 404 for another account's data center, 403
        without the role to change policies."""
        datacenter = req.world.datacenter(alias, dc)
        require(req, "manage_firewall")
        return datacenter, req.json_object()

    def add(self, req, alias, datacenter, model, **fields):
        """A new pending policy of this account's ``datacenter``, its provisioning queued."""
        policy = model(
            id=req.world.new_group_id(), alias=alias.upper(), location=datacenter.id.upper(), **fields
        )
        self.policies(req.world)[policy.id] = policy
        req.world.queue(alias, datacenter.id, self.kind, [policy.id])
        return policy

    def list_policies(self, req, alias, dc):
        datacenter = req.world.datacenter(alias, dc)
        require(req, "view_firewall")
        wanted = (
            next((value for value in map(req.param, self.destination_params) if value), "").strip().upper()
        )
        return [
            self.policy_json(p, req.user.roles)
            for p in self.policies(req.world).values()
            if self._here(p, alias, datacenter) and (not wanted or p.destination_account.upper() == wanted)
        ]

    def get_policy(self, req, alias, dc, policy_id):
        policy = self.find(req, alias, dc, policy_id)
        require(req, "view_firewall")
        return self.policy_json(policy, req.user.roles)

    def delete_policy(self, req, alias, dc, policy_id):
        policy = self.find(req, alias, dc, policy_id)
        require(req, "manage_firewall")
        del self.policies(req.world)[policy.id]
        return 204, None
