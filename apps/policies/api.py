"""``/api/v1/`` policy reads (the changes are the registry's action routes:
``policies/alert-policies/actions/createAlertPolicy/``, ``policies/alert-policies/<id>/actions/<name>/``,
``datacenters/<dc>/anti-affinity/actions/createAntiAffinityPolicy/``,
``policies/anti-affinity/<id>/actions/<name>/``, ``servers/<id>/actions/attachAlertPolicy/`` ...).

    GET policies/alert-policies/            the account's alert policies (triggers, recipients)
    GET policies/alert-policies/<id>/       one
    GET policies/anti-affinity/             the account's anti-affinity policies and their servers
    GET policies/anti-affinity/<id>/        one
    GET datacenters/<dc>/anti-affinity/     a data center's anti-affinity policies
    GET policies/autoscale/                 the account's vertical autoscale policies
    GET policies/autoscale/<id>/            one
    GET servers/<server_id>/policies/       a server's alert policies (with the alerts firing now),
                                            its autoscale policy, its latest alert per metric

Serializers are derived from the entities (``docs/entities.md``). Errors: ``{"message"}`` with 401,
403 (a role that may not read policies), 404, 503 (the accounts app's one handler).
"""

from drf_spectacular.utils import inline_serializer
from rest_framework import serializers
from rest_framework.response import Response

from apps.accounts.middleware import UNAVAILABLE_MESSAGE
from apps.accounts.reads import ReadView, message_errors, read_schemas, read_view
from apps.clc.entities import AlertPolicyDefinition, AntiAffinityPolicy, AutoscalePolicy, PolicyMapping
from apps.clc.policies import href, server_href
from apps.inventory import selectors as inventory
from apps.webhooks.alerts import alert_json
from portal.dataclass_serializers import dataclass_serializer

from . import selectors

ALERT_ID = "3b5f1ad8b5c84f61a0f3a1c2d4e5f607"
ANTI_ID = "ca8b07035cf844f3b4f953074c2630eb"
SCALE_ID = "3b6f26003c224596bc7e748a0adc97d5"

AlertPolicySerializer = dataclass_serializer(AlertPolicyDefinition, "AlertPolicyDefinitionSerializer")
AntiAffinitySerializer = dataclass_serializer(AntiAffinityPolicy, "AntiAffinityPolicySerializer")
AutoscaleSerializer = dataclass_serializer(AutoscalePolicy, "AutoscalePolicySerializer")
MappingSerializer = dataclass_serializer(PolicyMapping, "PolicyMappingSerializer")


def _list_serializer(name: str, item, **extra):
    """``{**extra, count, results}`` of ``item``s: a class (the views answer through it)."""
    return type(
        inline_serializer(name, {**extra, "count": serializers.IntegerField(), "results": item(many=True)})
    )


AlertListSerializer = _list_serializer("AlertPolicyList", AlertPolicySerializer)
AntiListSerializer = _list_serializer(
    "AntiAffinityPolicyList",
    AntiAffinitySerializer,
    datacenter=serializers.CharField(allow_null=True, help_text="The data center asked for (null: all)"),
)
AutoscaleListSerializer = _list_serializer("AutoscalePolicyList", AutoscaleSerializer)


class AlertSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    server_id = serializers.CharField()
    metric = serializers.CharField()
    state = serializers.CharField(help_text="triggered or notTriggered (cleared)")
    triggered = serializers.BooleanField()
    data = serializers.DictField(help_text="e.g. {cpu, cpuPercent}")
    duration = serializers.CharField()
    started_at = serializers.CharField(allow_null=True)
    ended_at = serializers.CharField(allow_null=True)


class AttachedAlertPolicySerializer(serializers.Serializer):
    id = serializers.CharField()
    name = serializers.CharField()
    policy = AlertPolicySerializer(
        allow_null=True, help_text="Its triggers (null: the list could not be read)"
    )
    firing = AlertSerializer(many=True, help_text="Its metrics' alerts triggered now")
    removable = serializers.BooleanField(help_text="The person may remove it from the server")


class ServerPoliciesSerializer(serializers.Serializer):
    server = serializers.CharField()
    alert_policies = AttachedAlertPolicySerializer(many=True)
    autoscale = MappingSerializer(allow_null=True, help_text="The server's autoscale mapping (null: none)")
    autoscale_policy = AutoscaleSerializer(allow_null=True)
    alerts = AlertSerializer(
        many=True, help_text="The latest alert per metric (webhooks' Alert.Notification)"
    )
    note = serializers.CharField(help_text="What could not be read (empty: all)")


ERRORS = message_errors(
    "PolicyMessage",
    {
        403: ("The person's roles may not read policies.", "You do not have permission to read this."),
        404: (
            "No such policy, data center or server in the person's account.",
            f"No alert policy {ALERT_ID} in your account.",
        ),
        503: ("The cloud API is unavailable.", UNAVAILABLE_MESSAGE),
    },
)


def SELF(href: str, *verbs: str) -> dict:  # noqa: N802  (a link of the examples)
    return {"rel": "self", "href": href, "id": None, "name": None, "verbs": list(verbs or ("GET",))}


EXAMPLE_ALERT = {
    "id": ALERT_ID,
    "name": "CPU above 80%",
    "triggers": [{"metric": "cpu", "duration": "00:05:00", "threshold": 80.0}],
    "recipients": ["ops@example.com"],
    "links": [SELF(href("alert", "demo", ALERT_ID), "GET", "DELETE", "PUT")],
}
EXAMPLE_ANTI = {
    "id": ANTI_ID,
    "name": "Hyperscale Spread",
    "location": "WA1",
    "servers": [{"id": "WA1DEMOHS01", "href": server_href("demo", "WA1DEMOHS01")}],
    "links": [SELF(href("antiAffinity", "demo", ANTI_ID), "GET", "DELETE", "PUT")],
}
EXAMPLE_SCALE = {
    "id": SCALE_ID,
    "name": "Production Database Scale Policy",
    "resource_type": "cpu",
    "threshold_period_minutes": 5,
    "scale_up_increment": 1,
    "min_cpu": 2,
    "max_cpu": 6,
    "scale_up_threshold": 85,
    "scale_down_threshold": 15,
    "window_start": "02:00",
    "window_end": "04:00",
    "links": [SELF(href("autoscale", "demo", SCALE_ID))],
}
EXAMPLE_ALERT_ROW = {
    "id": 41,
    "server_id": "WA1DEMOWEB01",
    "metric": "cpu",
    "state": "triggered",
    "triggered": True,
    "data": {"cpu": 2, "cpuPercent": 95.0},
    "duration": "00:05:00",
    "started_at": "2026-12-01T16:40:00+00:00",
    "ended_at": "2026-12-01T16:50:00+00:00",
}


schema = read_schemas("policies", ERRORS, example="Found")


def _listed(items, **extra) -> dict:
    items = sorted(items, key=lambda p: (getattr(p, "location", ""), p.name.lower(), p.id))
    return {**extra, "count": len(items), "results": items}


def _policy_views(kind: str, segment: str, summaries: tuple[str, str], serializer, listing, example, **extra):
    """The reads of one kind of policy: the account's list (``policies/<segment>/``, ``listing`` its
    serializer, ``extra`` members first) and one policy (``.../<policy_id>/``)."""
    dashed, route, (many, one) = kind.replace("_", "-"), f"policies/{segment}/", summaries
    return (
        read_view(
            schema(f"{kind}_policies_list", many, listing, {**extra, "count": 1, "results": [example]}),
            getattr(selectors, f"{kind}_policies"),
            lambda found: _listed(found.items, **extra),
            url=(route, f"api-{dashed}-policies"),
        ),
        read_view(
            schema(f"{kind}_policy_detail", one, serializer, example),
            getattr(selectors, f"{kind}_policy"),
            url=(f"{route}<str:policy_id>/", f"api-{dashed}-policy"),
        ),
    )


AlertPolicyListView, AlertPolicyView = _policy_views(
    "alert",
    "alert-policies",
    ("The account's alert policies", "One alert policy"),
    AlertPolicySerializer,
    AlertListSerializer,
    EXAMPLE_ALERT,
)
AntiAffinityListView, AntiAffinityView = _policy_views(
    "anti_affinity",
    "anti-affinity",
    ("The account's anti-affinity policies and their servers", "One anti-affinity policy and its servers"),
    AntiAffinitySerializer,
    AntiListSerializer,
    EXAMPLE_ANTI,
    datacenter=None,
)
AutoscaleListView, AutoscaleView = _policy_views(
    "autoscale",
    "autoscale",
    ("The account's vertical (CPU) autoscale policies", "One vertical autoscale policy"),
    AutoscaleSerializer,
    AutoscaleListSerializer,
    EXAMPLE_SCALE,
)


class DataCenterAntiAffinityView(ReadView):
    url = ("datacenters/<str:dc>/anti-affinity/", "api-datacenter-anti-affinity")

    @schema(
        "datacenter_anti_affinity_policies",
        "A data center's anti-affinity policies",
        AntiListSerializer,
        {"datacenter": "WA1", "count": 1, "results": [EXAMPLE_ANTI]},
    )
    def get(self, request, dc: str):
        found = selectors.datacenter_anti_affinity(
            request, dc, client=self.client(request), fresh=self.fresh(request)
        )
        return Response(AntiListSerializer(_listed(found.policies, datacenter=found.dc)).data)


def _server_policies_json(found) -> dict:
    """A server's policies (``selectors.ServerPolicies``) as the API answers them: its alerts as
    the webhooks' store writes them (``alert_json``)."""
    return {
        "server": found.server_id,
        "alert_policies": [
            {
                "id": a.id,
                "name": a.name,
                "policy": a.policy,
                "firing": [alert_json(f) for f in a.firing],
                "removable": a.removable,
            }
            for a in found.alert_policies
        ],
        "autoscale": found.autoscale,
        "autoscale_policy": found.autoscale_policy,
        "alerts": [alert_json(a) for a in found.alerts],
        "note": found.note,
    }


ServerPoliciesView = read_view(
    schema(
        "server_policies",
        "A server's alert policies (and the alerts firing now), its autoscale policy",
        ServerPoliciesSerializer,
        {
            "server": "WA1DEMOWEB01",
            "alert_policies": [
                {
                    "id": ALERT_ID,
                    "name": "CPU above 80%",
                    "policy": EXAMPLE_ALERT,
                    "firing": [EXAMPLE_ALERT_ROW],
                    "removable": True,
                }
            ],
            "autoscale": {
                "id": SCALE_ID,
                "name": "",
                "links": [SELF(server_href("demo", "WA1DEMOWEB01", "/cpuAutoscalePolicy"))],
            },
            "autoscale_policy": EXAMPLE_SCALE,
            "alerts": [EXAMPLE_ALERT_ROW],
            "note": "",
        },
    ),
    selectors.server_policies,
    _server_policies_json,
    url=("servers/<str:server_id>/policies/", "api-server-policies"),
    first=inventory.server_detail,
)
