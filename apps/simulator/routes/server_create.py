"""Create server (``Servers/create-server.md``): from a template, as a clone of an existing server
(``clone-server.md``) or as a bare metal server, with what each optional field does.

- ``sourceServerId``: a template of ``deploymentCapabilities``, or an existing active server of the
  account in the same data center (a clone: ``sourceServerPassword`` is required and must be the
  source's password; the clone gets the source's OS and disks).
- ``type: bareMetal`` where the data center offers it (``catalog.BARE_METAL``): ``configurationId``
  and ``osType`` from ``bareMetalCapabilities``; cpu, memory, disks come from the configuration and
  the fields the page marks "ignored for bare metal servers" are ignored.
- ``networkId``/``ipAddress``: ``addressing.for_new_server``. ``primaryDns``/``secondaryDns``: IPv4
  addresses, else the group's (inherited) defaults. ``isManagedOS``/``isManagedBackup``: shown by
  GET when set (backup needs a managed OS). ``antiAffinityPolicyId``/``cpuAutoscalePolicyId``:
  ``server_policies.py``.
- ``ttl``: at least an hour ahead; when it comes the cloud queues the server's deletion by itself
  (a ``deleteServer`` operation on the simulator clock, see ``_ttl_due``).
- ``packages``: run one after the other once the build completes (``packages.py``).

The server exists at once, ``underConstruction``; a ``createServer`` operation builds it.
"""

import ipaddress
import string
from dataclasses import dataclass, field
from datetime import datetime

from .. import addressing, catalog, errors, fields
from ..factory import TEMPLATES, add_server, validate_server_name
from ..links import link, status_link
from ..models import Disk, Server
from ..roles import require
from ..router import route
from ..serializers_server import public_uuid
from ..state import provisioning, timer
from ..webhook_events import server_created
from .custom_fields import resolve_custom_fields
from .groups import effective_defaults
from .packages import package_list, run_packages_after_build
from .server_policies import apply_new_server_policies, new_server_policies
from .servers import integer, new_disk, target_group, text

SERVER_TYPES = ("standard", "hyperscale", "bareMetal")
STORAGE_TYPES = ("standard", "premium", "hyperscale")
TTL_MIN_AHEAD = 3540  # an hour (the Python SDK refuses less than 3,600 s), less a minute of transit
TTL_RETRY = 60.0  # a ttl that falls while the server is busy is tried again this much later


@dataclass
class NewServer:
    """What create-server and import-server share, checked."""

    name: str
    group: object
    description: str
    custom_fields: list
    server_type: str = "standard"
    storage_type: str = "standard"
    dns: list = field(default_factory=list)


def _given(value) -> bool:
    return value is not None and not (isinstance(value, str) and not value.strip())


def boolean(value, name: str) -> bool:
    """An optional ``fields.boolean``: absent means false."""
    return value is not None and fields.boolean(value, name, prefix="")


def server_types(server_type, storage_type, location: str) -> tuple[str, str]:
    server_type = server_type or "standard"
    if server_type not in SERVER_TYPES:
        raise errors.bad_request(f"type must be one of {', '.join(SERVER_TYPES)}.")
    if server_type == "bareMetal":
        if not catalog.bare_metal_supported(location):
            raise errors.bad_request(f"Bare metal servers are not available in {location.upper()}.")
        return server_type, "standard"
    default = "hyperscale" if server_type == "hyperscale" else "standard"
    storage_type = storage_type or default
    if storage_type not in STORAGE_TYPES:
        raise errors.bad_request(f"storageType must be one of {', '.join(STORAGE_TYPES)}.")
    if (server_type == "hyperscale") != (storage_type == "hyperscale"):
        raise errors.bad_request("Hyperscale servers use hyperscale storage, and only they do.")
    return server_type, storage_type


def dns_servers(req, body: dict, group) -> list[str]:
    """``primaryDns``/``secondaryDns`` (any case: the Python SDK sends ``primaryDNS``), else the
    group's defaults (inherited up to the account's)."""
    defaults = effective_defaults(req.world, group)
    out = []
    for name in ("primaryDns", "secondaryDns"):
        value = req.field(body, name)
        if not _given(value):
            out.append(defaults[name]["value"])
            continue
        try:
            out.append(str(ipaddress.IPv4Address(str(value).strip())))
        except ValueError:
            raise errors.bad_request(f"{name} must be an IPv4 address.") from None
    return out


def common_fields(req, alias: str, body: dict, *, longest: int = 8) -> NewServer:
    f = lambda name, default=None: req.field(body, name, default)  # noqa: E731
    name = validate_server_name(alias, f("name"), longest=longest)
    group = target_group(req, f("groupId"), "groupId")
    server_type, storage_type = server_types(f("type"), f("storageType"), group.location)
    return NewServer(
        name=name,
        group=group,
        description=text(f("description"), "description"),
        custom_fields=resolve_custom_fields(req, req.world.account(alias), f("customFields") or []),
        server_type=server_type,
        storage_type=storage_type,
        dns=dns_servers(req, body, group),
    )


def password_of(req, body: dict, *, required: bool = False) -> str | None:
    password = req.field(body, "password")
    if password is None and not required:
        return None
    if not isinstance(password, str) or not password:
        raise errors.bad_request(
            "password must be a non-empty string." if not required else "password is required."
        )
    return password


def queued_answer(alias: str, name: str, server: Server, op) -> tuple[int, dict]:
    uuid = public_uuid(server)
    return 202, {
        "server": name,
        "isQueued": True,
        "links": [
            status_link(alias, op.id),
            link("self", f"/v2/servers/{alias.lower()}/{uuid}?uuid=True", id=uuid, verbs=["GET"]),
        ],
    }


# --- create --------------------------------------------------------------------------------
@route("POST", "/v2/servers/{alias}")
def create_server(req, alias):
    require(req, "manage_servers")
    body = req.json_object()
    f = lambda name, default=None: req.field(body, name, default)  # noqa: E731
    spec = common_fields(req, alias, body)
    if spec.server_type == "bareMetal":
        return _create_bare_metal(req, alias, body, spec)
    template, source = _source(req, alias, f("sourceServerId"), spec.group)
    if source is not None:
        _check_clone_password(source, f("sourceServerPassword"))
    cpu = integer(f("cpu"), "cpu", 1, 16)
    memory_gb = integer(f("memoryGB"), "memoryGB", 1, 128)
    password = password_of(req, body)
    linux = TEMPLATES[template][4]
    extra = f("additionalDisks") or []
    if not isinstance(extra, list) or not all(isinstance(d, dict) for d in extra):
        raise errors.bad_request("additionalDisks must be a list of disks.")
    used: set[str] = set()
    disks = [new_disk(req, d, linux, used) for d in extra]
    managed_os = boolean(f("isManagedOS"), "isManagedOS")
    managed_backup = boolean(f("isManagedBackup"), "isManagedBackup")
    if managed_backup and not managed_os:
        raise errors.bad_request(
            "isManagedBackup needs isManagedOS: only a managed server can have managed backup."
        )
    ttl = _ttl(req, f("ttl"))
    packages = package_list(req, f("packages"))
    network, address = addressing.for_new_server(req.world, alias, spec.group, f("networkId"), f("ipAddress"))
    policies = new_server_policies(req, alias, body, spec.server_type, spec.group)
    server = add_new_server(req, alias, spec, template, cpu, memory_gb, password, network, address)
    if source is not None:  # a clone: the source's operating system and disks
        server.template, server.os, server.os_type = source.template, source.os, source.os_type
        server.disks = [Disk(d.id, d.size_gb, list(d.partition_paths)) for d in source.disks]
    for size, paths in disks:
        server.disks.append(Disk(f"0:{len(server.disks)}", size, paths))
    server.is_managed_os, server.is_managed_backup, server.ttl = managed_os, managed_backup, ttl
    apply_new_server_policies(req.world, server, policies)
    params = {"packages": packages} if packages else {}
    if source is not None:
        params["clonedFrom"] = source.id
    op = req.world.queue(alias, server.location, "createServer", [server.id], params)
    if ttl is not None:
        req.world.schedule(ttl, "serverTtl", server_id=server.key)
    return queued_answer(alias, spec.name, server, op)


def add_new_server(
    req, alias, spec: NewServer, template, cpu, memory_gb, password, network, address
) -> Server:
    server = add_server(
        req.world,
        alias,
        spec.group,
        spec.name,
        template=template,
        cpu=cpu,
        memory_gb=memory_gb,
        description=spec.description,
        status="underConstruction",
        power_state="stopped",
        server_type=spec.server_type,
        storage_type=spec.storage_type,
        password=password or _password(req.world.rng),
        user=req.user.username,
        custom_fields=spec.custom_fields,
        network_id=network.id,
        ip_address=address,
    )
    server.dns = list(spec.dns)
    return server


def _source(req, alias, source_id, group):
    """A template name -> (template, None); an existing server (a clone) -> (its template, it)."""
    if not isinstance(source_id, str) or not source_id.strip():
        raise errors.bad_request("sourceServerId is required.")
    for template in TEMPLATES:
        if template.lower() == source_id.strip().lower():
            return template, None
    source = req.world.servers.get(source_id.strip().lower())
    if source is None or source.alias.upper() != alias.upper():
        raise errors.bad_request(f"The source server or template '{source_id}' does not exist.")
    if source.status != "active" or source.type == "bareMetal":
        raise errors.bad_request(f"The server {source.id} is {source.status} and cannot be cloned.")
    if source.location.upper() != group.location.upper():
        raise errors.bad_request(
            f"The server {source.id} is in {source.location}: a clone must be created in the same data center."
        )
    linux_like = "windows" not in source.os.lower()
    fallback = "UBUNTU-22-64-TEMPLATE" if linux_like else "WIN2019DTC-64"  # for the disk path rules
    return source.template if source.template in TEMPLATES else fallback, source


def _check_clone_password(source: Server, given) -> None:
    if not isinstance(given, str) or not given:
        raise errors.bad_request("sourceServerPassword is required to clone a server.")
    if given != source.password:
        raise errors.bad_request(f"sourceServerPassword is not the password of {source.id}.")


def _ttl(req, value) -> float | None:
    if not _given(value):
        return None
    if not isinstance(value, str):
        raise errors.bad_request("ttl must be a date and time like 2026-12-17T01:17:17Z.")
    try:
        moment = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        raise errors.bad_request("ttl must be a date and time like 2026-12-17T01:17:17Z.") from None
    if moment.tzinfo is None:
        raise errors.bad_request("ttl must carry its time zone (Z for UTC).")
    due = moment.timestamp()
    if due < req.world.now() + TTL_MIN_AHEAD:
        raise errors.bad_request("ttl must be at least an hour in the future.")
    return due


def _password(rng) -> str:
    alphabet = string.ascii_letters + string.digits
    return "".join(rng.choice(alphabet) for _ in range(12)) + rng.choice("!@#$%") + str(rng.randrange(10))


# --- bare metal ----------------------------------------------------------------------------
def _create_bare_metal(req, alias, body, spec: NewServer):
    location = spec.group.location
    configuration = req.field(body, "configurationId")
    sku = catalog.bare_metal_sku(location, configuration)
    if sku is None:
        raise errors.bad_request(f"The configuration '{configuration}' does not exist in {location}.")
    if sku["availability"] == "none":
        raise errors.bad_request(
            f"The configuration {sku['id']} is not available in {location} at the moment."
        )
    os_entry = catalog.bare_metal_os(location, req.field(body, "osType"))
    if os_entry is None:
        raise errors.bad_request(
            f"osType must be one of the operating systems bareMetalCapabilities lists for {location}."
        )
    password = password_of(req, body)
    network, address = addressing.for_new_server(
        req.world, alias, spec.group, req.field(body, "networkId"), None
    )
    processor = sku["processor"]
    cpu = processor["sockets"] * processor["coresPerSocket"]
    memory_gb = sum(m["capacityGB"] for m in sku["memory"])
    server = add_new_server(
        req, alias, spec, "UBUNTU-22-64-TEMPLATE", cpu, memory_gb, password, network, address
    )
    server.os, server.os_type, server.template = os_entry["type"], os_entry["description"], ""
    server.disks = [Disk(f"0:{i}", d["capacityGB"], []) for i, d in enumerate(sku["storage"])]
    first = sku["storage"][0]
    server.bare_metal = {
        "configurationId": sku["id"],
        "processorDescription": f"{processor['sockets']} x {processor['description']}",
        "storageDescription": f"{len(sku['storage'])} x {first['capacityGB']} GB {first['type']} ({first['speedRpm']} rpm)",
    }
    op = req.world.queue(alias, server.location, "createServer", [server.id])
    return queued_answer(alias, spec.name, server, op)


# --- the build and the ttl -----------------------------------------------------------------
def build_effects(kind: str, then=None) -> None:
    """A server under construction by ``kind`` becomes active and started (``server.created``,
    then ``then(world, server, op)``), or ``failed`` when the operation fails."""

    def built(world, server, op):
        server.power_state = "started"
        server_created(world, server)
        if then is not None:
            then(world, server, op)

    provisioning(kind, lambda world, op: world.op_server(op), "underConstruction", "active", "failed", built)


build_effects(
    "createServer",
    lambda world, server, op: run_packages_after_build(world, server, op.params.get("packages") or []),
)


@timer("serverTtl")
def _ttl_due(world, server_id: str):
    """The server's ttl came: queue its deletion (``deleteServer``, by ``ttl``), as a person's
    delete would be; if something runs on it right now, try again a minute later."""
    server = world.servers.get(server_id)
    if server is None or server.ttl is None or server.ttl > world.now():
        return  # deleted meanwhile, or a later ttl took its place
    pending = world.pending_kinds_for(server.id)
    if "deleteServer" in pending:
        return
    if pending or server.status == "underConstruction":
        world.schedule(world.now() + TTL_RETRY, "serverTtl", server_id=server_id)
        return
    world.queue(server.alias, server.location, "deleteServer", [server.id], {"user": "ttl", "reason": "ttl"})
