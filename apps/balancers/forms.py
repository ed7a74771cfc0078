"""Forms of the load balancer actions: the same form validates a page's POST and the API's JSON,
and says what is wrong before anything is sent upstream (a pool port other than 80/443 or taken, a
private port out of 1-65535, a node listed twice, an address that is not one of the data center's
servers)."""

import ipaddress

from django import forms
from rest_framework import serializers

from apps.actions.forms import ActionForm, optional_text
from apps.clc.balancers import METHODS, PERSISTENCES, PORTS, STATUSES, Node

from .editor import NodesWidget, editor_of

MAX_NAME = 256
MAX_DESCRIPTION = 1024
MAX_NODES = 500
METHOD_LABELS = {"roundRobin": "Round robin", "leastConnection": "Least connection"}
PERSISTENCE_LABELS = {"standard": "Standard", "sticky": "Sticky"}


def _no_control(value: str, what: str) -> str:
    if any(ord(ch) < 32 for ch in value):
        raise forms.ValidationError(f"The {what} may not contain control characters.")
    return value


def _choice(value, allowed, what: str, default: str) -> str:
    """One of ``allowed`` in any case; empty means ``default``."""
    text = str(value or "").strip()
    if not text:
        return default
    for option in allowed:
        if option.lower() == text.lower():
            return option
    raise forms.ValidationError(f"The {what} must be {' or '.join(allowed)}.")


def _missing(form, name: str) -> bool:
    """The field was not sent at all (the API's "leave it as it is"), not sent empty."""
    data = form.data
    return form.is_bound and name not in data


# --- load balancers ------------------------------------------------------------------------------
class BalancerForm(ActionForm):
    """Create (``resource``: the data center's load balancers) or edit (a ``BalancerView``)."""

    name = forms.CharField(label="Name", max_length=MAX_NAME, required=False)
    description = optional_text("Description", MAX_DESCRIPTION, rows=2)
    status = forms.CharField(
        label="Status",
        required=False,
        widget=forms.Select(choices=[("enabled", "Enabled"), ("disabled", "Disabled (answers no traffic)")]),
        help_text="enabled or disabled: a disabled load balancer keeps its pools but answers no traffic.",
    )

    @property
    def current(self):
        return getattr(self.resource, "balancer", None)

    def setup(self):
        if self.current is not None and not self.is_bound:
            self.initial.update(
                name=self.current.name, description=self.current.description, status=self.current.status
            )

    def clean_name(self):
        value = self.cleaned_data.get("name", "").strip()
        if not value and self.current is not None and _missing(self, "name"):
            return self.current.name
        if not value:
            raise forms.ValidationError("Give the load balancer a name.")
        return _no_control(value, "name")

    def clean_description(self):
        if self.current is not None and _missing(self, "description"):
            return self.current.description
        return _no_control(self.cleaned_data.get("description", "").strip(), "description")

    def clean_status(self):
        default = self.current.status if self.current is not None else "enabled"
        return _choice(self.cleaned_data.get("status"), STATUSES, "status", default)


# --- pools ---------------------------------------------------------------------------------------
class PoolForm(ActionForm):
    """Create (``resource``: a ``BalancerView``) or edit (a ``PoolView``) a pool."""

    port = forms.IntegerField(
        label="Public port",
        required=False,
        widget=forms.Select(choices=[(80, "80 (HTTP)"), (443, "443 (HTTPS)")]),
        help_text="A pool listens on port 80 or 443; one pool per port.",
    )
    method = forms.CharField(
        label="Method",
        required=False,
        widget=forms.Select(choices=list(METHOD_LABELS.items())),
        help_text="roundRobin or leastConnection",
    )
    persistence = forms.CharField(
        label="Persistence",
        required=False,
        widget=forms.Select(choices=list(PERSISTENCE_LABELS.items())),
        help_text="standard, or sticky (a client keeps its node)",
    )

    @property
    def current(self):
        """The pool being edited (a ``PoolView``'s), None when adding one to a load balancer."""
        return getattr(self.resource, "pool", None)

    def setup(self):
        self.fields["port"].error_messages["invalid"] = "The port must be 80 or 443."
        if self.current is not None and not self.is_bound:
            self.initial.update(
                port=self.current.port, method=self.current.method, persistence=self.current.persistence
            )

    def clean_port(self):
        port = self.cleaned_data.get("port")
        if port is None:
            if self.current is not None:
                return self.current.port
            raise forms.ValidationError("Choose the public port: 80 or 443.")
        if port not in PORTS:
            raise forms.ValidationError(f"The port {port} is not possible: a pool listens on port 80 or 443.")
        pools = self.resource.balancer.pools if self.resource is not None else ()
        for other in pools:
            if other.port == port and (self.current is None or other.id != self.current.id):
                raise forms.ValidationError(f"This load balancer already has a pool on port {port}.")
        return port

    def clean_method(self):
        default = self.current.method if self.current is not None else "roundRobin"
        return _choice(self.cleaned_data.get("method"), METHODS, "method", default)

    def clean_persistence(self):
        default = self.current.persistence if self.current is not None else "standard"
        return _choice(self.cleaned_data.get("persistence"), PERSISTENCES, "persistence", default)


# --- nodes ---------------------------------------------------------------------------------------
class NodeRequestSerializer(serializers.Serializer):
    ipAddress = serializers.CharField(
        required=False, help_text="An internal address of one of the data center's servers"
    )
    server = serializers.CharField(
        required=False, help_text="Or a server's name or id: its first internal address"
    )
    privatePort = serializers.IntegerField(min_value=1, max_value=65535)
    status = serializers.CharField(
        required=False, default="enabled", help_text="enabled (default) or disabled"
    )


class NodesField(forms.Field):
    """The pool's whole new node list: ``[{"ipAddress" | "server", "privatePort", "status"}]``."""

    widget = NodesWidget

    def api_field(self):  # the API schema's type (apps.actions.schema)
        return NodeRequestSerializer(
            many=True, help_text="The pool's whole node list (it replaces the old one)"
        )

    def to_python(self, value):
        if value in (None, ""):
            raise forms.ValidationError("Send the pool's whole node list as nodes ([] empties the pool).")
        if not isinstance(value, list | tuple):
            raise forms.ValidationError("nodes must be a list of {ipAddress, privatePort, status}.")
        if len(value) > MAX_NODES:
            raise forms.ValidationError(f"A pool takes at most {MAX_NODES} nodes.")
        out, problems = [], []
        for number, item in enumerate(value, 1):
            try:
                out.append(_raw_node(item, number))
            except forms.ValidationError as exc:
                problems.extend(exc.messages)
        if problems:
            raise forms.ValidationError(problems[:8])
        return [n for n in out if n is not None]

    def validate(self, value):
        pass  # an empty list is a valid answer: the pool then has no nodes


def _raw_node(item, number: int) -> dict | None:
    if not isinstance(item, dict):
        raise forms.ValidationError(f"Node {number} must be an object with ipAddress and privatePort.")
    lowered = {str(k).lower(): v for k, v in item.items()}
    address = str(lowered.get("ipaddress") or "").strip()
    server = str(lowered.get("server") or "").strip()
    what = address or server or f"node {number}"
    if not address and not server:
        raise forms.ValidationError(f"Node {number} needs an ipAddress (or a server).")
    raw_port = lowered.get("privateport")
    port = raw_port if isinstance(raw_port, int) and not isinstance(raw_port, bool) else None
    if port is None and isinstance(raw_port, str) and raw_port.strip().isdecimal():
        port = int(raw_port.strip())
    if port is None or not 1 <= port <= 65535:
        shown = "" if raw_port is None else str(raw_port)[:20]
        raise forms.ValidationError(
            f"The private port '{shown}' of {what} is not possible: use a number from 1 to 65535."
        )
    status = str(lowered.get("status") or "enabled").strip().lower()
    if status == "deleted":  # the API's way of taking a node out: leave it out
        return None
    if status not in STATUSES:
        raise forms.ValidationError(f"The status of {what} must be enabled or disabled.")
    return {"address": address, "server": server, "port": port, "status": status}


class NodesForm(ActionForm):
    """The pool editor (``resource``: a ``PoolView``): the nodes it keeps, the servers it adds."""

    nodes = NodesField(label="Nodes", required=False)

    def setup(self):
        self.fields["nodes"].widget.editor = editor_of(self.resource, self.data if self.is_bound else None)

    def clean_nodes(self):
        raw = self.cleaned_data.get("nodes") or []
        index = getattr(self.resource, "index", None)
        dc = getattr(self.resource, "dc", "")
        nodes, problems, seen = [], [], set()
        for item in raw:
            address = item["address"]
            if item["server"] and not address:
                row = index.find(item["server"]) if index is not None else None
                if row is None or not row.internal_ips:
                    problems.append(f"There is no server {item['server']} with an internal address in {dc}.")
                    continue
                address = row.internal_ips[0]
            try:
                ipaddress.IPv4Address(address)
            except ValueError:
                problems.append(f"{address} is not an IPv4 address.")
                continue
            if index is not None and index.server(address) is None:
                problems.append(f"{address} is not the internal address of a server in {dc}.")
                continue
            node = Node(address, item["port"], item["status"])
            if node.key in seen:
                problems.append(f"{node.key} is listed twice: each address and port once.")
                continue
            seen.add(node.key)
            nodes.append(node)
        if problems:
            raise forms.ValidationError(problems[:8])
        return nodes


class NodeForm(ActionForm):
    """Names one node of the pool (``?node=10.0.0.5:80``); ``want`` the state it must be in."""

    node = forms.CharField(widget=forms.HiddenInput, max_length=64)
    selects = ("node",)
    want: str | None = None

    def clean_node(self):
        key = self.cleaned_data["node"].strip()
        node = self.resource.node(key) if self.resource is not None else None
        if node is None:
            raise forms.ValidationError(f"{key} is not a node of this pool.")
        if self.want is not None and node.status != self.want:
            raise forms.ValidationError(f"{key} is already {node.status}.")
        return key

    def target_label(self, value: str) -> str:
        row = next((r for r in getattr(self.resource, "rows", ()) if r.key == value), None)
        if row is not None and row.server is not None:
            return f"{row.server.name} ({value})"
        return value


class EnableNodeForm(NodeForm):
    want = "disabled"


class DisableNodeForm(NodeForm):
    want = "enabled"
