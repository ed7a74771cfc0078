"""The shapes lists are made of: server rows, the group tree's nodes, data center and group
references, power-state counts; and how server rows are built from a fan-out's results."""

from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cached_property

from apps.clc import errors
from apps.clc.entities import (
    AlertPolicy,
    ChangeInfo,
    CustomField,
    Disk,
    Group,
    GroupFields,
    IpAddress,
    Partition,
    Server,
    ServerCost,
    ServerSummary,
    Snapshot,
    values_of,
)
from apps.clc.links import HasLinks, Link

from .common import PanelError, reraise_fatal

# The parsed upstream entities (apps.clc.entities) under the names this interface documents.
LinkInfo = Link
CustomFieldInfo = CustomField
ChangeInfoData = ChangeInfo
IpAddressInfo = IpAddress
DiskInfo = Disk
PartitionInfo = Partition
SnapshotInfo = Snapshot
AlertPolicyInfo = AlertPolicy
ServerCostRow = ServerCost


@dataclass(frozen=True)
class PowerBreakdown:
    started: int = 0
    stopped: int = 0
    paused: int = 0
    maintenance: int = 0  # overlaps the power states
    archived: int = 0
    other: int = 0

    @property
    def total(self) -> int:
        return self.started + self.stopped + self.paused + self.archived + self.other

    @classmethod
    def of(cls, rows) -> "PowerBreakdown":
        counts = dict(started=0, stopped=0, paused=0, maintenance=0, archived=0, other=0)
        for row in rows:
            if row.error:
                continue
            if row.in_maintenance_mode:
                counts["maintenance"] += 1
            if row.status == "archived":
                counts["archived"] += 1
            elif row.power_state in ("started", "stopped", "paused"):
                counts[row.power_state] += 1
            else:
                counts["other"] += 1
        return cls(**counts)

    def __add__(self, other: "PowerBreakdown") -> "PowerBreakdown":
        return PowerBreakdown(
            started=self.started + other.started,
            stopped=self.stopped + other.stopped,
            paused=self.paused + other.paused,
            maintenance=self.maintenance + other.maintenance,
            archived=self.archived + other.archived,
            other=self.other + other.other,
        )


@dataclass(frozen=True)
class DataCenterRef:
    id: str
    name: str = ""
    root_group_id: str | None = None


@dataclass(frozen=True)
class GroupRef:
    id: str
    name: str = ""


@dataclass(frozen=True, kw_only=True)
class GroupNode(GroupFields):
    """A group placed in its data center's tree: the entity's own fields (``GroupFields``) and where
    it sits, how many servers it holds, its sub-groups."""

    parent_id: str | None = None
    depth: int = 0  # 0 for the data center's root group
    server_count: int = field(default=0, metadata={"help": "Servers in this group and all its sub-groups."})
    direct_server_count: int = 0
    server_ids: tuple[str, ...] = ()  # direct servers, upper case
    children: tuple["GroupNode", ...] = ()

    @property
    def is_root(self) -> bool:
        """A data center's root group: it has no parent (no ``parentGroup`` link), and can't be
        moved or deleted."""
        return not self.parent_id

    def walk(self) -> Iterator["GroupNode"]:
        yield self
        for child in self.children:
            yield from child.walk()

    def find(self, group_id: str) -> "GroupNode | None":
        wanted = group_id.lower()
        return next((g for g in self.walk() if g.id.lower() == wanted), None)

    def path_to(self, group_id: str) -> list["GroupNode"] | None:
        """The groups from this one down to ``group_id`` (both included), or None."""
        if self.id.lower() == group_id.lower():
            return [self]
        for child in self.children:
            path = child.path_to(group_id)
            if path is not None:
                return [self, *path]
        return None

    @classmethod
    def from_group(cls, group: Group, depth: int = 0, parent_id: str | None = None) -> "GroupNode":
        children = tuple(cls.from_group(g, depth + 1, group.id) for g in group.groups)
        server_ids = tuple(sid.upper() for sid in group.server_ids)
        return cls(
            **values_of(GroupFields, group),
            parent_id=group.parent_id or parent_id,
            depth=depth,
            server_count=len(server_ids) + sum(c.server_count for c in children),
            direct_server_count=len(server_ids),
            server_ids=server_ids,
            children=children,
        )


@dataclass(frozen=True, kw_only=True)
class ServerRow(ServerSummary, HasLinks):
    """One server in a list: its summary (``ServerSummary``: the fields are declared there), the name
    of its group, its links; or, when its GET failed, the id and the ``error``."""

    group_name: str = ""
    # (rel, href, id, name, verbs) per link: plain tuples keep a cached data center of a thousand
    # servers quick to unpickle; ``links`` builds the Link objects when first read.
    link_data: tuple[tuple, ...] = ()
    error: str | None = None

    @cached_property
    def links(self) -> tuple[Link, ...]:
        return tuple(Link(rel, href, id_, name, verbs) for rel, href, id_, name, verbs in self.link_data)

    @classmethod
    def from_server(cls, server: Server, group_name: str = "") -> "ServerRow":
        return cls(
            **values_of(ServerSummary, server),
            group_name=group_name,
            link_data=tuple((lk.rel, lk.href, lk.id, lk.name, lk.verbs) for lk in server.links),
        )


def _server_result_rows(
    results: list, ids: list[str], group_names: dict[str, str], id_groups: dict[str, str]
) -> tuple[list[ServerRow], list[PanelError]]:
    rows: list[ServerRow] = []
    problems: list[PanelError] = []
    for server_id, result in zip(ids, results, strict=True):
        reraise_fatal(result)
        if isinstance(result, errors.NotFound):
            continue  # deleted between the tree and its GET: it's gone
        group_id = id_groups.get(server_id, "")
        if isinstance(result, errors.ClcError):
            problem = PanelError.from_exception("servers", result, f"Server {server_id}")
            problems.append(problem)
            rows.append(
                ServerRow(
                    id=server_id,
                    name=server_id,
                    group_id=group_id,
                    group_name=group_names.get(group_id.lower(), ""),
                    error=problem.message,
                )
            )
        else:
            rows.append(ServerRow.from_server(result, group_names.get(result.group_id.lower(), "")))
    return rows, problems


def _group_lookup(tree: GroupNode) -> tuple[dict[str, str], dict[str, str], dict[str, int]]:
    names, server_groups, order = {}, {}, {}
    for index, group in enumerate(tree.walk()):
        names[group.id.lower()] = group.name
        order[group.id.lower()] = index
        for sid in group.server_ids:
            server_groups[sid] = group.id
    return names, server_groups, order


def _sorted_rows(rows: list[ServerRow], order: dict[str, int]) -> tuple[ServerRow, ...]:
    return tuple(sorted(rows, key=lambda r: (order.get(r.group_id.lower(), 1 << 30), r.name, r.id)))
