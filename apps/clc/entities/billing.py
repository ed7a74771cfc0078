"""Costs: a server's estimate, a group's billing summary (the account's invoice: ``apps.clc.billing``)."""

from dataclasses import dataclass
from datetime import datetime

from .shared import as_float, parse_time


def _cost_fields(raw: dict) -> dict:
    """The cost figures an upstream billing answer gives for one server."""
    return {
        "current_hour": as_float(raw.get("currentHour")),
        "month_to_date": as_float(raw.get("monthToDate")),
        "monthly_estimate": as_float(raw.get("monthlyEstimate")),
        "archive_cost": as_float(raw.get("archiveCost")),
        "template_cost": as_float(raw.get("templateCost")),
    }


@dataclass(frozen=True)
class ServerCost:
    """One server's line of a group's billing summary."""

    server_id: str
    current_hour: float
    month_to_date: float
    monthly_estimate: float
    archive_cost: float = 0
    template_cost: float = 0


def cost_totals(costs) -> dict[str, float]:
    """The sums of servers' costs, rounded as the portal shows them (cents; the hour to 1/100 cent)."""
    costs = list(costs)
    return {
        "monthly_estimate": round(sum(c.monthly_estimate for c in costs), 2),
        "month_to_date": round(sum(c.month_to_date for c in costs), 2),
        "current_hour": round(sum(c.current_hour for c in costs), 4),
    }


@dataclass(frozen=True)
class ServerCostEstimate:
    """A server's own cost estimate (the answer behind its ``billing`` link)."""

    date: datetime | None
    current_hour: float
    month_to_date: float
    monthly_estimate: float
    archive_cost: float = 0
    template_cost: float = 0

    @classmethod
    def from_api(cls, raw: dict) -> "ServerCostEstimate":
        return cls(date=parse_time(raw.get("date")), **_cost_fields(raw))


@dataclass(frozen=True)
class GroupBilling:
    """Billing summary of a group and its sub-groups (``/v2/groups/{alias}/{id}/billing``)."""

    date: datetime | None
    groups: dict[str, tuple[str, tuple[ServerCost, ...]]]  # group id -> (name, costs)

    @property
    def servers(self) -> list[ServerCost]:
        return [cost for _name, costs in self.groups.values() for cost in costs]

    @property
    def monthly_estimate(self) -> float:
        return cost_totals(self.servers)["monthly_estimate"]

    @property
    def month_to_date(self) -> float:
        return cost_totals(self.servers)["month_to_date"]

    @property
    def current_hour(self) -> float:
        return cost_totals(self.servers)["current_hour"]

    @classmethod
    def from_api(cls, raw: dict) -> "GroupBilling":
        groups = {}
        for group_id, entry in (raw.get("groups") or {}).items():
            costs = tuple(
                ServerCost(server_id=str(server_id).upper(), **_cost_fields(c))
                for server_id, c in (entry.get("servers") or {}).items()
            )
            groups[group_id] = (entry.get("name", ""), costs)
        return cls(date=parse_time(raw.get("date")), groups=groups)
