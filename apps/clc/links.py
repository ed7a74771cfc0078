"""The links framework: every entity carries ``links``; a link's ``verbs`` say what the caller's
roles allow on it (no verbs listed = GET only)."""

from collections.abc import Iterable
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Link:
    rel: str
    href: str
    id: str | None = None
    name: str | None = None
    # Shown (the API's JSON) as ``allowed_verbs``: what the caller may do, GET when none are listed.
    verbs: tuple[str, ...] = field(default=(), metadata={"source": "allowed_verbs"})

    @property
    def allowed_verbs(self) -> tuple[str, ...]:
        """The HTTP verbs allowed on this link; GET only when none are listed."""
        return self.verbs or ("GET",)

    def allows(self, verb: str) -> bool:
        return verb.upper() in self.allowed_verbs

    @classmethod
    def from_api(cls, raw: dict) -> "Link":
        verbs = raw.get("verbs")
        rel, href = raw.get("rel", ""), raw.get("href", "")
        # A detailed data center answer carries some 14,000 links: the frozen dataclass's
        # ``__init__`` (one ``object.__setattr__`` per field) is skipped, the values are the same.
        link = object.__new__(cls)
        link.__dict__.update(
            rel=rel if type(rel) is str else str(rel),
            href=href if type(href) is str else str(href),
            id=raw.get("id"),
            name=raw.get("name"),
            verbs=tuple([str(v).upper() for v in verbs]) if verbs else (),
        )
        return link


def parse_links(raw: Iterable[dict] | None) -> tuple[Link, ...]:
    return tuple(Link.from_api(item) for item in raw or () if isinstance(item, dict))


def find_link(links: Iterable[Link], rel: str) -> Link | None:
    """The first link with this ``rel`` (case-insensitive), or None."""
    rel = rel.lower()
    return next((link for link in links if link.rel.lower() == rel), None)


def find_links(links: Iterable[Link], rel: str) -> list[Link]:
    rel = rel.lower()
    return [link for link in links if link.rel.lower() == rel]


def verbs_for(links: Iterable[Link], rel: str) -> tuple[str, ...]:
    """Verbs allowed on ``rel``; empty when the link is absent (the caller may not act at all)."""
    link = find_link(links, rel)
    return link.allowed_verbs if link else ()


def allows(links: Iterable[Link], rel: str, verb: str = "GET") -> bool:
    link = find_link(links, rel)
    return bool(link and link.allows(verb))


class HasLinks:
    """Mixin for entities with a ``links`` tuple."""

    links: tuple[Link, ...]

    def link(self, rel: str) -> Link | None:
        return find_link(self.links, rel)

    def verbs(self, rel: str) -> tuple[str, ...]:
        return verbs_for(self.links, rel)

    def allows(self, rel: str, verb: str = "GET") -> bool:
        return allows(self.links, rel, verb)
