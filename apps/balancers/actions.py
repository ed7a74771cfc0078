"""The load balancer actions, one registry declaration each (``docs/actions.md``).

Targets: a data center's load balancers (``/datacenters/<dc>/load-balancers/``: create one), a load
balancer (``.../<lb_id>/``: edit, delete, add a pool) and a pool (``.../<lb_id>/pools/<pool_id>/``:
edit, delete, its nodes, and one node at a time: enable, disable, take out). Every change applies at
once upstream (no activity), is audited (``datacenter.createLoadBalancer``, ``loadbalancer.*``,
``pool.*``) and drops the account's cached reads. Who may: AccountAdmin, NetworkAdmin, ServerAdmin
(``roles.BALANCERS``), and the links' verbs the cloud returned.
"""

from dataclasses import replace

from django.urls import reverse

from apps.actions.declare import (
    asks,
    at_once,
    creates,
    datacenter_item,
    datacenter_target,
    declare,
    deletes,
    edits,
    fresh_load,
)
from apps.actions.registry import Target, register_target
from apps.actions.roles import BALANCERS
from apps.clc import balancers as clc

from . import selectors
from .forms import BalancerForm, DisableNodeForm, EnableNodeForm, NodeForm, NodesForm, PoolForm


def list_url(dc: str) -> str:
    return reverse("datacenter-balancers", args=[dc.lower()])


def balancer_url(dc: str, lb_id: str) -> str:
    return reverse("balancer", args=[dc.lower(), lb_id])


def pool_url(dc: str, lb_id: str, pool_id: str) -> str:
    return reverse("balancer-pool", args=[dc.lower(), lb_id, pool_id])


datacenter_target(
    "balancers",
    "load-balancers",
    fresh_load(selectors.datacenter_balancers, fresh_on_post=False),
    "load balancers of {dc}",
    "datacenter-balancers",
)
datacenter_item(
    "loadbalancer",
    "load-balancers",
    "lb_id",
    fresh_load(selectors.balancer),
    lambda v: v.balancer,
    "balancer",
    crumbs=lambda v: [(v.dc, reverse("datacenter", args=[v.dc.lower()])), ("Load balancers", list_url(v.dc))],
)
register_target(
    Target(
        name="pool",
        route="datacenters/<str:dc>/load-balancers/<str:lb_id>/pools/<str:pool_id>/",
        load=fresh_load(selectors.pool),
        ident=lambda v: f"{v.balancer.id}/{v.pool.id}",
        title=lambda v: f"{v.balancer.name or v.balancer.id} · port {v.pool.port}",
        url=lambda v: pool_url(v.dc, v.balancer.id, v.pool.id),
        kwargs=lambda v: {"dc": v.dc.lower(), "lb_id": v.balancer.id, "pool_id": v.pool.id},
        crumbs=lambda v: [
            (v.dc, reverse("datacenter", args=[v.dc.lower()])),
            ("Load balancers", list_url(v.dc)),
            (v.balancer.name or v.balancer.id, balancer_url(v.dc, v.balancer.id)),
        ],
    )
)


# --- load balancers ------------------------------------------------------------------------------
def _unsupported(r) -> str | None:
    return f"{r.dc} has no shared load balancers" if r.supported is False else None


declare("balancers", roles=BALANCERS)(
    "createLoadBalancer",
    "New load balancer",
    **creates(
        lambda run: clc.create_balancer(run.client, run.resource.dc, **run.data),
        lambda run, made: balancer_url(run.resource.dc, made),
        lambda run: list_url(run.resource.dc),
    ),
    form=BalancerForm,
    state=_unsupported,
    **at_once("Load balancer created.", "Create load balancer"),
    order=10,
    example={"name": "Web", "description": "Public entry to the web servers", "status": "enabled"},
    description="Create a shared load balancer in the data center (its public address is assigned).",
)


def _what_goes(user, v) -> list[str]:
    lines = [
        f"Port {p.port}: {len(p.nodes)} node{'s' if len(p.nodes) != 1 else ''}" for p in v.balancer.pools
    ]
    return lines or ["It has no pools."]


def _lb(run) -> tuple[str, str]:
    """The run's data center and load balancer id (the upstream paths' first two parts)."""
    return run.resource.dc, run.resource.balancer.id


balancer = declare("loadbalancer", roles=BALANCERS)
balancer(
    "editLoadBalancer",
    "Edit",
    lambda run: clc.update_balancer(run.client, *_lb(run), **run.data),
    form=BalancerForm,
    **edits("Load balancer saved."),
    order=10,
    example={"name": "Web", "description": "Public entry", "status": "disabled"},
    description="Rename, describe, enable or disable a load balancer (fields left out stay as they are).",
)
balancer(
    "createPool",
    "Add pool",
    **creates(
        lambda run: clc.create_pool(run.client, *_lb(run), **run.data),
        lambda run, made: pool_url(*_lb(run), made),
        lambda run: balancer_url(*_lb(run)),
    ),
    form=PoolForm,
    link=("pools", "POST"),
    **at_once("Pool added: now pick its nodes.", "Add pool"),
    order=20,
    example={"port": 80, "method": "roundRobin", "persistence": "standard"},
    description="Add a pool on public port 80 or 443 (one pool per port).",
)
balancer(
    "deleteLoadBalancer",
    "Delete load balancer",
    lambda run: clc.delete_balancer(run.client, *_lb(run)),
    **deletes(
        "Delete {name} and its pools? Its public address stops answering. This can't be undone.",
        "Load balancer deleted.",
        "Delete load balancer",
    ),
    affects=_what_goes,
    then=lambda run: list_url(run.resource.dc),
    order=90,
)


# --- pools and nodes -----------------------------------------------------------------------------
def _ids(run) -> tuple[str, str, str]:
    return *_lb(run), run.resource.pool.id


def _set_nodes(run, nodes):
    return clc.set_nodes(run.client, *_ids(run), nodes)


def _with_node(status: str | None):
    """The pool's node list with ``run.data["node"]`` set to ``status`` (None: taken out)."""

    def call(run):
        key = run.data["node"]
        nodes = []
        for node in run.resource.pool.nodes:
            if node.key != key:
                nodes.append(node)
            elif status is not None:
                nodes.append(replace(node, status=status))
        return _set_nodes(run, nodes)

    return call


def _node_lines(user, v) -> list[str]:
    return [
        f"{r.server.name if r.server is not None else r.node.ip_address} ({r.key}, {r.node.status})"
        for r in v.rows
    ] or ["It has no nodes."]


pool = declare("pool", roles=BALANCERS)
pool(
    "setNodes",
    "Edit nodes",
    lambda run: _set_nodes(run, run.data["nodes"]),
    form=NodesForm,
    link=("nodes", "PUT"),
    **at_once("Nodes saved.", "Save nodes"),
    order=10,
    example={
        "nodes": [
            {"ipAddress": "10.16.0.12", "privatePort": 80, "status": "enabled"},
            {"server": "WA1DEMOWEB02", "privatePort": 80},
            {"ipAddress": "10.16.0.24", "privatePort": 80, "status": "disabled"},
        ]
    },
    description="Replace the pool's nodes: each an internal address (or a server's name) of the data "
    "center and a private port 1-65535, enabled or disabled; [] empties the pool.",
)
pool(
    "editPool",
    "Edit pool",
    lambda run: clc.update_pool(run.client, *_ids(run), **run.data),
    form=PoolForm,
    **edits("Pool saved."),
    order=20,
    example={"port": 443, "method": "leastConnection", "persistence": "sticky"},
    description="Change a pool's port, method or persistence (fields left out stay as they are).",
)
pool(
    "deletePool",
    "Delete pool",
    lambda run: clc.delete_pool(run.client, *_ids(run)),
    **deletes(
        "Delete the pool {name}? Its nodes get no more traffic through it.", "Pool deleted.", "Delete pool"
    ),
    affects=_node_lines,
    then=lambda run: balancer_url(*_lb(run)),
    order=90,
)
for _name, _label, _form, _status, _question, _danger in (
    (
        "disableNode",
        "Disable",
        DisableNodeForm,
        "disabled",
        "Disable {target} (for maintenance)? It gets no traffic until enabled again.",
        True,
    ),
    ("enableNode", "Enable", EnableNodeForm, "enabled", "Enable {target}? It gets traffic again.", False),
    ("removeNode", "Take out", NodeForm, None, "Take {target} out of the pool?", True),
):
    pool(
        _name,
        f"{_label} node",
        _with_node(_status),
        form=_form,
        link=("nodes", "PUT"),
        **asks(_question, danger=_danger),
        **at_once(f"Node {'taken out' if _status is None else _status}.", _label),
        placement="item",
        order=50,
        example={"node": "10.16.0.12:80"},
        description=f"{_label} one node of the pool (named address:port); the other nodes stay as they are.",
    )
