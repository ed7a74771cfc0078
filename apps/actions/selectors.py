"""Reads the action forms need beyond the resource itself, through ``apps.clc``: the account's
custom field definitions and a data center's deployment capabilities (cached per person, like the
inventory's reads), a group's defaults (read fresh: they are about to be shown or changed), the
person's data centers, and for a clone the servers to clone from and the source's password."""

from apps.accounts.reads import own_client
from apps.accounts.services import client_for_request, user_datacenters
from apps.clc import custom_fields as clc_custom_fields
from apps.clc import datacenters as clc_datacenters
from apps.clc import groups as clc_groups
from apps.clc import policies as clc_policies
from apps.clc import servers as clc_servers
from apps.inventory import selectors as inventory
from apps.inventory.cache import PersonCache


def custom_field_definitions(request) -> tuple:
    """The account's custom field definitions (``clc.custom_fields.CustomFieldDefinition``)."""
    return PersonCache(request.user).get_or_fetch(
        "custom-field-definitions",
        lambda: tuple(clc_custom_fields.get_custom_fields(client_for_request(request))),
    )


def _members_kept(value, changes):
    """Server updates leave anti-affinity members as they are; a server created or deleted, or any
    other change, reads the list again."""
    if all(c.get("scope") == "server" and c.get("kind") == "updated" for c in changes):
        return value
    return None


def anti_affinity_policies(user, *, client=None, fresh: bool = False):
    """The account's anti-affinity policies (``clc.entities.PolicyList``), cached per person; the
    create-server form offers those of its data center, ``apps.policies`` shows them all."""
    return PersonCache(user).get_or_fetch(
        "antiaffinity",
        lambda: clc_policies.list_anti_affinity_policies(own_client(user, client)),
        fresh=fresh,
        patch=_members_kept,
    )


def anti_affinity_choices(policies, dc: str, first: str, but=None) -> list[tuple[str, str]]:
    """Choices of the anti-affinity policies of ``dc`` (but ``but``), by name, each with its number
    of servers, after ``("", first)``."""
    here = sorted((p for p in policies if p.location == dc and p is not but), key=lambda p: p.name.lower())
    return [("", first)] + [
        (p.id, f"{p.name} ({len(p.servers)} server{'s' if len(p.servers) != 1 else ''})") for p in here
    ]


def deployment_capabilities(request, dc: str):
    """Templates, networks and storage of a data center (``clc.entities.DeploymentCapabilities``)."""
    dc = dc.upper()
    return PersonCache(request.user).get_or_fetch(
        f"deployment-capabilities:{dc}",
        lambda: clc_datacenters.deployment_capabilities(client_for_request(request), dc),
    )


def group_defaults(request, group_id: str) -> dict:
    """``{"cpu": GroupDefault(value, inherited), ...}`` of a group, read now."""
    return clc_groups.get_defaults(client_for_request(request), group_id)


def datacenters(request) -> list[dict]:
    """``[{"id", "name"}]`` of the person's data centers (cached by the accounts app)."""
    return user_datacenters(request)


def clone_sources(request, dc: str) -> list:
    """The servers of a data center a new server may be cloned from (active, not templates):
    rows of the inventory's cached data center view."""
    servers = inventory.datacenter_servers(request.user, dc, client=client_for_request(request))
    return [s for s in servers if s.status == "active" and not s.is_template and not s.error]


def server_password(request, server_id: str) -> str:
    """A server's administrator password, read now with the person's token (raises ``Forbidden``
    when the person's roles may not read credentials). Never cached, never logged."""
    return str(clc_servers.get_credentials(client_for_request(request), server_id).get("password") or "")
