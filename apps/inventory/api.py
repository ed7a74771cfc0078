"""The inventory's JSON API (``/api/v1/``): thin views and serializers over ``selectors``.

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
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.accounts.middleware import API_EXPIRED_MESSAGE, INVALID_TOKEN_MESSAGE, UNAVAILABLE_MESSAGE
from apps.accounts.services import client_for_request

from . import selectors


# --- serializers (read-only views of the selectors' dataclasses) -----------------------------
class LinkSerializer(serializers.Serializer):
    rel = serializers.CharField()
    href = serializers.CharField()
    id = serializers.CharField(allow_null=True)
    name = serializers.CharField(allow_null=True)
    verbs = serializers.ListField(child=serializers.CharField(), source="allowed_verbs")


class PanelErrorSerializer(serializers.Serializer):
    panel = serializers.CharField()
    message = serializers.CharField()
    status = serializers.IntegerField(allow_null=True)


class PowerSerializer(serializers.Serializer):
    started = serializers.IntegerField()
    stopped = serializers.IntegerField()
    paused = serializers.IntegerField()
    maintenance = serializers.IntegerField()
    archived = serializers.IntegerField()
    other = serializers.IntegerField()
    total = serializers.IntegerField()


class CustomFieldSerializer(serializers.Serializer):
    id = serializers.CharField()
    name = serializers.CharField()
    value = serializers.JSONField(allow_null=True)
    display_value = serializers.CharField()


class ChangeInfoSerializer(serializers.Serializer):
    created_by = serializers.CharField()
    created_date = serializers.DateTimeField(allow_null=True)
    modified_by = serializers.CharField()
    modified_date = serializers.DateTimeField(allow_null=True)


class DataCenterRefSerializer(serializers.Serializer):
    id = serializers.CharField()
    name = serializers.CharField()
    root_group_id = serializers.CharField(allow_null=True)


class GroupRefSerializer(serializers.Serializer):
    id = serializers.CharField()
    name = serializers.CharField()


class ServerRowSerializer(serializers.Serializer):
    id = serializers.CharField()
    name = serializers.CharField()
    description = serializers.CharField()
    group_id = serializers.CharField()
    group_name = serializers.CharField()
    location_id = serializers.CharField()
    status = serializers.CharField()
    power_state = serializers.CharField()
    in_maintenance_mode = serializers.BooleanField()
    cpu = serializers.IntegerField()
    memory_mb = serializers.IntegerField()
    memory_gb = serializers.FloatField()
    storage_gb = serializers.FloatField()
    internal_ips = serializers.ListField(child=serializers.CharField())
    public_ips = serializers.ListField(child=serializers.CharField())
    os_type = serializers.CharField()
    os = serializers.CharField()
    is_template = serializers.BooleanField()
    links = LinkSerializer(many=True)
    error = serializers.CharField(allow_null=True)

    def to_representation(self, row):
        # Hand-written for speed (a data center lists a thousand rows); same shape as the fields.
        return {
            "id": row.id,
            "name": row.name,
            "description": row.description,
            "group_id": row.group_id,
            "group_name": row.group_name,
            "location_id": row.location_id,
            "status": row.status,
            "power_state": row.power_state,
            "in_maintenance_mode": row.in_maintenance_mode,
            "cpu": row.cpu,
            "memory_mb": row.memory_mb,
            "memory_gb": row.memory_gb,
            "storage_gb": row.storage_gb,
            "internal_ips": list(row.internal_ips),
            "public_ips": list(row.public_ips),
            "os_type": row.os_type,
            "os": row.os,
            "is_template": row.is_template,
            "links": [
                {"rel": rel, "href": href, "id": id_, "name": name, "verbs": list(verbs or ("GET",))}
                for rel, href, id_, name, verbs in row.link_data
            ],
            "error": row.error,
        }


class GroupNodeSerializer(serializers.Serializer):
    id = serializers.CharField()
    name = serializers.CharField()
    description = serializers.CharField()
    type = serializers.CharField()
    status = serializers.CharField()
    location_id = serializers.CharField()
    parent_id = serializers.CharField(allow_null=True)
    depth = serializers.IntegerField()
    server_count = serializers.IntegerField(help_text="Servers in this group and all its sub-groups.")
    direct_server_count = serializers.IntegerField()
    server_ids = serializers.ListField(child=serializers.CharField())
    links = LinkSerializer(many=True)
    custom_fields = CustomFieldSerializer(many=True)
    change_info = ChangeInfoSerializer()


# Self-reference: the tree nests to any depth.
GroupNodeSerializer._declared_fields["children"] = GroupNodeSerializer(many=True)


class DataCenterSummarySerializer(serializers.Serializer):
    id = serializers.CharField()
    name = serializers.CharField()
    root_group_id = serializers.CharField(allow_null=True)
    server_count = serializers.IntegerField()
    power = PowerSerializer()
    cpu = serializers.IntegerField()
    memory_gb = serializers.FloatField()
    storage_gb = serializers.FloatField()
    monthly_estimate = serializers.FloatField(allow_null=True)
    month_to_date = serializers.FloatField(allow_null=True)
    error = PanelErrorSerializer(allow_null=True)
    billing_error = PanelErrorSerializer(allow_null=True)
    server_errors = serializers.IntegerField()


class DashboardSerializer(serializers.Serializer):
    count = serializers.SerializerMethodField()
    server_count = serializers.IntegerField()
    power = PowerSerializer()
    cpu = serializers.IntegerField()
    memory_gb = serializers.FloatField()
    storage_gb = serializers.FloatField()
    monthly_estimate = serializers.FloatField(allow_null=True)
    errors = PanelErrorSerializer(many=True)
    results = DataCenterSummarySerializer(many=True, source="datacenters")

    def get_count(self, board) -> int:
        return len(board.datacenters)


class DataCenterServersSerializer(serializers.Serializer):
    count = serializers.SerializerMethodField()
    datacenter = DataCenterRefSerializer()
    group = GroupRefSerializer(source="selected_group", allow_null=True)
    power = PowerSerializer()
    errors = PanelErrorSerializer(many=True, source="server_errors")
    results = ServerRowSerializer(many=True, source="servers")

    def get_count(self, view) -> int:
        return len(view.servers)


def _cost_serializer(name: str, **first: serializers.Field):
    """A server's cost figures (``apps.clc.entities.ServerCost`` / ``ServerCostEstimate``), after
    ``first``."""
    figures = ("current_hour", "month_to_date", "monthly_estimate", "archive_cost", "template_cost")
    return type(name, (serializers.Serializer,), {**first, **{f: serializers.FloatField() for f in figures}})


ServerCostRowSerializer = _cost_serializer("ServerCostRowSerializer", server_id=serializers.CharField())


class GroupCostSerializer(serializers.Serializer):
    group_id = serializers.CharField()
    name = serializers.CharField()
    monthly_estimate = serializers.FloatField()
    month_to_date = serializers.FloatField()
    current_hour = serializers.FloatField()
    servers = ServerCostRowSerializer(many=True)


class BillingSummarySerializer(serializers.Serializer):
    date = serializers.DateTimeField(allow_null=True)
    monthly_estimate = serializers.FloatField()
    month_to_date = serializers.FloatField()
    current_hour = serializers.FloatField()
    groups = GroupCostSerializer(many=True)


class DiskSeriesSerializer(serializers.Serializer):
    path = serializers.CharField()
    capacity_mb = serializers.ListField(child=serializers.FloatField())
    consumed_mb = serializers.ListField(child=serializers.FloatField())


class ServerSeriesSerializer(serializers.Serializer):
    server_id = serializers.CharField()
    timestamps = serializers.ListField(child=serializers.CharField())
    cpu_percent = serializers.ListField(child=serializers.FloatField())
    memory_percent = serializers.ListField(child=serializers.FloatField())
    disk_usage_mb = serializers.ListField(child=serializers.FloatField())
    disks = DiskSeriesSerializer(many=True)


class GroupStatisticsSerializer(serializers.Serializer):
    start = serializers.DateTimeField()
    end = serializers.DateTimeField()
    interval = serializers.CharField()
    servers = ServerSeriesSerializer(many=True)


def _panel_serializer(name: str, data_serializer: type[serializers.Serializer]):
    return type(
        name,
        (serializers.Serializer,),
        {
            "data": data_serializer(allow_null=True),
            "error": PanelErrorSerializer(allow_null=True),
        },
    )


BillingPanelSerializer = _panel_serializer("BillingPanelSerializer", BillingSummarySerializer)
StatisticsPanelSerializer = _panel_serializer("StatisticsPanelSerializer", GroupStatisticsSerializer)


class GroupDetailSerializer(serializers.Serializer):
    group = GroupNodeSerializer()
    datacenter = DataCenterRefSerializer(allow_null=True)
    ancestors = GroupRefSerializer(many=True)
    servers = ServerRowSerializer(many=True)
    server_errors = PanelErrorSerializer(many=True)
    billing = BillingPanelSerializer()
    statistics = StatisticsPanelSerializer()


class IpAddressSerializer(serializers.Serializer):
    internal = serializers.CharField()
    public = serializers.CharField()


class DiskSerializer(serializers.Serializer):
    id = serializers.CharField()
    size_gb = serializers.FloatField()
    partition_paths = serializers.ListField(child=serializers.CharField())


class PartitionSerializer(serializers.Serializer):
    path = serializers.CharField()
    size_gb = serializers.FloatField()


class SnapshotSerializer(serializers.Serializer):
    id = serializers.CharField(allow_null=True)
    name = serializers.CharField()
    links = LinkSerializer(many=True)


class AlertPolicySerializer(serializers.Serializer):
    id = serializers.CharField()
    name = serializers.CharField()
    links = LinkSerializer(many=True)


ServerCostSerializer = _cost_serializer(
    "ServerCostSerializer", date=serializers.DateTimeField(allow_null=True)
)


CostPanelSerializer = _panel_serializer("CostPanelSerializer", ServerCostSerializer)


class ServerDetailSerializer(serializers.Serializer):
    server = ServerRowSerializer()
    host_name = serializers.CharField()
    type = serializers.CharField()
    storage_type = serializers.CharField()
    ip_addresses = IpAddressSerializer(many=True)
    disks = DiskSerializer(many=True)
    partitions = PartitionSerializer(many=True)
    snapshots = SnapshotSerializer(many=True)
    custom_fields = CustomFieldSerializer(many=True)
    alert_policies = AlertPolicySerializer(many=True)
    change_info = ChangeInfoSerializer()
    group = GroupRefSerializer(allow_null=True)
    datacenter = DataCenterRefSerializer(allow_null=True)
    cost = CostPanelSerializer()


MESSAGE = inline_serializer("ErrorMessage", {"message": serializers.CharField()})
SIGN_IN = inline_serializer(
    "SignInAgain", {"message": serializers.CharField(), "login": serializers.CharField(required=False)}
)
ERROR_RESPONSES = {
    401: OpenApiResponse(
        SIGN_IN,
        description="No or an invalid/revoked personal token, or the person's cloud session expired: "
        'sign in to the portal again (`{"message", "login"}`).',
        examples=[
            OpenApiExample("Cloud session expired", {"message": API_EXPIRED_MESSAGE, "login": "/login/"}),
            OpenApiExample("Revoked token", {"message": INVALID_TOKEN_MESSAGE}),
        ],
    ),
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
class InventoryAPIView(APIView):
    """A read: the upstream client's typed errors are the API's exception handler's to answer."""

    def fresh(self, request) -> bool:
        return request.query_params.get("fresh", "").lower() in ("1", "true", "yes")

    def read(self, request, selector, serializer, *args) -> Response:
        """``selector(person, *args)`` with the request's cloud client and ``?fresh``, serialized."""
        result = selector(request.user, *args, client=client_for_request(request), fresh=self.fresh(request))
        return Response(serializer(result).data)


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


FRESH = OpenApiParameter("fresh", bool, description="Bypass the short per-person cache.", required=False)


def read_schema(operation_id: str, summary: str, serializer, *, parameters=(), example: dict | None = None):
    """The schema of a read: ``serializer`` on 200, ``?fresh`` after ``parameters``, the error answers."""
    examples = None
    if example is not None:
        examples = [OpenApiExample("Figures", example, response_only=True, status_codes=["200"])]
    return extend_schema(
        operation_id=operation_id,
        examples=examples,
        summary=summary,
        parameters=[*parameters, FRESH],
        responses={200: serializer, **ERROR_RESPONSES},
    )


class DataCenterListView(InventoryAPIView):
    """Dashboard figures per data center: servers, power states, CPU/memory/storage, monthly cost."""

    @read_schema(
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
    )
    def get(self, request):
        return self.read(request, selectors.dashboard, DashboardSerializer)


class DataCenterServersView(InventoryAPIView):
    """Every server of the data center (or of ``?group=<id>`` and its sub-groups), with links."""

    @read_schema(
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
    )
    def get(self, request, dc: str):
        group = request.query_params.get("group") or None
        return self.read(request, selectors.datacenter_view, DataCenterServersSerializer, dc, group)


class GroupDetailView(InventoryAPIView):
    """A group with its sub-groups, direct servers, billing summary and hourly statistics."""

    @read_schema(
        "group_detail",
        "A group: details, sub-groups, servers, billing summary, last day's statistics",
        GroupDetailSerializer,
    )
    def get(self, request, group_id: str):
        return self.read(request, selectors.group_detail, GroupDetailSerializer, group_id)


class ServerDetailView(InventoryAPIView):
    """A server as the API describes it, with its monthly cost estimate; no credentials."""

    @read_schema(
        "server_detail",
        "A server: details, addresses, disks, snapshots, cost estimate and links",
        ServerDetailSerializer,
    )
    def get(self, request, server_id: str):
        return self.read(request, selectors.server_detail, ServerDetailSerializer, server_id)
