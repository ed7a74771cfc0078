"""``/api/v1/`` reads of networks and firewall policies (the changes are the registry's action
routes: ``/api/v1/datacenters/<dc>/networks/actions/claimNetwork/`` and the like).

Errors are the middleware's: ``{"message"}`` with 401 (sign in again), 403 (the role may not read
it), 404 (no such data center, network, server or policy in the account), 503 (the cloud did not
answer). ``?fresh=1`` reads the cloud again instead of the short per-person cache.
"""

from drf_spectacular.utils import (
    OpenApiResponse,
    inline_serializer,
)
from rest_framework import serializers

from apps.accounts.middleware import UNAVAILABLE_MESSAGE
from apps.accounts.reads import (
    FRESH,
    UNAUTHORIZED,
    CloudLinkSerializer,
    message_answer,
    read_schemas,
    read_view,
)
from apps.clc.networks import Network
from apps.inventory import selectors as inventory
from portal.dataclass_serializers import dataclass_serializer

from . import selectors
from .selectors_firewall import cross_policy, firewall, intra_policy

NET_ID = "1656705662d56723947a71bd314f1f15"
LINKS = [
    {"rel": "self", "href": f"/v2-experimental/networks/DEMO/WA1/{NET_ID}", "verbs": ["GET", "PUT"]},
    {
        "rel": "ipAddresses",
        "href": f"/v2-experimental/networks/DEMO/WA1/{NET_ID}/ipAddresses",
        "verbs": ["GET"],
    },
    {"rel": "release", "href": f"/v2-experimental/networks/DEMO/WA1/{NET_ID}/release", "verbs": ["POST"]},
]
NETWORK_EXAMPLE = {
    "id": NET_ID,
    "name": "vlan_700_10.16.0",
    "description": "vlan_700_10.16.0",
    "cidr": "10.16.0.0/24",
    "gateway": "10.16.0.1",
    "netmask": "255.255.255.0",
    "type": "private",
    "vlan": 700,
    "location": "WA1",
    "releasing": False,
    "links": LINKS,
}
USE_EXAMPLE = {"claimed": 19, "free": 221, "public": 3, "total": 240, "percent": 8}


# --- serializers ---------------------------------------------------------------------------------
NetworkSerializer = dataclass_serializer(  # the entity's fields (``apps.clc.networks``)
    Network,
    "NetworkSerializer",
    exclude=("addresses",),
    overrides={"links": CloudLinkSerializer(many=True)},
    computed={
        "releasing": serializers.BooleanField(help_text="The cloud is releasing it (it goes away when done).")
    },
    after={"releasing": "location"},
)


class AddressUseSerializer(serializers.Serializer):
    claimed = serializers.IntegerField(help_text="Private addresses claimed by servers.")
    free = serializers.IntegerField()
    public = serializers.IntegerField(help_text="Public addresses mapped to addresses of the network.")
    total = serializers.IntegerField()
    percent = serializers.IntegerField()


class NetworkRowSerializer(serializers.Serializer):
    network = NetworkSerializer()
    use = AddressUseSerializer(allow_null=True)
    error = serializers.CharField(help_text="Why its addresses could not be read (use is null then).")


class DataCenterNetworksSerializer(serializers.Serializer):
    datacenter = serializers.CharField(source="dc")
    count = serializers.SerializerMethodField()
    results = NetworkRowSerializer(many=True, source="rows")

    def get_count(self, view) -> int:
        return len(view.rows)


class NetworkAddressSerializer(serializers.Serializer):
    address = serializers.CharField()
    claimed = serializers.BooleanField()
    server = serializers.CharField(help_text="The server holding it (empty when free).")
    type = serializers.CharField(help_text="private or publicMapped")


class NetworkDetailSerializer(serializers.Serializer):
    network = NetworkSerializer()
    use = AddressUseSerializer()
    servers = serializers.ListField(child=serializers.CharField())
    addresses = NetworkAddressSerializer(many=True)


class ServerNetworkSerializer(serializers.Serializer):
    network = NetworkSerializer(
        allow_null=True, help_text="null: an address in none of the account's networks"
    )
    addresses = serializers.ListField(child=serializers.CharField())
    primary = serializers.BooleanField()


class PublicIpPortSerializer(serializers.Serializer):
    protocol = serializers.CharField()
    port = serializers.IntegerField()
    port_to = serializers.IntegerField(allow_null=True)
    spec = serializers.CharField(help_text="tcp/80, udp/1000-2000, icmp")


class PublicIpRulesSerializer(serializers.Serializer):
    ports = PublicIpPortSerializer(many=True)
    source_restrictions = serializers.ListField(child=serializers.CharField())


class PublicIpSerializer(serializers.Serializer):
    address = serializers.CharField()
    internal = serializers.CharField()
    rules = PublicIpRulesSerializer(allow_null=True)
    error = serializers.CharField()
    editable = serializers.BooleanField()


class ServerNetworksSerializer(serializers.Serializer):
    datacenter = serializers.CharField(source="dc")
    networks = ServerNetworkSerializer(many=True, source="attached")
    available = NetworkSerializer(many=True, help_text="Networks of its data center it could be added to.")
    public_ips = PublicIpSerializer(many=True)


class FirewallEndpointSerializer(serializers.Serializer):
    cidr = serializers.CharField()
    network_id = serializers.CharField(source="network.id", default=None, allow_null=True)
    network_name = serializers.CharField(source="network.name", default=None, allow_null=True)


class IntraPolicySerializer(serializers.Serializer):
    id = serializers.CharField()
    status = serializers.CharField(source="policy.status", help_text="pending, active or error")
    enabled = serializers.BooleanField(source="policy.enabled")
    source = FirewallEndpointSerializer(many=True, source="sources")
    destination = FirewallEndpointSerializer(many=True, source="destinations")
    ports = serializers.ListField(child=serializers.CharField(), source="policy.ports")
    destination_account = serializers.CharField(source="policy.destination_account")
    links = CloudLinkSerializer(many=True)


class CrossPolicySerializer(serializers.Serializer):
    id = serializers.CharField()
    status = serializers.CharField(source="policy.status", help_text="pending, active or error")
    enabled = serializers.BooleanField(source="policy.enabled")
    source = FirewallEndpointSerializer()
    destination = FirewallEndpointSerializer()
    destination_location = serializers.CharField(source="policy.destination_location")
    destination_account = serializers.CharField(source="policy.destination_account")
    links = CloudLinkSerializer(many=True)


class FirewallPoliciesSerializer(serializers.Serializer):
    datacenter = serializers.CharField(source="dc")
    intra = IntraPolicySerializer(many=True)
    cross = CrossPolicySerializer(many=True)
    errors = serializers.SerializerMethodField()

    def get_errors(self, view) -> list[str]:
        return [e for e in (view.intra_error, view.cross_error) if e]


# --- schema pieces -------------------------------------------------------------------------------
MESSAGE = inline_serializer("NetworksMessage", {"message": serializers.CharField()})


def _error(description: str, message: str) -> OpenApiResponse:
    return message_answer(MESSAGE, description, description, {"message": message})


ERRORS = {
    401: UNAUTHORIZED,
    403: _error("Role", "You do not have permission to perform this action."),
    404: _error("Unknown", "No network 0123abcd in WA1."),
    503: _error("Cloud unavailable", UNAVAILABLE_MESSAGE),
}


read_schema = read_schemas("networks", ERRORS, parameters=[FRESH])


# --- views ---------------------------------------------------------------------------------------
DataCenterNetworksView = read_view(
    read_schema(
        "datacenter_networks",
        "A data center's networks with their address use",
        DataCenterNetworksSerializer,
        {
            "datacenter": "WA1",
            "count": 1,
            "results": [{"network": NETWORK_EXAMPLE, "use": USE_EXAMPLE, "error": ""}],
        },
    ),
    selectors.datacenter_networks,
    doc="The data center's networks, each with its address use.",
    url=("datacenters/<str:dc>/networks/", "api-datacenter-networks"),
)
NetworkView = read_view(
    read_schema(
        "network_detail",
        "A network and its addresses",
        NetworkDetailSerializer,
        {
            "network": NETWORK_EXAMPLE,
            "use": USE_EXAMPLE,
            "servers": ["WA1DEMOWEB01"],
            "addresses": [
                {"address": "10.16.0.12", "claimed": True, "server": "WA1DEMOWEB01", "type": "private"},
                {"address": "10.16.0.13", "claimed": False, "server": "", "type": "private"},
                {"address": "64.94.100.2", "claimed": True, "server": "WA1DEMOWEB01", "type": "publicMapped"},
            ],
        },
    ),
    selectors.network_detail,
    doc="One network with every address (claimed ones with their server, free ones, public mapped).",
    url=("datacenters/<str:dc>/networks/<str:network_id>/", "api-network"),
)


ServerNetworksView = read_view(
    read_schema(
        "server_networks",
        "A server's networks and public IP rules",
        ServerNetworksSerializer,
        {
            "datacenter": "WA1",
            "networks": [{"network": NETWORK_EXAMPLE, "addresses": ["10.16.0.12"], "primary": True}],
            "available": [],
            "public_ips": [
                {
                    "address": "64.94.100.2",
                    "internal": "10.16.0.12",
                    "rules": {
                        "ports": [{"protocol": "TCP", "port": 443, "port_to": None, "spec": "tcp/443"}],
                        "source_restrictions": ["203.0.113.0/24"],
                    },
                    "error": "",
                    "editable": True,
                }
            ],
        },
    ),
    selectors.server_networks,
    doc="A server's networks (the primary first) and its public IPs with their open ports and sources.",
    url=("servers/<str:server_id>/networks/", "api-server-networks"),
    first=inventory.server_detail,
)


INTRA_EXAMPLE = {
    "id": "476399720e08eada1e4551c2fffa7433",
    "status": "active",
    "enabled": True,
    "source": [{"cidr": "10.16.0.0/24", "network_id": NET_ID, "network_name": "vlan_700_10.16.0"}],
    "destination": [{"cidr": "10.16.1.0/24", "network_id": "9f0c...", "network_name": "Backend"}],
    "ports": ["tcp/3306", "tcp/6379"],
    "destination_account": "DEMO",
    "links": [
        {"rel": "self", "href": "/v2-experimental/firewallPolicies/DEMO/WA1/4763...", "verbs": ["GET"]}
    ],
}
CROSS_EXAMPLE = {
    "id": "42d4c0c43c5318f8f874a4b4de028e56",
    "status": "active",
    "enabled": True,
    "source": {"cidr": "10.16.0.0/24", "network_id": NET_ID, "network_name": "vlan_700_10.16.0"},
    "destination": {"cidr": "10.32.0.0/24", "network_id": None, "network_name": None},
    "destination_location": "VA1",
    "destination_account": "DEMO",
    "links": [
        {"rel": "self", "href": "/v2-experimental/crossDcFirewallPolicies/demo/wa1/42d4...", "verbs": ["GET"]}
    ],
}


FirewallView = read_view(
    read_schema(
        "datacenter_firewall",
        "A data center's firewall policies",
        FirewallPoliciesSerializer,
        {"datacenter": "WA1", "intra": [INTRA_EXAMPLE], "cross": [CROSS_EXAMPLE], "errors": []},
    ),
    firewall,
    doc="The data center's intra and cross data center firewall policies.",
    url=("datacenters/<str:dc>/firewall/", "api-datacenter-firewall"),
)
IntraPolicyView = read_view(
    read_schema(
        "firewall_policy", "One intra data center firewall policy", IntraPolicySerializer, INTRA_EXAMPLE
    ),
    intra_policy,
    url=("datacenters/<str:dc>/firewall/intra/<str:policy_id>/", "api-firewall-policy"),
)
CrossPolicyView = read_view(
    read_schema(
        "cross_dc_policy", "One cross data center firewall policy", CrossPolicySerializer, CROSS_EXAMPLE
    ),
    cross_policy,
    url=("datacenters/<str:dc>/firewall/cross/<str:policy_id>/", "api-cross-dc-policy"),
)
