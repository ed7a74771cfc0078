"""Data centers: list, one (with ``groupLinks``), deployment and bare metal capabilities.

Links of a data center (``Link Definitions/data-center-links.md``; the list's entries carry the same
ones as the data center's own GET with ``groupLinks=true``, as published clients read them from the
list): ``self``, ``group`` (the root hardware group, for roles that see groups),
``deploymentCapabilities``, ``loadBalancers`` (GET, + POST for those who may create them where
shared load balancers exist) and ``availableOvfs`` (for those who may import servers).
``computeLimits`` and ``networkLimits`` are not simulated, so not advertised.
"""

from .. import addressing, catalog
from ..balancers import supports_shared_load_balancer
from ..factory import LINUX_RESERVED, TEMPLATES, WINDOWS_RESERVED
from ..links import link
from ..roles import can, require
from ..router import route


def _dcs_of(req):
    alias = req.user.alias
    ids = req.world.account_datacenters.get(alias.upper(), {})
    return [dc for key, dc in req.world.datacenters.items() if key in ids]


def datacenter_links(req, alias: str, datacenter, *, with_group: bool) -> list[dict]:
    roles = req.user.roles
    a, d = alias.lower(), datacenter.id.lower()
    href = f"/v2/datacenters/{a}/{d}"
    links = [link("self", href)]
    if with_group and can(roles, "view"):
        root = req.world.root_group(alias, datacenter.id)
        links.append(link("group", f"/v2/groups/{a}/{root.id}", id=root.id, name=root.name))
    links.append(link("deploymentCapabilities", f"{href}/deploymentCapabilities"))
    if can(roles, "view_load_balancers"):
        verbs = ["GET"]
        if can(roles, "manage_load_balancers") and supports_shared_load_balancer(datacenter.id):
            verbs.append("POST")
        links.append(link("loadBalancers", f"/v2/sharedLoadBalancers/{a}/{d}", verbs=verbs))
    if can(roles, "manage_servers") and catalog.vm_import_enabled(datacenter.id):
        links.append(link("availableOvfs", f"/v2/vmImport/{a}/{d}/available", verbs=["GET"]))
    return links


@route("GET", "/v2/datacenters/{alias}")
def list_datacenters(req, alias):
    require(req, "view_datacenters")
    return [
        {"id": dc.id, "name": dc.name, "links": datacenter_links(req, alias, dc, with_group=True)}
        for dc in _dcs_of(req)
    ]


@route("GET", "/v2/datacenters/{alias}/{dc}")
def get_datacenter(req, alias, dc):
    datacenter = req.world.datacenter(alias, dc)
    require(req, "view_datacenters")
    with_group = req.flag("groupLinks")
    if with_group:
        require(req, "view")
    links = datacenter_links(req, alias, datacenter, with_group=with_group)
    return {"id": datacenter.id, "name": datacenter.name, "links": links}


@route("GET", "/v2/datacenters/{alias}/{dc}/deploymentCapabilities")
def deployment_capabilities(req, alias, dc):
    datacenter = req.world.datacenter(alias, dc)
    require(req, "view_datacenters")
    templates = []
    for name, (description, _os_type, os_code, size_gb, linux) in TEMPLATES.items():
        entry = {
            "name": name,
            "osType": os_code,
            "description": description,
            "storageSizeGB": size_gb,
            "capabilities": ["cpuAutoscale"],
            "reservedDrivePaths": list(LINUX_RESERVED if linux else WINDOWS_RESERVED),
        }
        if not linux:
            entry["drivePathLength"] = 1
        templates.append(entry)
    return {
        "dataCenterEnabled": True,
        "importVMEnabled": catalog.vm_import_enabled(datacenter.id),
        "supportsPremiumStorage": datacenter.id.upper() in ("WA1", "VA1", "UC1", "IL1"),
        "supportsBareMetalServers": catalog.bare_metal_supported(datacenter.id),
        "supportsSharedLoadBalancer": supports_shared_load_balancer(datacenter.id),
        "deployableNetworks": [
            {"name": n.name, "networkId": n.id, "type": n.type, "accountID": n.alias.upper()}
            for n in addressing.networks_of(req.world, alias, datacenter.id)
            if not n.releasing
        ],
        "templates": templates,
        "importableOSTypes": catalog.importable_os_types(datacenter.id),
    }


@route("GET", "/v2/datacenters/{alias}/{dc}/bareMetalCapabilities")
def bare_metal_capabilities(req, alias, dc):
    datacenter = req.world.datacenter(alias, dc)
    require(req, "view_datacenters")
    if not catalog.bare_metal_supported(datacenter.id):
        return {"skus": [], "operatingSystems": []}
    return {
        "skus": [dict(s) for s in catalog.BARE_METAL_SKUS],
        "operatingSystems": [dict(o) for o in catalog.BARE_METAL_OS],
    }


def network_ids(alias: str, dc_id: str) -> list[str]:
    """The ids of the networks the seeds give every account in a data center (the first is the
    default of groups that set none)."""
    return [addressing.seeded_network_id(alias, dc_id, i) for i in range(2)]
