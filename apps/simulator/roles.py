"""What each role may do (``shared/clc-api-v2/ROLES.md``), as capability names."""

from . import errors

ADMIN = "AccountAdmin"
VIEWER = "AccountViewer"
BILLING = "BillingAdmin"
DNS = "DNSManager"
NETWORK = "NetworkAdmin"
SECURITY = "SecurityAdmin"
SERVER_ADMIN = "ServerAdmin"
SERVER_OPERATOR = "ServerOperator"

_VIEWERS = {ADMIN, VIEWER, SECURITY, SERVER_ADMIN, SERVER_OPERATOR}
_OPERATORS = {ADMIN, SERVER_ADMIN, SERVER_OPERATOR}

CAPABILITIES: dict[str, set[str]] = {
    # View data centers, groups, servers, snapshots, archived servers, templates.
    "view": _VIEWERS,
    "view_billing_summary": _VIEWERS,
    "view_billing_details": {ADMIN, VIEWER, BILLING},
    "view_queue": {ADMIN, VIEWER, DNS, NETWORK, SECURITY, SERVER_ADMIN, SERVER_OPERATOR},
    "power": _OPERATORS,
    "manage_servers": _OPERATORS,  # create, clone, delete, archive, restore
    "snapshots": _OPERATORS,
    "modify_servers": _OPERATORS,  # cpu, memory, disks, description, group, custom fields
    "manage_groups": _OPERATORS,  # create, rename, move, delete, defaults
    "credentials": {ADMIN, SECURITY, SERVER_ADMIN},
    "manage_public_ips": {ADMIN, SERVER_ADMIN},
    "view_public_ips": {ADMIN, VIEWER, DNS, NETWORK, SECURITY, SERVER_ADMIN, SERVER_OPERATOR},
    "view_policies": _VIEWERS,
    "manage_policies": {ADMIN, SERVER_ADMIN},  # create, edit, delete alert/autoscale/anti-affinity
    "manage_alert_policy_on_server": _OPERATORS,
    # Networks and firewall (routes/networks.py, server_networks.py, firewall_*.py).
    "view_networks": {ADMIN, VIEWER, DNS, NETWORK, SECURITY, SERVER_ADMIN, SERVER_OPERATOR},
    "manage_networks": {ADMIN, NETWORK},  # claim, rename, release
    "server_networks": {ADMIN, NETWORK, SERVER_ADMIN},  # add/remove a server's secondary network
    "view_firewall": {ADMIN, VIEWER, NETWORK, SECURITY, SERVER_ADMIN, SERVER_OPERATOR},
    "manage_firewall": {ADMIN, NETWORK, SECURITY},  # policies; network log forwarding
    # Data center reads: the viewers, plus the roles whose pages are per data center (networks,
    # DNS, load balancers). Not BillingAdmin ("A Billing Manager sees no groups or servers").
    "view_datacenters": _VIEWERS | {DNS, NETWORK},
    "view_load_balancers": {ADMIN, VIEWER, DNS, NETWORK, SECURITY, SERVER_ADMIN, SERVER_OPERATOR},
    "manage_load_balancers": {ADMIN, NETWORK, SERVER_ADMIN},
}


_DECIDED: dict[tuple, bool] = {}  # (roles, capability) -> answer: a big tree asks thousands of times


def can(roles, capability: str) -> bool:
    key = (tuple(roles), capability)
    answer = _DECIDED.get(key)
    if answer is None:
        allowed = CAPABILITIES[capability]
        answer = _DECIDED[key] = any(role in allowed for role in roles)
    return answer


def require(req, capability: str) -> None:
    """403 unless the caller's roles allow ``capability``."""
    if not can(req.user.roles, capability):
        raise errors.forbidden()
