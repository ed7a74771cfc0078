"""Groups: a data center's tree of groups, nested as the API returns it."""

from dataclasses import dataclass, field

from ..links import HasLinks, Link, find_link, find_links, parse_links
from .servers import Server
from .shared import ChangeInfo, CustomField, as_int, each


@dataclass(frozen=True, kw_only=True)
class GroupFields(HasLinks):
    """One group's own fields, declared once: the entity (``Group``, which nests its sub-groups)
    and the portal's tree node (``apps.inventory`` ``GroupNode``) both have them, and the API's
    serializers follow (docs/entities.md)."""

    id: str
    name: str
    description: str = ""
    type: str = "default"  # "default" | "archive"
    status: str = "active"
    location_id: str = ""
    links: tuple[Link, ...] = ()
    custom_fields: tuple[CustomField, ...] = ()
    change_info: ChangeInfo = field(default_factory=ChangeInfo)


@dataclass(frozen=True, kw_only=True)
class Group(GroupFields):
    """A group as ``GET /v2/groups/{alias}/{id}`` describes it, with its sub-groups nested.

    ``servers``: the group's direct servers as full ``Server`` objects when the answer carried them
    (``?serverDetail=detailed``); None when it carried server links only (the plain answer, or an
    upstream that ignores the parameter)."""

    servers_count: int = 0
    groups: tuple["Group", ...] = ()
    servers: tuple[Server, ...] | None = None

    @property
    def parent_id(self) -> str | None:
        link = find_link(self.links, "parentGroup")
        return link.id if link else None

    @property
    def server_ids(self) -> list[str]:
        """Ids of the servers directly in this group (from its ``server`` links)."""
        return [link.id for link in find_links(self.links, "server") if link.id]

    @property
    def is_archive(self) -> bool:
        return self.type.lower() == "archive"

    def walk(self):
        """This group and every descendant, depth first."""
        yield self
        for child in self.groups:
            yield from child.walk()

    @classmethod
    def from_api(cls, raw: dict) -> "Group":
        return cls(
            id=str(raw.get("id", "")),
            name=raw.get("name", ""),
            description=raw.get("description") or "",
            location_id=str(raw.get("locationId", "")).upper(),
            type=raw.get("type") or "default",
            status=raw.get("status") or "active",
            servers_count=as_int(raw.get("serversCount")),
            groups=each(cls.from_api, raw.get("groups")),
            servers=_servers_of(raw.get("servers")),
            links=parse_links(raw.get("links")),
            change_info=ChangeInfo.from_api(raw.get("changeInfo")),
            custom_fields=tuple(CustomField.from_api(f) for f in raw.get("customFields") or ()),
        )


def _servers_of(raw) -> tuple[Server, ...] | None:
    if not isinstance(raw, list):
        return None
    return tuple(Server.from_api(s) for s in raw if isinstance(s, dict) and s.get("id"))
