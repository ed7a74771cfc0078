"""Inventory reads for pages and the API: data centers, the group tree, servers (docs/inventory-interface.md).

Each selector takes the signed-in person, fetches live through ``apps.clc`` with their token, and
caches the result briefly per person (``apps.inventory.cache``). The main resource of a page is
required (its failure raises); side panels (billing, statistics, a server's cost) carry a
``PanelError`` instead, so one failing call never blanks a page.

Upstream calls per page, cold (N = servers shown):

* data center view: 1 data center GET (root group link; cached an hour, it never changes)
  + 1 detailed tree GET (``?serverDetail=detailed``: the root group nests the whole tree and each
  group's servers as full objects);
* dashboard: 1 data center list + per data center (1 + 1 detailed tree + 1 group billing), in one
  bounded fan-out;
* group detail: 1 detailed group GET (its direct servers come with it) + billing + statistics
  (+ the data center tree for breadcrumbs unless cached);
* server detail: 1 server GET + its cost (``billing`` link) + its group.

Per-server GETs remain where no group answer serves: a server's own page (read fresh, with its
cost), the rows an action or a webhook changed (``patches``), the visibility check before an
action, credentials; and, against an upstream that ignores ``serverDetail`` (group answers with
server links only), every server named by link only (``upstream-fallback`` in ``Server-Timing``).

One module per page or piece: ``datacenters`` (the data center view), ``dashboard``, ``groups``,
``servers``, ``panels`` (billing and statistics), ``rows`` (server rows, group tree nodes) and
``common`` (client, id checks, fan-out, panels). Import every name from here:
``from apps.inventory.selectors import ServerRow, datacenter_view``.

For the apps that read around a server or group page (``apps.monitoring``) the shared steps are
public too: ``checked_id(value, "server")`` (an id from the URL, or ``NotFound``), ``run_tasks(tasks)``
(one bounded fan-out, a ``ClcError`` in place) and ``reraise_fatal(result)`` (a 401 propagates).
"""

from . import common, datacenters
from .common import NotFound, Panel, PanelError, checked_id, reraise_fatal, run_tasks
from .dashboard import Dashboard, DataCenterSummary, dashboard, dashboard_datacenters, dashboard_line
from .datacenters import DataCenterView, datacenter_servers, datacenter_view
from .groups import GroupDetail, GroupForChange, active_servers_below, group_detail, group_for_change
from .panels import (
    BillingSummary,
    DiskSeries,
    GroupCost,
    GroupStatistics,
    ServerSeries,
    group_statistics,
    server_series,
    statistics_window,
)
from .rows import (
    AlertPolicyInfo,
    ChangeInfoData,
    CustomFieldInfo,
    DataCenterRef,
    DiskInfo,
    GroupNode,
    GroupRef,
    IpAddressInfo,
    LinkInfo,
    PartitionInfo,
    PowerBreakdown,
    ServerCostRow,
    ServerRow,
    SnapshotInfo,
)
from .servers import (
    Credentials,
    ServerCostEstimate,
    ServerDetail,
    checked_server_ids,
    require_visible_servers,
    server_credentials,
    server_detail,
)

# What code written against the single module may still reach for (underscored: package-internal).
_panel = common._panel
ROOT_GROUP_SECONDS = datacenters.ROOT_GROUP_SECONDS
_DataCenterData = datacenters._DataCenterData  # cached entries pickled before the split

__all__ = [
    "group_statistics",
    "server_series",
    "statistics_window",
    "AlertPolicyInfo",
    "BillingSummary",
    "ChangeInfoData",
    "Credentials",
    "CustomFieldInfo",
    "Dashboard",
    "DataCenterRef",
    "DataCenterSummary",
    "DataCenterView",
    "DiskInfo",
    "DiskSeries",
    "GroupCost",
    "GroupDetail",
    "GroupNode",
    "GroupRef",
    "GroupStatistics",
    "IpAddressInfo",
    "LinkInfo",
    "NotFound",
    "Panel",
    "PanelError",
    "PartitionInfo",
    "PowerBreakdown",
    "ServerCostEstimate",
    "ServerCostRow",
    "ServerDetail",
    "ServerRow",
    "ServerSeries",
    "SnapshotInfo",
    "dashboard",
    "dashboard_datacenters",
    "dashboard_line",
    "datacenter_servers",
    "datacenter_view",
    "group_detail",
    "GroupForChange",
    "active_servers_below",
    "checked_id",
    "checked_server_ids",
    "reraise_fatal",
    "run_tasks",
    "group_for_change",
    "require_visible_servers",
    "server_credentials",
    "server_detail",
]
