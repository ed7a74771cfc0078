"""``/api/v1/`` monitoring reads (the changes are the registry's action routes:
``groups/<id>/schedules/actions/createSchedule/``, ``groups/<id>/schedules/<schedule_id>/actions/
editSchedule|deleteSchedule/``, ``groups/<id>/autoscale/actions/setAutoscale|removeAutoscale/``).

    GET servers/<id>/statistics/?range=hour|day|week|14d      a server's samples over the range
    GET groups/<id>/statistics/?range=...                     every server's of the group (and below)
    GET groups/<id>/schedules/                                scheduled activities, next run, autoscale
    GET horizontal-autoscale-policies/                        the account's horizontal policies
    GET servers/<id>/external-operations/                     what the cloud did by itself (webhooks)
    GET groups/<id>/external-operations/                      the same, on the group's servers

Errors: ``{"message"}`` with 400 (a range the cloud refuses), 401, 403, 404, 503.
"""

from drf_spectacular.utils import OpenApiParameter
from rest_framework import serializers
from rest_framework.exceptions import ParseError
from rest_framework.response import Response

from apps.accounts.middleware import UNAVAILABLE_MESSAGE
from apps.accounts.reads import ReadView, message_errors, read_schemas, read_view
from apps.clc.horizontal_autoscale import HorizontalMapping, HorizontalPolicy
from apps.clc.schedules import ScheduledActivity
from apps.clc.schedules import href as schedule_href
from apps.inventory import selectors as inventory
from apps.inventory.serializers import LinkSerializer, ServerSeriesSerializer
from portal.dataclass_serializers import dataclass_serializer

from . import presenting, selectors

GROUP_ID = "7b1d2c3e4f5a6b7c8d9e0f1a2b3c4d5e"
RANGE = OpenApiParameter(
    "range",
    str,
    enum=list(selectors.RANGES),
    description="last hour (5-minute samples), day (hourly), week (4-hourly), 14d (8-hourly); default day",
)


ERRORS = message_errors(
    "MonitoringMessage",
    {
        400: ("The cloud refused the range.", "Statistics are kept for 14 days."),
        403: ("The person's roles may not read this.", "You do not have permission to read this."),
        404: ("No such server or group in the person's account.", "No group 7b1d... in your account."),
        503: ("The cloud API is unavailable.", UNAVAILABLE_MESSAGE),
    },
)
_schema = read_schemas("monitoring", ERRORS, example="Found")
_ranged = read_schemas("monitoring", ERRORS, example="Found", parameters=[RANGE])


class StatisticsSerializer(serializers.Serializer):
    range = serializers.CharField(help_text="hour, day, week or 14d")
    start = serializers.DateTimeField()
    end = serializers.DateTimeField()
    interval = serializers.CharField(help_text="sampleInterval, dd:hh:mm:ss")
    servers = ServerSeriesSerializer(many=True)


class DescribedField(serializers.CharField):
    """A schedule's what and when, for people (``presenting.describe``)."""

    def __init__(self, **kwargs):
        super().__init__(source="*", **kwargs)

    def to_representation(self, value):
        return presenting.describe(value)


# The entities' fields (``apps.clc.schedules``, ``apps.clc.horizontal_autoscale``), in the order
# clients have seen since v1.
ScheduleSerializer = dataclass_serializer(
    ScheduledActivity,
    "ScheduleSerializer",
    exclude=("group_id", "location_id", "change_info"),
    overrides={
        "type": serializers.CharField(help_text="shutdown, poweron, pause, reboot, createsnapshot, ..."),
        "status": serializers.CharField(help_text="on or off"),
        "links": LinkSerializer(many=True),
    },
    computed={"description": DescribedField(help_text="What and when, for people")},
    after={
        "type": "id",
        "description": "type",
        "custom_weekly_days": "repeat",
        "time_zone_offset": "expire_date",
    },
)
AutoscaleSerializer = dataclass_serializer(
    HorizontalMapping,
    "AutoscaleSerializer",
    exclude=("group_id", "scale_direction", "links"),
    overrides={"load_balancer": serializers.DictField(allow_null=True)},
)
PolicySerializer = dataclass_serializer(HorizontalPolicy, "PolicySerializer", exclude=("raw",))


class AutomationSerializer(serializers.Serializer):
    group = serializers.CharField(source="id")
    name = serializers.CharField()
    next_run = serializers.CharField(
        source="next_run.id", allow_null=True, help_text="The id of the activity that runs next"
    )
    schedules = ScheduleSerializer(many=True)
    autoscale = AutoscaleSerializer(allow_null=True)


class ExternalSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    operation = serializers.CharField()
    summary = serializers.CharField()
    actor = serializers.CharField(help_text="Who or what made the change, as the cloud told it")
    resource_ids = serializers.ListField(child=serializers.CharField())
    at = serializers.DateTimeField(source="created_at")


SERIES_EXAMPLE = {
    "server_id": "WA1DEMOWEB01",
    "timestamps": ["2026-12-01T10:00:00Z", "2026-12-01T11:00:00Z"],
    "cpu_percent": [21.5, 34.0],
    "memory_percent": [48.2, 51.0],
    "disk_usage_mb": [40960.0, 40960.0],
    "disks": [{"path": "/", "capacity_mb": [40607.0, 40607.0], "consumed_mb": [16619.0, 16700.0]}],
    "network_received_kbps": [120.4, 98.1],
    "network_transmitted_kbps": [80.0, 61.2],
}
STATS_EXAMPLE = {
    "range": "day",
    "start": "2026-11-30T11:00:00Z",
    "end": "2026-12-01T11:00:00Z",
    "interval": "01:00:00",
    "servers": [SERIES_EXAMPLE],
}
SCHEDULE_EXAMPLE = {
    "id": "5f0c1b2a3d4e5f60718293a4b5c6d7e8",
    "type": "shutdown",
    "description": "Power off (shut down), every day at 20:00 (UTC+00:00)",
    "status": "on",
    "begin": "2026-12-01T20:00:00Z",
    "repeat": "daily",
    "custom_weekly_days": [],
    "expire": "never",
    "expire_count": None,
    "expire_date": None,
    "time_zone_offset": "00:00:00",
    "is_expired": False,
    "occurrence_count": 3,
    "last_occurrence": "2026-12-03T20:00:00Z",
    "next_occurrence": "2026-12-04T20:00:00Z",
    "links": [
        {
            "rel": "self",
            "href": schedule_href("demo", GROUP_ID, "5f0c1b2a3d4e5f60718293a4b5c6d7e8"),
            "id": None,
            "name": None,
            "verbs": ["GET", "PUT", "DELETE"],
        }
    ],
}


def _stats_json(charts) -> dict:
    s = charts.statistics
    return {
        "range": charts.range.key,
        "start": s.start,
        "end": s.end,
        "interval": s.interval,
        "servers": s.servers,
    }


def _range(params) -> selectors.Range:
    """The ``range`` asked for (default: the day); one that is not a range is a 400."""
    value = params.get("range")
    if value is None or value == "":
        return selectors.RANGES[selectors.DEFAULT_RANGE]
    rng = selectors.RANGES.get(value.strip().lower())
    if rng is None:
        raise ParseError(f"range must be one of {', '.join(selectors.RANGES)}.")
    return rng


def _statistics_view(kind: str, selector, summary: str):
    """``<kind>s/<id>/statistics/?range=``: the samples of a server or of a group's servers."""
    return read_view(
        _ranged(f"{kind}_statistics", summary, StatisticsSerializer, STATS_EXAMPLE),
        selector,
        _stats_json,
        url=(f"{kind}s/<str:{kind}_id>/statistics/", f"api-{kind}-statistics"),
        query={"rng": _range},
    )


ServerStatisticsView = _statistics_view(
    "server", selectors.server_charts, "A server's CPU, memory, disk and network samples over a range"
)
GroupStatisticsView = _statistics_view(
    "group", selectors.group_charts, "Every server's samples of a group (and its sub-groups) over a range"
)


GroupSchedulesView = read_view(
    _schema(
        "group_schedules",
        "A group's scheduled activities (the next run first) and horizontal autoscale policy",
        AutomationSerializer,
        {
            "group": GROUP_ID,
            "name": "Web",
            "next_run": SCHEDULE_EXAMPLE["id"],
            "schedules": [SCHEDULE_EXAMPLE],
            "autoscale": None,
        },
    ),
    selectors.group_automation,
    url=("groups/<str:group_id>/schedules/", "api-group-schedules"),
)


HorizontalPoliciesView = read_view(
    _schema(
        "horizontal_autoscale_policies",
        "The account's horizontal autoscale policies (what setAutoscale takes)",
        PolicySerializer(many=True),
        {"id": "a1b2c3d4e5f60718293a4b5c6d7e8f90", "name": "Web Tier Scale Out", "minimum_server_count": 2},
    ),
    selectors.horizontal_policies,
    url=("horizontal-autoscale-policies/", "api-horizontal-autoscale-policies"),
)


EXTERNAL_EXAMPLE = {  # one of the list (the schema shows it listed)
    "id": 812,
    "operation": "Server.Updated",
    "summary": "power started → stopped",
    "actor": "scheduler",
    "resource_ids": ["WA1DEMOWEB01"],
    "at": "2026-12-01T20:00:41Z",
}


def _external_view(server_ids, kind: str, summary: str) -> type[ReadView]:
    """A GET of ``<kind>s/<id>/external-operations/``: what the cloud did by itself to the servers
    ``server_ids(user, id, client)`` names (newest first, 50 at most)."""

    class External(ReadView):
        url = (f"{kind}s/<str:{kind}_id>/external-operations/", f"api-{kind}-external-operations")

        @_schema(f"{kind}_external_operations", summary, ExternalSerializer(many=True), EXTERNAL_EXAMPLE)
        def get(self, request, **kwargs):
            ids = server_ids(request.user, *kwargs.values(), client=self.client(request))
            found = selectors.external_operations(request.user, ids, limit=50)
            return Response(ExternalSerializer(found, many=True).data)

    return External


ServerExternalView = _external_view(
    lambda user, server_id, client: [inventory.server_detail(user, server_id, client=client).server.id],
    "server",
    "What the cloud did to a server by itself (newest first)",
)
GroupExternalView = _external_view(
    lambda user, group_id, client: [
        s.id for s in inventory.group_detail(user, group_id, client=client).servers
    ],
    "group",
    "What the cloud did to a group's servers by itself (newest first)",
)
