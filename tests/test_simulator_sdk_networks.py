"""The published Python SDK (``clc-sdk``) runs unchanged against the simulator's networks and public
IPs: ``Datacenter.Networks()``, ``Network`` (Refresh, Update, Create, Delete), ``PublicIPs``.

Uses the ``sdk`` fixture of ``test_simulator_sdk.py`` (module state saved and restored, every
exchange printed).
"""

import clc

from tests.support.simulator import wait_until
from tests.test_simulator_sdk import POLL, _started_server, _wa1, sdk  # noqa: F401  (sdk: fixture)


def test_sdk_lists_networks_and_refreshes_one(sdk):  # noqa: F811
    wa1 = _wa1(sdk)
    deployable = wa1.Networks()  # from deploymentCapabilities' deployableNetworks
    loaded = wa1.Networks(forced_load=True)  # GET /v2-experimental/networks/DEMO/WA1
    assert [n.id for n in deployable.networks] == [n.id for n in loaded.networks]
    backend = loaded.Get("Backend")
    assert backend is not None and backend.vlan >= 700
    assert backend.cidr.endswith("/24") and backend.gateway.endswith(".1")
    assert loaded.Get(backend.cidr).id == backend.id
    first = deployable.networks[0]
    first.Refresh()  # the deployable entry has no cidr until the network itself is read
    assert first.cidr and first.netmask == "255.255.255.0"
    assert first.data["type"] == "private"  # (the SDK's Network.type is shadowed by the builtin)
    same = sdk.v2.Network(first.id)  # built from GET .../{id}
    assert same.name == first.name and same.vlan == first.vlan


def test_sdk_renames_claims_and_releases_a_network(sdk):  # noqa: F811
    wa1 = _wa1(sdk)
    backend = wa1.Networks(forced_load=True).Get("Backend")
    backend.Update("Databases", description="MySQL and Redis")  # form-encoded PUT, 204
    assert sdk.v2.Network(backend.id).description == "MySQL and Redis"
    assert sdk.v2.Network(backend.id).name == "Databases"

    before = {n.id for n in wa1.Networks(forced_load=True).networks}
    claim = sdk.v2.Network.Create(location="WA1")  # {"operationId", "uri"} -> Requestv2Experimental
    assert claim.WaitUntilComplete(**POLL) == 0
    after = {n.id for n in wa1.Networks(forced_load=True).networks}
    (new_id,) = after - before
    network = sdk.v2.Network(new_id)
    assert network.name == f"vlan_{network.vlan}_{network.cidr.rsplit('.', 1)[0]}"

    network.Delete(location="WA1")  # POST .../release: 204, released when the queue gets to it
    wait_until(
        lambda: new_id not in {n.id for n in wa1.Networks(forced_load=True).networks},
        timeout=15,
        message="the released network to go",
    )
    in_use = wa1.Networks(forced_load=True).Get("Databases")
    try:
        in_use.Delete(location="WA1")
    except clc.APIFailedResponse as failure:
        assert failure.response_status_code == 400 and "claimed" in failure.response_json["message"]
    else:
        raise AssertionError("releasing a network that servers use was accepted")


def test_sdk_adds_changes_and_removes_a_public_ip(sdk):  # noqa: F811
    server = _started_server(sdk)
    count = len(server.PublicIPs().public_ips)
    assert server.PublicIPs().Add(ports=[{"protocol": "TCP", "port": 22}]).WaitUntilComplete(**POLL) == 0
    server = sdk.v2.Server(id=server.id)  # the SDK caches PublicIPs(): read the server again
    public_ips = server.PublicIPs().public_ips
    assert len(public_ips) == count + 1
    added = public_ips[-1]
    assert added.internal in [ip["internal"] for ip in server.ip_addresses]
    # AddPort / AddSourceRestriction read the address (GET) and PUT it back whole.
    assert added.AddPort(protocol="UDP", port="10000", port_to="10010").WaitUntilComplete(**POLL) == 0
    again = sdk.v2.Server(id=server.id).PublicIPs().Get(added.id)
    assert again.AddSourceRestriction(cidr="132.200.20.0/24").WaitUntilComplete(**POLL) == 0
    final = sdk.v2.Server(id=server.id).PublicIPs().Get(added.id)
    assert {(p.protocol, str(p.port), str(p.port_to)) for p in final.ports} >= {
        ("ICMP", "0", "None"),
        ("TCP", "22", "None"),
        ("UDP", "10000", "10010"),
    }
    assert [r.cidr for r in final.source_restrictions] == ["132.200.20.0/24"]
    assert final.Delete().WaitUntilComplete(**POLL) == 0
    assert added.id not in [p.id for p in sdk.v2.Server(id=server.id).PublicIPs().public_ips]
