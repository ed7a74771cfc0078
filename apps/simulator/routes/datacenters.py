"""Data centers: list, one (with ``groupLinks``), deployment capabilities."""

from .. import addressing, errors
from ..balancers import supports_shared_load_balancer
from ..factory import LINUX_RESERVED, TEMPLATES, WINDOWS_RESERVED
from ..links import link
from ..roles import can
from ..router import route


def _require_view(req, capability: str = "view"):
    if not can(req.user.roles, capability):
        raise errors.forbidden()


def _dcs_of(req):
    alias = req.user.alias
    ids = req.world.account_datacenters.get(alias.upper(), {})
    return [dc for key, dc in req.world.datacenters.items() if key in ids]


@route("GET", "/v2/datacenters/{alias}")
def list_datacenters(req, alias):
    _require_view(req, "view_datacenters")
    return [
        {
            "id": dc.id,
            "name": dc.name,
            "links": [link("self", f"/v2/datacenters/{alias.lower()}/{dc.id.lower()}")],
        }
        for dc in _dcs_of(req)
    ]


@route("GET", "/v2/datacenters/{alias}/{dc}")
def get_datacenter(req, alias, dc):
    datacenter = req.world.datacenter(alias, dc)
    _require_view(req, "view_datacenters")
    links = [link("self", f"/v2/datacenters/{alias.lower()}/{datacenter.id.lower()}")]
    if req.flag("groupLinks"):
        _require_view(req)
        root = req.world.root_group(alias, dc)
        links.append(link("group", f"/v2/groups/{alias.lower()}/{root.id}", id=root.id, name=root.name))
    return {"id": datacenter.id, "name": datacenter.name, "links": links}


@route("GET", "/v2/datacenters/{alias}/{dc}/deploymentCapabilities")
def deployment_capabilities(req, alias, dc):
    datacenter = req.world.datacenter(alias, dc)
    _require_view(req, "view_datacenters")
    templates = []
    for name, (description, _os_type, _os, size_gb, linux) in TEMPLATES.items():
        entry = {
            "name": name,
            "description": description,
            "storageSizeGB": size_gb,
            "capabilities": ["cpuAutoscale"],
            "reservedDrivePaths": list(LINUX_RESERVED if linux else WINDOWS_RESERVED),
        }
        if not linux:
            entry["drivePathLength"] = 1
        templates.append(entry)
    return {
        "supportsPremiumStorage": datacenter.id.upper() in ("WA1", "VA1", "UC1", "IL1"),
        "supportsBareMetalServers": False,
        "supportsSharedLoadBalancer": supports_shared_load_balancer(datacenter.id),
        "deployableNetworks": [
            {"name": n.name, "networkId": n.id, "type": n.type, "accountID": n.alias.upper()}
            for n in addressing.networks_of(req.world, alias, datacenter.id)
            if not n.releasing
        ],
        "templates": templates,
    }


def network_ids(alias: str, dc_id: str) -> list[str]:
    """The ids of the networks the seeds give every account in a data center (the first is the
    default of groups that set none)."""
    return [addressing.seeded_network_id(alias, dc_id, i) for i in range(2)]
