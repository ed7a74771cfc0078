"""Builds groups and servers the way the real service named and numbered them."""

import re

from . import addressing, errors
from .models import Disk, Group, Server
from .state import World
from .webhook_events import server_deleted

TEMPLATES = {
    # name: (description, osType, os code, storage GB, linux?)
    "UBUNTU-22-64-TEMPLATE": ("Ubuntu 22 | 64-bit", "Ubuntu 22 64-bit", "ubuntu22_64Bit", 17, True),
    "UBUNTU-18-64-TEMPLATE": ("Ubuntu 18 | 64-bit", "Ubuntu 18 64-bit", "ubuntu18_64Bit", 17, True),
    "RHEL-8-64-TEMPLATE": (
        "RedHat Enterprise Linux 8 | 64-bit",
        "RedHat Enterprise Linux 8 64-bit",
        "redHat8_64Bit",
        17,
        True,
    ),
    "CENTOS-7-64-TEMPLATE": ("CentOS 7 | 64-bit", "CentOS 7 64-bit", "centOS7_64Bit", 17, True),
    "WIN2019DTC-64": (
        "Windows 2019 Datacenter Edition | 64-bit",
        "Windows 2019 Datacenter 64-bit",
        "windows2019DataCenter_64Bit",
        60,
        False,
    ),
    "WIN2012R2DTC-64": (
        "Windows 2012 R2 Datacenter Edition | 64-bit",
        "Windows 2012 R2 Datacenter 64-bit",
        "windows2012R2DataCenter_64Bit",
        60,
        False,
    ),
}
LINUX_RESERVED = [
    "bin",
    "boot",
    "build",
    "cdrom",
    "compat",
    "dist",
    "dev",
    "entropy",
    "etc",
    "home",
    "initrd.img",
    "lib",
    "lib64",
    "libexec",
    "lost+found",
    "media",
    "mnt",
    "opt",
    "proc",
    "root",
    "sbin",
    "selinux",
    "srv",
    "sys",
    "tmp",
    "usr",
    "var",
    "vmlinuz",
]
WINDOWS_RESERVED = ["a", "b", "c", "d"]

_NAME_RE = re.compile(r"^[A-Za-z0-9-]+$")


def validate_server_name(alias: str, name, longest: int = 8) -> str:
    """The documented rules: alphanumerics and dashes, 1-8 characters (1-7 for an import), alias +
    name <= 10."""
    if not isinstance(name, str) or not name:
        raise errors.bad_request("The server name is required.")
    if not _NAME_RE.match(name):
        raise errors.bad_request("The server name may contain only letters, digits and dashes.")
    limit = min(longest, 10 - len(alias))
    if len(name) > limit:
        raise errors.bad_request(
            f"The server name must be between 1 and {limit} characters for account {alias.upper()}."
        )
    return name


def next_server_id(world: World, alias: str, location: str, name: str) -> str:
    account = world.account(alias)
    stem = f"{location}{alias}{name}".upper()
    counter = account.server_counters.get(stem, 0)
    while True:
        counter += 1
        candidate = f"{stem}{counter:02d}"
        if candidate.lower() not in world.servers:
            account.server_counters[stem] = counter
            return candidate


def internal_ip(world: World, location: str) -> str:
    world._seq += 1
    n = world._seq
    octet = 10 + (sum(map(ord, location)) % 200)
    return f"10.{octet}.{(n // 250) % 250}.{n % 250 + 2}"


def add_group(
    world: World,
    alias,
    location,
    name,
    parent: Group | None,
    *,
    description="",
    type_="default",
    user="admin",
    custom_fields=None,
) -> Group:
    group = Group(
        id=world.new_group_id(),
        alias=alias.upper(),
        location=location.upper(),
        name=name,
        description=description,
        parent_id=parent.id if parent else None,
        type=type_,
        status="active",
        change=world.change(user),
        custom_fields=list(custom_fields or []),
    )
    world.groups[group.id] = group
    if parent is not None:
        parent.children.append(group.id)
    return group


def add_server(
    world: World,
    alias,
    group: Group,
    name,
    *,
    template="UBUNTU-22-64-TEMPLATE",
    cpu=2,
    memory_gb=4,
    extra_disks=(),
    description="",
    status="active",
    power_state="started",
    server_type="standard",
    storage_type="standard",
    password="Passw0rd!",
    user="admin",
    custom_fields=None,
    is_template=False,
    network_id=None,
    ip_address=None,
) -> Server:
    """``network_id``/``ip_address``: where its first address comes from (the caller checked them,
    see ``addressing.for_new_server``); by default the data center's first network with room."""
    location = group.location
    network = addressing.find(world, alias, location, network_id) if network_id else None
    network = network or addressing.default_network(world, alias, location)
    address = ip_address or addressing.allocate(world, network)
    server_id = next_server_id(world, alias, location, name)
    desc, os_type, os_code, os_gb, linux = TEMPLATES.get(template, TEMPLATES["UBUNTU-22-64-TEMPLATE"])
    disks = [
        Disk("0:0", 1 if linux else os_gb, []),
        Disk("0:1", 2, []),
        Disk("0:2", os_gb if linux else 0, []),
    ]
    disks = [d for d in disks if d.size_gb > 0]
    for i, size in enumerate(extra_disks, start=len(disks)):
        disks.append(Disk(f"0:{i}", int(size), ["/data" if linux else "E:\\"][:1]))
    server = Server(
        id=server_id,
        uuid=world.new_uuid(),
        alias=alias.upper(),
        location=location,
        group_id=group.id,
        name=server_id,
        description=description,
        os_type=os_type,
        os=os_code,
        template=template,
        type=server_type,
        storage_type=storage_type,
        status=status,
        power_state=power_state,
        in_maintenance=False,
        cpu=int(cpu),
        memory_mb=int(memory_gb) * 1024,
        disks=disks,
        internal_ips=[address],
        password=password,
        change=world.change(user),
        custom_fields=list(custom_fields or []),
        is_template=is_template,
        network_id=network.id,
    )
    world.servers[server.key] = server
    group.servers.append(server.key)
    return server


def remove_server(world: World, server: Server) -> None:
    group = world.groups.get(server.group_id)
    if group is not None and server.key in group.servers:
        group.servers.remove(server.key)
    world.servers.pop(server.key, None)
    server_deleted(world, server)


def move_server(world: World, server: Server, group: Group) -> None:
    """Into ``group``, out of the group it was in."""
    old = world.groups.get(server.group_id)
    if old is not None and server.key in old.servers:
        old.servers.remove(server.key)
    group.servers.append(server.key)
    server.group_id = group.id


def set_archived(server: Server, archived: bool) -> None:
    """Archived (and out of maintenance mode), or back from the archive; stopped either way."""
    server.status = "archived" if archived else "active"
    server.power_state = "stopped"
    if archived:
        server.in_maintenance = False
