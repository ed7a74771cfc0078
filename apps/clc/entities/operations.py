"""Queued operations: status links, bulk answers, an operation's status."""

from dataclasses import dataclass

from ..links import Link, find_link, parse_links


@dataclass(frozen=True)
class StatusLink:
    """A queued operation: the id and href of its status resource."""

    id: str
    href: str

    @classmethod
    def from_links(cls, links: tuple[Link, ...]) -> "StatusLink | None":
        link = find_link(links, "status")
        if link is None:
            return None
        op_id = link.id or link.href.rstrip("/").rsplit("/", 1)[-1]
        return cls(id=op_id, href=link.href)

    @classmethod
    def from_body(cls, body) -> "StatusLink | None":
        """A write's answer: a bare status link (``{"rel": "status", ...}``) or an object with
        ``links``; None when it carries no status link (done at once)."""
        if isinstance(body, dict):
            if body.get("rel") == "status":
                return cls.from_links(parse_links([body]))
            return cls.from_links(parse_links(body.get("links")))
        return None


@dataclass(frozen=True)
class QueuedResult:
    """One entry of a bulk answer (power operations, archive, snapshots, create/delete server)."""

    server: str
    is_queued: bool
    operation: StatusLink | None = None
    error_message: str | None = None
    links: tuple[Link, ...] = ()

    @property
    def operation_id(self) -> str | None:
        return self.operation.id if self.operation else None

    @classmethod
    def from_api(cls, raw: dict) -> "QueuedResult":
        links = parse_links(raw.get("links"))
        return cls(
            server=str(raw.get("server", "")).upper(),
            is_queued=bool(raw.get("isQueued")),
            operation=StatusLink.from_links(links),
            error_message=raw.get("errorMessage"),
            links=links,
        )


TERMINAL_STATUSES = frozenset({"succeeded", "failed"})


@dataclass(frozen=True)
class OperationStatus:
    id: str
    status: str

    @property
    def is_done(self) -> bool:
        return self.status in TERMINAL_STATUSES

    @property
    def succeeded(self) -> bool:
        return self.status == "succeeded"
