"""The published Python SDK (``clc-sdk`` 2.51) runs unchanged against what issue #17 added: its
``Server.Clone`` (source password read from the credentials, a ttl in seconds, the ``primaryDNS``
spelling), ``Server.Create`` with a ttl, and the data center's bare metal capabilities.

Uses the ``sdk`` fixture of ``test_simulator_sdk.py`` (module state saved and restored, every
exchange printed).
"""

import requests

from tests.test_simulator_sdk import POLL, _started_server, _wa1, sdk  # noqa: F401  (sdk: fixture)


def test_sdk_clones_a_server_with_a_ttl(sdk, simulator):  # noqa: F811
    source = _started_server(sdk)
    network = _wa1(sdk).Networks().networks[0].id
    queued = source.Clone(network_id=network, name="cln", cpu=1, memory=2, ttl=7200, primary_dns="10.0.0.2")
    assert queued.WaitUntilComplete(**POLL) == 0
    clone = queued.success_requests[0].Server()
    assert clone.id.startswith("WA1DEMOCLN") and clone.os_type == source.os_type
    assert len(clone.Disks().disks) == len(source.Disks().disks)
    inside = requests.get(f"{simulator.url}/control/servers/{clone.id}", timeout=10).json()
    assert inside["ttl"] and inside["dns"][0] == "10.0.0.2"


def test_sdk_reads_bare_metal_capabilities(sdk):  # noqa: F811
    va1 = next(dc for dc in sdk.v2.Datacenter.Datacenters() if dc.id == "VA1")
    assert va1.BareMetalCapabilities()["skus"]
    assert _wa1(sdk).BareMetalCapabilities() is None  # the SDK asks only where supportsBareMetalServers
