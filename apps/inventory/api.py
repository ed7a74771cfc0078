"""The inventory's JSON API (``/api/v1/``): thin views over ``selectors``; the serializers, derived
from the selectors' dataclasses, are in ``serializers``.

Errors (``{"message"}``, mapped by ``apps.accounts.api_errors`` like every API error): unknown id
-> 404; the cloud API down -> 503 (``Retry-After``); a role that may not read the resource -> 403; no
credentials or a bad personal token -> 401; an expired cloud session -> 401 ``{"message", "login"}``.
"""

from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    inline_serializer,
)
from rest_framework import serializers

from apps.accounts.middleware import UNAVAILABLE_MESSAGE
from apps.accounts.reads import FRESH, UNAUTHORIZED, answer_example, read_view

from . import selectors
from .serializers import (  # noqa: F401  (every serializer stays importable from here)
    AlertPolicySerializer,
    BillingPanelSerializer,
    BillingSummarySerializer,
    ChangeInfoSerializer,
    CostPanelSerializer,
    CustomFieldSerializer,
    DashboardSerializer,
    DataCenterRefSerializer,
    DataCenterServersSerializer,
    DataCenterSummarySerializer,
    DiskSerializer,
    DiskSeriesSerializer,
    GroupCostSerializer,
    GroupDetailSerializer,
    GroupNodeSerializer,
    GroupRefSerializer,
    GroupStatisticsSerializer,
    IpAddressSerializer,
    LinkSerializer,
    PanelErrorSerializer,
    PartitionSerializer,
    PowerSerializer,
    ServerCostRowSerializer,
    ServerCostSerializer,
    ServerDetailSerializer,
    ServerRowSerializer,
    ServerSeriesSerializer,
    SnapshotSerializer,
    StatisticsPanelSerializer,
)

MESSAGE = inline_serializer("ErrorMessage", {"message": serializers.CharField()})
ERROR_RESPONSES = {
    401: UNAUTHORIZED,
    403: OpenApiResponse(
        MESSAGE,
        description="The person's cloud role may not read this.",
        examples=[OpenApiExample("Role", {"message": "You do not have permission to read this resource."})],
    ),
    404: OpenApiResponse(
        MESSAGE,
        description="No such resource in the person's account.",
        examples=[OpenApiExample("Unknown id", {"message": "No server 'WA1NOSUCH01'."})],
    ),
    503: OpenApiResponse(
        MESSAGE,
        description="The cloud API is unavailable (`Retry-After: 5`).",
        examples=[OpenApiExample("Upstream down", {"message": UNAVAILABLE_MESSAGE})],
    ),
}


# --- views -----------------------------------------------------------------------------------
def _power_example(started=0, stopped=0, paused=0, total=0) -> dict:
    return {
        "started": started,
        "stopped": stopped,
        "paused": paused,
        "maintenance": 0,
        "archived": 0,
        "other": 0,
        "total": total,
    }


def read_schema(operation_id: str, summary: str, serializer, *, parameters=(), example: dict | None = None):
    """The schema of a read: ``serializer`` on 200, ``?fresh`` after ``parameters``, the error answers;
    it carries ``serializer`` (what ``read_view`` answers with)."""
    examples = None
    if example is not None:
        examples = [answer_example("Figures", example)]
    decorator = extend_schema(
        operation_id=operation_id,
        examples=examples,
        summary=summary,
        parameters=[*parameters, FRESH],
        responses={200: serializer, **ERROR_RESPONSES},
    )
    decorator.serializer = serializer
    return decorator


DataCenterListView = read_view(
    read_schema(
        "datacenters_list",
        "The person's data centers with server counts, power states, totals and cost",
        DashboardSerializer,
        example={
            "count": 1,
            "server_count": 21,
            "power": _power_example(started=18, stopped=2, paused=1, total=21),
            "cpu": 48,
            "memory_gb": 96.0,
            "storage_gb": 1200.0,
            "monthly_estimate": 1830.5,
            "errors": [],
            "results": [],
        },
    ),
    selectors.dashboard,
    doc="Dashboard figures per data center: servers, power states, CPU/memory/storage, monthly cost.",
)


DataCenterServersView = read_view(
    read_schema(
        "datacenter_servers",
        "Every server of a data center (or of one group's subtree), with its links",
        DataCenterServersSerializer,
        parameters=[
            OpenApiParameter("group", str, description="Only this group and its sub-groups.", required=False)
        ],
        example={
            "count": 0,
            "datacenter": {"id": "WA1", "name": "US West (Seattle)", "root_group_id": "wa1-root"},
            "group": None,
            "power": _power_example(),
            "errors": [],
            "results": [],
        },
    ),
    selectors.datacenter_view,
    doc="Every server of the data center (or of ``?group=<id>`` and its sub-groups), with links.",
    query={"group_id": lambda params: params.get("group") or None},
)


GroupDetailView = read_view(
    read_schema(
        "group_detail",
        "A group: details, sub-groups, servers, billing summary, last day's statistics",
        GroupDetailSerializer,
    ),
    selectors.group_detail,
    doc="A group with its sub-groups, direct servers, billing summary and hourly statistics.",
)
ServerDetailView = read_view(
    read_schema(
        "server_detail",
        "A server: details, addresses, disks, snapshots, cost estimate and links",
        ServerDetailSerializer,
    ),
    selectors.server_detail,
    doc="A server as the API describes it, with its monthly cost estimate; no credentials.",
)
