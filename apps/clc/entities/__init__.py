"""Typed objects the client returns: the fields the portal uses plus each entity's links.

One module per family (``servers``, ``groups``, ``datacenters``, ``operations``, ``billing``,
``statistics``, ``policies``, ``auth``; ``shared`` holds what several use). Import them from here:
``from apps.clc.entities import Server``.

``raw`` keeps the upstream JSON for fields not modelled here (never shown wholesale to a user).
"""

from .auth import LoginResult
from .billing import GroupBilling, ServerCost, ServerCostEstimate, cost_totals
from .datacenters import DataCenter, DeploymentCapabilities, Network, Template
from .groups import Group, GroupFields
from .operations import TERMINAL_STATUSES, OperationStatus, QueuedResult, StatusLink
from .policies import (
    ALERT_DURATIONS,
    ALERT_METRICS,
    AlertPolicyDefinition,
    AlertTrigger,
    AntiAffinityPolicy,
    AutoscalePolicy,
    PolicyList,
    PolicyMapping,
    PolicyServer,
)
from .servers import AlertPolicy, Disk, IpAddress, Partition, Server, ServerDetails, ServerSummary, Snapshot
from .shared import (
    ChangeInfo,
    CustomField,
    as_dict,
    as_float,
    as_int,
    each,
    field_names,
    parse_time,
    values_of,
)
from .statistics import GuestDiskUsage, ServerStatistics, StatSample

__all__ = [
    "ALERT_DURATIONS",
    "ALERT_METRICS",
    "AlertPolicyDefinition",
    "AlertTrigger",
    "AntiAffinityPolicy",
    "AutoscalePolicy",
    "PolicyList",
    "PolicyMapping",
    "PolicyServer",
    "AlertPolicy",
    "ChangeInfo",
    "CustomField",
    "DataCenter",
    "DeploymentCapabilities",
    "Disk",
    "Group",
    "GroupFields",
    "GroupBilling",
    "GuestDiskUsage",
    "IpAddress",
    "LoginResult",
    "Network",
    "OperationStatus",
    "Partition",
    "QueuedResult",
    "Server",
    "ServerCost",
    "ServerCostEstimate",
    "ServerDetails",
    "ServerStatistics",
    "ServerSummary",
    "Snapshot",
    "StatSample",
    "StatusLink",
    "TERMINAL_STATUSES",
    "Template",
    "as_dict",
    "as_float",
    "as_int",
    "cost_totals",
    "each",
    "field_names",
    "parse_time",
    "values_of",
]
