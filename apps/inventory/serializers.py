"""The inventory API's serializers, derived from the selectors' dataclasses (and, through them, from
the entities' fields in ``apps.clc.entities``): a field added there is in the JSON and the schema
without a line here. What is written here is only what a type can't say: computed values, the
order clients have seen since v1, the panels' generic ``data`` and the list envelopes."""

from rest_framework import serializers

from portal.dataclass_serializers import dataclass_serializer, serializer_for

from . import selectors

# --- shared shapes ---------------------------------------------------------------------------
LinkSerializer = serializer_for(selectors.LinkInfo)
PanelErrorSerializer = dataclass_serializer(selectors.PanelError)
PowerSerializer = dataclass_serializer(
    selectors.PowerBreakdown, "PowerSerializer", computed={"total": serializers.IntegerField()}
)
CustomFieldSerializer = dataclass_serializer(selectors.CustomFieldInfo, "CustomFieldSerializer")
ChangeInfoSerializer = dataclass_serializer(selectors.ChangeInfoData, "ChangeInfoSerializer")
DataCenterRefSerializer = dataclass_serializer(selectors.DataCenterRef)
GroupRefSerializer = dataclass_serializer(selectors.GroupRef)


def _row_links(row) -> list[dict]:
    # The cached tuples as they are: no Link objects built for a thousand rows.
    return [
        {"rel": rel, "href": href, "id": id_, "name": name, "verbs": list(verbs or ("GET",))}
        for rel, href, id_, name, verbs in row.link_data
    ]


# A data center lists a thousand rows: ``plain`` copies the values instead of DRF's field-by-field path.
ServerRowSerializer = dataclass_serializer(
    selectors.ServerRow,
    exclude=("link_data",),
    computed={"memory_gb": serializers.FloatField(), "links": LinkSerializer(many=True)},
    after={"group_name": "group_id", "memory_gb": "memory_mb", "links": "is_template"},
    plain=True,
    getters={"links": _row_links},
)
# The JSON's order since v1: the tree's placement, then links and fields, the sub-groups last.
GroupNodeSerializer = dataclass_serializer(
    selectors.GroupNode,
    after={"links": "server_ids", "custom_fields": "links", "change_info": "custom_fields"},
)

# --- dashboard and data center ---------------------------------------------------------------
DataCenterSummarySerializer = dataclass_serializer(selectors.DataCenterSummary)


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


# --- group detail ----------------------------------------------------------------------------
ServerCostRowSerializer = dataclass_serializer(selectors.ServerCostRow, "ServerCostRowSerializer")
GroupCostSerializer = dataclass_serializer(selectors.GroupCost)
BillingSummarySerializer = dataclass_serializer(selectors.BillingSummary)
DiskSeriesSerializer = dataclass_serializer(selectors.DiskSeries)
ServerSeriesSerializer = dataclass_serializer(selectors.ServerSeries)
GroupStatisticsSerializer = dataclass_serializer(selectors.GroupStatistics)


def _panel_serializer(name: str, data_serializer: type[serializers.Serializer]):
    """A ``Panel[T]``: ``data`` (T) or the ``error`` that kept it out."""
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

GroupDetailSerializer = dataclass_serializer(
    selectors.GroupDetail,
    exclude=("subgroups",),  # == group.children
    overrides={"billing": BillingPanelSerializer(), "statistics": StatisticsPanelSerializer()},
)

# --- server detail ---------------------------------------------------------------------------
IpAddressSerializer = dataclass_serializer(selectors.IpAddressInfo, "IpAddressSerializer")
DiskSerializer = dataclass_serializer(selectors.DiskInfo, "DiskSerializer")
PartitionSerializer = dataclass_serializer(selectors.PartitionInfo, "PartitionSerializer")
SnapshotSerializer = dataclass_serializer(
    selectors.SnapshotInfo,
    "SnapshotSerializer",
    computed={"id": serializers.CharField(allow_null=True)},
    after={"id": None},
)
AlertPolicySerializer = dataclass_serializer(selectors.AlertPolicyInfo, "AlertPolicySerializer")
ServerCostSerializer = dataclass_serializer(selectors.ServerCostEstimate, "ServerCostSerializer")
CostPanelSerializer = _panel_serializer("CostPanelSerializer", ServerCostSerializer)

ServerDetailSerializer = dataclass_serializer(
    selectors.ServerDetail, overrides={"cost": CostPanelSerializer()}, after={"server": None}
)

__all__ = [
    "AlertPolicySerializer",
    "BillingPanelSerializer",
    "BillingSummarySerializer",
    "ChangeInfoSerializer",
    "CostPanelSerializer",
    "CustomFieldSerializer",
    "DashboardSerializer",
    "DataCenterRefSerializer",
    "DataCenterServersSerializer",
    "DataCenterSummarySerializer",
    "DiskSerializer",
    "DiskSeriesSerializer",
    "GroupCostSerializer",
    "GroupDetailSerializer",
    "GroupNodeSerializer",
    "GroupRefSerializer",
    "GroupStatisticsSerializer",
    "IpAddressSerializer",
    "LinkSerializer",
    "PanelErrorSerializer",
    "PartitionSerializer",
    "PowerSerializer",
    "ServerCostRowSerializer",
    "ServerCostSerializer",
    "ServerDetailSerializer",
    "ServerRowSerializer",
    "ServerSeriesSerializer",
    "SnapshotSerializer",
    "StatisticsPanelSerializer",
]
