"""The account's policies (``Alert Policies/``, ``Autoscale Policies/``, api.json's anti-affinity
policies) and a server's mappings onto them.

``AlertPolicy`` (``servers``) is a policy *as a server lists it* (id, name, links); the account's
policy with its triggers and actions is ``AlertPolicyDefinition``.
"""

from dataclasses import dataclass

from ..links import HasLinks, Link, find_links, parse_links
from .shared import as_dict, as_float, as_int, each

ALERT_METRICS = ("cpu", "memory", "disk")
ALERT_DURATIONS = ("00:05:00", "00:10:00", "00:15:00")  # the documented values


@dataclass(frozen=True)
class AlertTrigger:
    """Fires when ``metric`` (a percentage) equals or exceeds ``threshold`` for ``duration``."""

    metric: str
    duration: str
    threshold: float

    @property
    def minutes(self) -> int:
        hours, minutes, seconds = (as_int(p) for p in (self.duration.split(":") + ["0", "0"])[:3])
        return hours * 60 + minutes + seconds // 60

    def as_api(self) -> dict:
        return {"metric": self.metric, "duration": self.duration, "threshold": self.threshold}

    @classmethod
    def from_api(cls, raw: dict) -> "AlertTrigger":
        return cls(
            metric=str(raw.get("metric") or "").lower(),
            duration=str(raw.get("duration") or ""),
            threshold=as_float(raw.get("threshold")),
        )


def _policy_fields(raw: dict) -> dict:
    """What every policy answer (and a server's mapping onto one) gives: its id (lower case), its
    name and its links."""
    return {
        "id": str(raw.get("id") or "").lower(),
        "name": str(raw.get("name") or ""),
        "links": parse_links(raw.get("links")),
    }


@dataclass(frozen=True)
class AlertPolicyDefinition(HasLinks):
    """An alert policy of the account: its triggers and who is e-mailed."""

    id: str
    name: str
    triggers: tuple[AlertTrigger, ...] = ()
    recipients: tuple[str, ...] = ()  # every email action's recipients, in order
    links: tuple[Link, ...] = ()

    def trigger(self, metric: str) -> AlertTrigger | None:
        return next((t for t in self.triggers if t.metric == metric), None)

    @classmethod
    def from_api(cls, raw: dict) -> "AlertPolicyDefinition":
        recipients: list[str] = []
        for action in raw.get("actions") or ():
            settings = action.get("settings") if isinstance(action, dict) else None
            for address in (settings or {}).get("recipients") or ():
                if isinstance(address, str) and address not in recipients:
                    recipients.append(address)
        return cls(
            **_policy_fields(raw),
            triggers=each(AlertTrigger.from_api, raw.get("triggers")),
            recipients=tuple(recipients),
        )


@dataclass(frozen=True)
class PolicyServer:
    """A server of an anti-affinity policy (its ``server`` links)."""

    id: str  # upper case, as server ids are shown
    href: str = ""


@dataclass(frozen=True)
class AntiAffinityPolicy(HasLinks):
    """Servers of one policy are kept on different hosts of its data center (``location``)."""

    id: str
    name: str
    location: str
    servers: tuple[PolicyServer, ...] = ()
    links: tuple[Link, ...] = ()

    @classmethod
    def from_api(cls, raw: dict) -> "AntiAffinityPolicy":
        common = _policy_fields(raw)
        servers = tuple(
            PolicyServer(
                id=str(lk.name or lk.id or lk.href.rstrip("/").rsplit("/", 1)[-1]).upper(), href=lk.href
            )
            for lk in find_links(common["links"], "server")
        )
        return cls(**common, location=str(raw.get("location") or "").upper(), servers=servers)


@dataclass(frozen=True)
class AutoscalePolicy(HasLinks):
    """A vertical (CPU) autoscale policy: between ``min_cpu`` and ``max_cpu``, up by
    ``scale_up_increment`` at ``scale_up_threshold`` % for ``threshold_period_minutes``, down to
    the minimum at ``scale_down_threshold`` % inside the UTC scale-down window."""

    id: str
    name: str
    resource_type: str = "cpu"
    threshold_period_minutes: int = 0
    scale_up_increment: int = 0
    min_cpu: int = 0
    max_cpu: int = 0
    scale_up_threshold: int = 0
    scale_down_threshold: int = 0
    window_start: str = ""
    window_end: str = ""
    links: tuple[Link, ...] = ()

    @classmethod
    def from_api(cls, raw: dict) -> "AutoscalePolicy":
        bounds, window = as_dict(raw.get("range")), as_dict(raw.get("scaleDownWindow"))
        return cls(
            **_policy_fields(raw),
            resource_type=str(raw.get("resourceType") or "cpu"),
            threshold_period_minutes=as_int(raw.get("thresholdPeriodMinutes")),
            scale_up_increment=as_int(raw.get("scaleUpIncrement")),
            min_cpu=as_int(bounds.get("min")),
            max_cpu=as_int(bounds.get("max")),
            scale_up_threshold=as_int(raw.get("scaleUpThreshold")),
            scale_down_threshold=as_int(raw.get("scaleDownThreshold")),
            window_start=str(window.get("start") or ""),
            window_end=str(window.get("end") or ""),
        )


@dataclass(frozen=True)
class PolicyList(HasLinks):
    """A list of policies as the cloud answered it: its items and its own links (``self`` with
    ``POST`` when the caller may create one). Iterates over the items."""

    items: tuple = ()
    links: tuple[Link, ...] = ()

    def __iter__(self):
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)

    @classmethod
    def from_api(cls, body, parse) -> "PolicyList":
        items = body.get("items") if isinstance(body, dict) else body
        links = parse_links(body.get("links")) if isinstance(body, dict) else ()
        return cls(each(parse, items), links)


@dataclass(frozen=True)
class PolicyMapping(HasLinks):
    """A server's policy (its ``cpuAutoscalePolicy``, ``antiAffinityPolicy``, an alert policy it has)."""

    id: str
    name: str = ""
    links: tuple[Link, ...] = ()

    @classmethod
    def from_api(cls, raw: dict) -> "PolicyMapping":
        return cls(**_policy_fields(raw))
