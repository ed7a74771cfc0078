"""A server as ``GET /v2/servers/{alias}/{id}`` shows it, with links for the caller's roles.

Links follow ``ROLES.md``: a caller sees only what its roles allow, an archived server offers
only ``self`` (GET, PATCH, DELETE) plus ``restore``, and a server under construction has no
``details`` at all.
"""

from .factory import TEMPLATES
from .links import link
from .models import PublicIp, Server
from .roles import can
from .state import World, iso

# A partition shows a little less than its disk (file system overhead), as in the example.
PARTITION_RATIO = 0.9943


def is_linux(server: Server) -> bool:
    entry = TEMPLATES.get(server.template)
    return entry[4] if entry else not server.os.lower().startswith("windows")


def server_href(server: Server) -> str:
    return f"/v2/servers/{server.alias.lower()}/{server.id.lower()}"


def public_uuid(server: Server) -> str:
    """The uuid as the API shows it: 32 hex digits, no dashes (create-server example)."""
    return server.uuid.replace("-", "").lower()


def server_json(world: World, server: Server, roles) -> dict:
    out = {
        "id": server.id,
        "name": server.name,
        "displayName": server.name,
        "description": server.description,
        "groupId": server.group_id,
        "isTemplate": server.is_template,
        "locationId": server.location,
        "osType": server.os_type,
        "os": server.os,
    }
    if server.is_managed_os:  # "Only appears when the server is managed" (get-server.md)
        out["isManagedOS"] = True
        if server.is_managed_backup:  # "... when the server has both Managed OS and Managed Backup"
            out["isManagedBackup"] = True
    out["status"] = server.status
    if server.status != "underConstruction":
        out["details"] = details_json(world, server, roles)
    out["type"] = server.type
    out["storageType"] = server.storage_type
    out["changeInfo"] = {
        "createdDate": iso(server.change.created_date),
        "createdBy": server.change.created_by,
        "modifiedDate": iso(server.change.modified_date),
        "modifiedBy": server.change.modified_by,
    }
    out["links"] = server_links(server, roles)
    return out


def details_json(world: World, server: Server, roles) -> dict:
    out = {
        "ipAddresses": ip_addresses(server),
        "secondaryIPAddresses": list(server.secondary_ips),
        "alertPolicies": [_alert_policy(server, p, roles) for p in server.alert_policies],
        "cpu": server.cpu,
        "diskCount": len(server.disks),
        "hostName": server.name.lower(),
        "inMaintenanceMode": server.in_maintenance,
        "memoryMB": server.memory_mb,
        "powerState": server.power_state,
        "storageGB": server.storage_gb,
        "disks": [
            {"id": d.id, "sizeGB": d.size_gb, "partitionPaths": list(d.partition_paths)} for d in server.disks
        ],
        "partitions": partitions(server),
        "snapshots": [_snapshot(server, s.id, s.name, roles) for s in server.snapshots],
        "customFields": [dict(f) for f in server.custom_fields],
    }
    if server.bare_metal:  # "for bare metal servers only" (get-server.md)
        out["processorDescription"] = server.bare_metal["processorDescription"]
        out["storageDescription"] = server.bare_metal["storageDescription"]
    return out


def ip_addresses(server: Server) -> list[dict]:
    """One entry per internal address; a mapped public address rides along with it."""
    out = []
    for internal in server.internal_ips:
        mapped = [p.address for p in server.public_ips if p.internal == internal]
        if not mapped:
            out.append({"internal": internal})
        for address in mapped:
            out.append({"public": address, "internal": internal})
    return out


def partitions(server: Server) -> list[dict]:
    """The OS partition (``/`` or ``C:\\``) on the system disk, then one per partition path."""
    out = []
    if server.disks:
        if is_linux(server):
            system = max(server.disks[:3], key=lambda d: d.size_gb)
            out.append({"path": "/", "sizeGB": round(system.size_gb * PARTITION_RATIO, 3)})
        else:
            out.append({"path": "C:\\", "sizeGB": round(server.disks[0].size_gb * PARTITION_RATIO, 3)})
    for disk in server.disks:
        for path in disk.partition_paths:
            out.append({"path": path, "sizeGB": round(disk.size_gb * PARTITION_RATIO, 3)})
    return out


def _alert_policy(server: Server, policy: dict, roles) -> dict:
    alias = server.alias.lower()
    links = [link("self", f"/v2/alertPolicies/{alias}/{policy['id']}")]
    if can(roles, "manage_alert_policy_on_server") and server.status == "active":
        links.append(
            link(
                "alertPolicyMap",
                f"{server_href(server)}/alertPolicies/{policy['id']}",
                verbs=["DELETE"],
            )
        )
    return {"id": policy["id"], "name": policy.get("name", ""), "links": links}


def _snapshot(server: Server, snapshot_id: str, name: str, roles) -> dict:
    href = f"{server_href(server)}/snapshots/{snapshot_id}"
    links = [link("self", href)]
    if can(roles, "snapshots") and server.status == "active":
        links.append(link("delete", href))
        links.append(link("restore", f"{href}/restore"))
    return {"name": name, "links": links}


def server_links(server: Server, roles) -> list[dict]:
    alias = server.alias.lower()
    href = server_href(server)
    if server.status == "underConstruction":
        return [
            link("self", href, id=server.id, verbs=["GET"]),
            link("group", f"/v2/groups/{alias}/{server.group_id}", id=server.group_id),
            link("account", f"/v2/accounts/{alias}", id=alias),
        ]
    self_verbs = ["GET"]
    if can(roles, "modify_servers") and server.status in ("active", "archived"):
        self_verbs.append("PATCH")
    if can(roles, "manage_servers"):
        self_verbs.append("DELETE")
    links = [
        link("self", href, id=server.id, verbs=self_verbs),
        link("group", f"/v2/groups/{alias}/{server.group_id}", id=server.group_id),
        link("account", f"/v2/accounts/{alias}", id=alias),
    ]
    if server.status == "archived":
        if can(roles, "manage_servers"):
            links.append(link("restore", f"{href}/restore", verbs=["POST"]))
        return links
    if server.status != "active":  # a failed build: look at it, delete it
        return links
    if can(roles, "view_billing_summary"):
        links.append(link("billing", f"/v2/billing/{alias}/estimate-server/{server.id.lower()}"))
    links.append(link("statistics", f"{href}/statistics"))
    links.append(link("scheduledActivities", f"{href}/scheduledActivities"))
    if can(roles, "manage_public_ips"):
        links.append(link("publicIPAddresses", f"{href}/publicIPAddresses", verbs=["POST"]))
    if can(roles, "manage_alert_policy_on_server"):
        links.append(link("alertPolicyMappings", f"{href}/alertPolicies", verbs=["POST"]))
        links.append(link("antiAffinityPolicyMapping", f"{href}/antiAffinityPolicy", verbs=["DELETE", "PUT"]))
        links.append(link("cpuAutoscalePolicyMapping", f"{href}/cpuAutoscalePolicy", verbs=["DELETE", "PUT"]))
    links.append(link("capabilities", f"{href}/capabilities"))
    if can(roles, "credentials"):
        links.append(link("credentials", f"{href}/credentials"))
    if can(roles, "view_public_ips"):
        verbs = ["GET", "PUT", "DELETE"] if can(roles, "manage_public_ips") else ["GET"]
        for ip in server.public_ips:
            links.append(
                link("publicIPAddress", f"{href}/publicIPAddresses/{ip.address}", id=ip.address, verbs=verbs)
            )
    return links


def public_ip_json(ip: PublicIp) -> dict:
    """ICMP is open by default: shown first unless the ports already name it."""
    ports = [dict(p) for p in ip.ports]
    if not any(str(p.get("protocol", "")).upper() == "ICMP" for p in ports):
        ports.insert(0, {"protocol": "ICMP", "port": 0})
    return {
        "internalIPAddress": ip.internal,
        "ports": ports,
        "sourceRestrictions": [dict(r) for r in ip.source_restrictions],
    }
