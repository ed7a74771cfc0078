"""The published Python SDK (``clc-sdk``, ``import clc``) driven against the simulator.

The SDK keeps module-level state (endpoint, credentials, token, alias, location, one shared
``requests.Session`` whose headers it mutates); the ``sdk`` fixture points it at the simulator with
a fresh session and restores everything afterwards. It imports and runs on Python 3.11 as shipped:
no compatibility shim is needed. Every request the SDK sends is printed (shown when a test fails).

The SDK polls with ``time.sleep(poll_freq)`` (2 s by default): the tests pass a short poll_freq and
a timeout, and the simulator runs operations 50x faster.
"""

import clc
import pytest
import requests

POLL = {"poll_freq": 0.05, "timeout": 30}

_STATE = [
    (clc.defaults, "ENDPOINT_URL_V2"),
    (clc, "_LOGIN_TOKEN_V2"),
    (clc, "ALIAS"),
    (clc, "LOCATION"),
    (clc, "_REQUESTS_SESSION"),
    (clc.v2, "V2_API_USERNAME"),
    (clc.v2, "V2_API_PASSWD"),
    (clc.v2, "_V2_ENABLED"),
]


def _log_exchange(response, *args, **kwargs):
    request = response.request
    body = request.body.decode() if isinstance(request.body, bytes) else request.body
    print(
        f"SDK {request.method} {request.url} [{request.headers.get('Content-Type')}] {body!s:.300}"
        f"\n  -> {response.status_code} {response.text[:300]}"
    )


@pytest.fixture
def sdk(simulator):
    saved = [(owner, name, getattr(owner, name)) for owner, name in _STATE]
    session = requests.Session()
    session.hooks["response"].append(_log_exchange)
    clc.SetRequestsSession(session)
    clc.defaults.ENDPOINT_URL_V2 = simulator.url
    clc._LOGIN_TOKEN_V2 = False  # the simulator was reset: any old token is gone
    clc.ALIAS = False
    clc.LOCATION = False
    clc.v2.SetCredentials("demo", "demo")
    yield clc
    session.close()
    for owner, name, value in saved:
        setattr(owner, name, value)


def _wa1(sdk):
    found = [dc for dc in sdk.v2.Datacenter.Datacenters() if dc.id == "WA1"]
    assert found, "WA1 is not among the SDK's data centers"
    return found[0]


def _walk(group, out):
    """Every server id under ``group``: each sub-group is fetched again, as a careful client would."""
    out += [s.id for s in group.Servers().Servers()]
    for child in group.Subgroups().groups:
        _walk(clc.v2.Group(id=child.id, alias=child.alias), out)
    return out


def _started_server(sdk) -> "clc.v2.Server":
    root = _wa1(sdk).RootGroup()
    for server_id in _walk(root, []):
        server = sdk.v2.Server(id=server_id)
        if server.status == "active" and server.power_state == "started" and not server.in_maintenance_mode:
            return server
    raise AssertionError("no started server in WA1")


def test_sdk_signs_in_and_walks_the_tree(sdk):
    assert sdk.v2.Account.GetAlias() == "DEMO"
    assert sdk.v2.Account.GetLocation() == "WA1"
    datacenters = sdk.v2.Datacenter.Datacenters()
    assert {"WA1", "VA1"} <= {dc.id for dc in datacenters}
    wa1 = _wa1(sdk)
    root = wa1.RootGroup()
    assert str(root) == "WA1 Hardware"
    assert {"Archive", "Default Group", "Templates"} <= {g.name for g in wa1.Groups().groups}
    assert wa1.Groups().Get("Default Group").type == "default"
    server_ids = _walk(root, [])
    assert len(server_ids) == len(set(server_ids)) == root.servers_count > 0
    server = sdk.v2.Server(id=server_ids[0])
    assert server.location_id == "WA1" and server.cpu >= 1 and server.memory >= 1
    assert isinstance(server.created_date, int)  # the SDK parsed changeInfo's Zulu dates
    assert str(server.Group()) and server.Credentials()["password"]


def test_sdk_powers_a_server_off_and_on(sdk):
    server = _started_server(sdk)
    assert server.PowerOff().WaitUntilComplete(**POLL) == 0
    server.Refresh()
    assert server.power_state == "stopped"
    assert server.PowerOn().WaitUntilComplete(**POLL) == 0
    server.Refresh()
    assert server.power_state == "started"


def test_sdk_power_on_of_a_started_server_is_a_quiet_no_op(sdk):
    server = _started_server(sdk)
    # isQueued false without errorMessage: the SDK queues nothing and reports no error.
    assert server.PowerOn().WaitUntilComplete(**POLL) == 0


def test_sdk_changes_cpu_and_description(sdk):
    server = _started_server(sdk)
    cpu = 3 if server.cpu != 3 else 4
    # cpu: 202 with a bare status link (polled); description: 204 without a body.
    assert server.Change(cpu=cpu, description="changed by the SDK").WaitUntilComplete(**POLL) == 0
    server.Refresh()
    assert server.cpu == cpu
    assert server.description == "changed by the SDK"


def test_sdk_creates_a_group(sdk):
    root = _wa1(sdk).RootGroup()
    group = root.Create("SDK Team", "made by the SDK")
    assert group.name == "SDK Team" and len(group.id) == 32
    root.Refresh()
    assert root.Subgroups().Get("SDK Team").id == group.id
    assert sdk.v2.Group(id=group.id).description == "made by the SDK"


def test_sdk_creates_and_deletes_a_server(sdk):
    wa1 = _wa1(sdk)
    template = wa1.Templates().Search("ubuntu")[0].id
    network = wa1.Networks().networks[0].id
    group = wa1.Groups().Get("Default Group")
    queued = sdk.v2.Server.Create(
        name="sdk",
        cpu=1,
        memory=2,
        group_id=group.id,
        template=template,
        network_id=network,
        password="P@ssw0rd1",
    )
    assert queued.WaitUntilComplete(**POLL) == 0
    server = queued.success_requests[0].Server()  # follows the self link (?uuid=True)
    assert server.id.startswith("WA1DEMOSDK")
    assert server.status == "active" and server.power_state == "started"
    assert server.cpu == 1 and server.memory == 2 and server.group_id == group.id

    assert server.Delete().WaitUntilComplete(**POLL) == 0
    with pytest.raises(clc.CLCException, match="Server does not exist"):
        sdk.v2.Server(id=server.id)


def test_sdk_snapshot_create_revert_delete(sdk):
    server = _started_server(sdk)
    # CreateSnapshot first deletes an existing snapshot (through its "delete" link), then posts
    # a form body {serverIds: "<one id>", snapshotExpirationDays: 7}.
    assert server.CreateSnapshot().WaitUntilComplete(**POLL) == 0
    server.Refresh()
    assert len(server.GetSnapshots()) == 1
    assert server.RestoreSnapshot().WaitUntilComplete(**POLL) == 0
    server.Refresh()
    assert server.DeleteSnapshot().WaitUntilComplete(**POLL) == 0
    server.Refresh()
    assert server.GetSnapshots() == []


def test_sdk_sets_a_server_password(sdk):
    server = _started_server(sdk)
    old = server.Credentials()["password"]
    # SetPassword reads the current password through the credentials link, then PATCHes.
    assert server.SetPassword("NewP@ssw0rd2").WaitUntilComplete(**POLL) == 0
    assert server.Credentials()["password"] == "NewP@ssw0rd2" != old


def test_sdk_reads_capabilities_account_and_alerts(sdk):
    server = _started_server(sdk)
    assert isinstance(server.reserved_drive_paths, list) and server.reserved_drive_paths
    assert server.adding_cpu_requires_reboot is False
    assert isinstance(server.adding_memory_requires_reboot, bool)
    account = server.Account()
    assert str(account) == "DEMO"
    assert account.status == "Active" and account.business_name
    assert account.primary_datacenter == "WA1"
    assert str(account.PrimaryDatacenter()) == "WA1"
    with_alerts = [
        s for s in (sdk.v2.Server(id=i) for i in _walk(_wa1(sdk).RootGroup(), [])) if s.alert_policies
    ]
    assert with_alerts, "no demo server carries an alert policy"
    alerts = with_alerts[0].Alerts()
    assert alerts.alerts and all(a.id and a.name for a in alerts.alerts)
