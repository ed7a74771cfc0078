"""``/api/v1/`` load balancer reads (the changes are the registry's action routes:
``datacenters/<dc>/load-balancers/actions/createLoadBalancer/``, ``.../<lb_id>/actions/<name>/``,
``.../<lb_id>/pools/<pool_id>/actions/<name>/``).

    GET datacenters/<dc>/load-balancers/                       the data center's load balancers
    GET datacenters/<dc>/load-balancers/<lb_id>/               one, its pools and their nodes
    GET datacenters/<dc>/load-balancers/<lb_id>/pools/<id>/    one pool and its nodes
    GET servers/<server_id>/load-balancer-pools/               the pools a server is a node of

Each node says which server holds its address (when the person may read servers) and why it serves
no traffic (``flag``: server stopped, paused, archived, no server). Errors: ``{"message"}`` with 401,
403 (a role that may not list load balancers), 404, 503.
"""

from dataclasses import replace

from rest_framework import serializers

from apps.accounts.middleware import UNAVAILABLE_MESSAGE
from apps.accounts.reads import CloudLinkSerializer, message_errors, read_schemas, read_view
from apps.clc.balancers import LoadBalancer, Pool, href
from apps.clc.entities import ServerSummary
from apps.inventory import selectors as inventory
from portal.dataclass_serializers import dataclass_serializer

from . import selectors

LB_ID = "c3a3f7e1b0d24d6f9a0e4b1c2d3e4f50"
POOL_ID = "0f1e2d3c4b5a69788796a5b4c3d2e1f0"


# What a node, a server's pool and its load balancer show of each other: a few of the entities' fields.
BalancerNodeServerSerializer = dataclass_serializer(
    ServerSummary, "BalancerNodeServerSerializer", only=("id", "name", "status", "power_state")
)
MembershipBalancerSerializer = dataclass_serializer(
    LoadBalancer, "MembershipBalancerSerializer", only=("id", "name", "datacenter", "status")
)
MembershipPoolSerializer = dataclass_serializer(Pool, "MembershipPoolSerializer", only=("id", "port"))


class BalancerNodeSerializer(serializers.Serializer):
    ip_address = serializers.CharField(source="node.ip_address")
    private_port = serializers.IntegerField(source="node.private_port")
    status = serializers.CharField(source="node.status", help_text="enabled or disabled")
    server = BalancerNodeServerSerializer(
        allow_null=True, help_text="The server holding the address (null: unknown)"
    )
    flag = serializers.CharField(help_text="Why the node serves no traffic (empty: nothing to say)")


# The entities' fields (``apps.clc.balancers``); a pool's nodes are shown with their server and flag.
BalancerPoolSerializer = dataclass_serializer(
    Pool,
    "BalancerPoolSerializer",
    overrides={"nodes": BalancerNodeSerializer(many=True), "links": CloudLinkSerializer(many=True)},
)
BalancerSerializer = dataclass_serializer(
    LoadBalancer,
    "BalancerSerializer",
    overrides={"pools": BalancerPoolSerializer(many=True), "links": CloudLinkSerializer(many=True)},
    after={"description": "name"},
)


class BalancerListSerializer(serializers.Serializer):
    datacenter = serializers.CharField()
    supported = serializers.BooleanField(
        allow_null=True, help_text="The data center offers shared load balancers"
    )
    count = serializers.IntegerField()
    results = BalancerSerializer(many=True)


class BalancerMembershipSerializer(serializers.Serializer):
    load_balancer = MembershipBalancerSerializer(source="balancer")
    pool = MembershipPoolSerializer()
    ip_address = serializers.CharField(source="node.ip_address")
    private_port = serializers.IntegerField(source="node.private_port")
    status = serializers.CharField(source="node.status")


class ServerPoolsSerializer(serializers.Serializer):
    server = serializers.CharField()
    count = serializers.IntegerField()
    results = BalancerMembershipSerializer(many=True)


def _pool_json(pool, rows):
    """The pool as shown: each node (a ``NodeRow``) with the server behind its address and its flag."""
    return replace(pool, nodes=tuple(rows))


def _balancer_json(lb, index=None):
    pools = sorted(lb.pools, key=lambda p: p.port)
    return replace(lb, pools=tuple(_pool_json(p, selectors.node_rows(p, index)) for p in pools))


ERRORS = message_errors(
    "BalancerMessage",
    {
        403: ("The person's roles may not list load balancers.", "You do not have permission to read this."),
        404: (
            "No such data center, load balancer, pool or server in the person's account.",
            "No load balancer c3a3f7e1b0d24d6f9a0e4b1c2d3e4f50 in WA1.",
        ),
        503: ("The cloud API is unavailable.", UNAVAILABLE_MESSAGE),
    },
)
EXAMPLE_NODE = {
    "ip_address": "10.16.0.12",
    "private_port": 80,
    "status": "enabled",
    "server": {"id": "WA1DEMOWEB01", "name": "WA1DEMOWEB01", "status": "active", "power_state": "started"},
    "flag": "",
}
EXAMPLE_POOL = {
    "id": POOL_ID,
    "port": 80,
    "method": "roundRobin",
    "persistence": "standard",
    "nodes": [
        EXAMPLE_NODE,
        {
            **EXAMPLE_NODE,
            "ip_address": "10.16.0.24",
            "status": "disabled",
            "server": {
                "id": "WA1DEMOWEB03",
                "name": "WA1DEMOWEB03",
                "status": "active",
                "power_state": "stopped",
            },
            "flag": "server stopped",
        },
    ],
    "links": [
        {
            "rel": "self",
            "href": href("demo", "wa1", LB_ID, POOL_ID),
            "verbs": ["GET", "PUT", "DELETE"],
        },
        {
            "rel": "nodes",
            "href": href("demo", "wa1", LB_ID, POOL_ID, "/nodes"),
            "verbs": ["GET", "PUT"],
        },
    ],
}
EXAMPLE_LB = {
    "id": LB_ID,
    "name": "Web Frontend",
    "description": "Public entry to the web servers",
    "datacenter": "WA1",
    "ip_address": "66.150.160.11",
    "status": "enabled",
    "pools": [EXAMPLE_POOL],
    "links": [
        {
            "rel": "self",
            "href": href("demo", "wa1", LB_ID),
            "verbs": ["GET", "PUT", "DELETE"],
        },
        {"rel": "pools", "href": href("demo", "wa1", LB_ID, tail="/pools"), "verbs": ["GET", "POST"]},
    ],
}


_schema = read_schemas("load balancers", ERRORS, "Found")


BalancerListView = read_view(
    _schema(
        "loadbalancers_list",
        "A data center's shared load balancers with their pools and nodes",
        BalancerListSerializer,
        {"datacenter": "WA1", "supported": True, "count": 1, "results": [EXAMPLE_LB]},
    ),
    selectors.datacenter_balancers,
    lambda found: {
        "datacenter": found.dc,
        "supported": found.supported,
        "count": len(found.balancers),
        "results": [_balancer_json(lb) for lb in found.balancers],
    },
    url=("datacenters/<str:dc>/load-balancers/", "api-balancers"),
)
BalancerDetailView = read_view(
    _schema(
        "loadbalancer_detail",
        "One load balancer, its pools, and each node's server and flag",
        BalancerSerializer,
        EXAMPLE_LB,
    ),
    selectors.balancer,
    lambda view: _balancer_json(view.balancer, view.index),
    url=("datacenters/<str:dc>/load-balancers/<str:lb_id>/", "api-balancer"),
)
PoolDetailView = read_view(
    _schema(
        "loadbalancer_pool_detail",
        "One pool and each node's server and flag",
        BalancerPoolSerializer,
        EXAMPLE_POOL,
    ),
    selectors.pool,
    lambda view: _pool_json(view.pool, view.rows),
    url=("datacenters/<str:dc>/load-balancers/<str:lb_id>/pools/<str:pool_id>/", "api-balancer-pool"),
)


ServerPoolsView = read_view(
    _schema(
        "server_loadbalancer_pools",
        "The load balancer pools a server is a node of",
        ServerPoolsSerializer,
        {
            "server": "WA1DEMOWEB01",
            "count": 1,
            "results": [
                {
                    "load_balancer": {
                        "id": LB_ID,
                        "name": "Web Frontend",
                        "datacenter": "WA1",
                        "status": "enabled",
                    },
                    "pool": {"id": POOL_ID, "port": 80},
                    "ip_address": "10.16.0.12",
                    "private_port": 80,
                    "status": "enabled",
                }
            ],
        },
    ),
    selectors.pools_of_server,
    lambda found: {"server": found.server.id, "count": len(found.memberships), "results": found.memberships},
    url=("servers/<str:server_id>/load-balancer-pools/", "api-server-balancer-pools"),
    first=inventory.server_detail,
)
