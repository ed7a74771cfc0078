"""Reference examples for the simulator endpoints no documentation page describes (issue #17):
each built from the nearest documented entity (it says which) or, where nothing is documented, from
the shape docs/simulator.md commits to. ``test_simulator_contract_more.py`` compares answers with
them, so the answers cannot drift unnoticed."""

from tests.support.contract import doc_entry, md_examples

SERVERS = "/v2/servers/{accountAlias}/{serverId}"
GROUPS = "/v2/groups/{accountAlias}/{groupId}"


def _server_doc() -> dict:
    return doc_entry("GET", SERVERS)["ResExample"]


def _activity_doc() -> dict:
    return md_examples("Groups/get-group-scheduled-activities.md")[0][0]


def _billed_server() -> dict:
    groups = doc_entry("GET", GROUPS + "/billing")["ResExample"]["groups"]
    return next(server for group in groups.values() for server in group["servers"].values())


def ref(build):
    """A reference example: ``build()`` -> the response example (no request example)."""
    return lambda: {"ResExample": build(), "ContentExample": None}


REFERENCES = {
    # A snapshot's self link: the snapshot entity of get-server's details.
    "snapshot": ref(lambda: _server_doc()["details"]["snapshots"][0]),
    # A server's alert policies: get-server's details.alertPolicies.
    "server-alert-policies": ref(lambda: _server_doc()["details"]["alertPolicies"]),
    # One of them: add-alert-policy-to-server's answer ({id, links}).
    "server-alert-policy": ref(lambda: md_examples("Alert Policies/add-alert-policy-to-server.md")[1]),
    # A server's statistics: the entry the group call gives for it (get-group-monitoring-statistics).
    "server-statistics": ref(lambda: doc_entry("GET", GROUPS + "/statistics")["ResExample"][0]),
    # Scheduled activities (of a server, upcoming, one): the group list's entity.
    "activities": ref(lambda: [_activity_doc()]),
    "activity": ref(_activity_doc),
    # The group defaults GET: the entity set-group-defaults answers.
    "defaults": ref(lambda: doc_entry("POST", GROUPS + "/defaults")["ResExample"]),
    # estimate-server: a server of get-group-billing-details, with its id and the date.
    "estimate": ref(lambda: dict(_billed_server(), id="WA1ACCTSERV01", date="2015-06-18T09:19:36Z")),
    # Not documented anywhere: the shapes docs/simulator.md commits to (sections named).
    "pricing": ref(
        lambda: {"cpu": 0.01, "memoryGB": 0.015, "storageGB": 0.00021, "managedOS": 0.0}
    ),  # Billing
    "capabilities": ref(
        lambda: {  # "Credentials, capabilities, account"
            "reservedDrivePaths": ["bin"],
            "addingCpuRequiresReboot": False,
            "addingMemoryRequiresReboot": False,
            "supportedNetworkTypes": ["primary"],
            "supportsSnapshots": True,
            "supportsPublicIPs": True,
            "maxCpu": 16,
            "maxMemoryGB": 128,
            "maxDiskSizeGB": 1024,
        }
    ),
    "account": ref(
        lambda: {  # "Credentials, capabilities, account"
            "accountAlias": "ALIAS",
            "parentAlias": None,
            "businessName": "",
            "addressLine1": "",
            "city": "",
            "stateProvince": "",
            "postalCode": "",
            "country": "",
            "telephone": "",
            "status": "Active",
            "primaryDataCenter": "WA1",
            "isManaged": False,
            "links": [{"rel": "self", "href": "/v2/accounts/alias"}],
        }
    ),
    "horizontal-policy": ref(
        lambda: {  # "Horizontal autoscale": a published script's create body
            "id": "",
            "name": "",
            "minimumServerCount": 1,
            "thresholdPeriod": "00:15:00",
            "coolDownPeriod": "00:15:00",
            "scaleOut": {"cpuPercentThreshold": 80, "memoryPercentThreshold": 80, "scaleBy": 1},
            "scaleIn": {"cpuPercentThreshold": 20, "memoryPercentThreshold": 20, "scaleBy": 1},
            "links": [{"rel": "self", "href": ""}],
        }
    ),
    "anti-affinity-mapping": ref(lambda: {"id": "", "name": "", "links": [{"rel": "self", "href": ""}]}),
    "anti-affinity-set": ref(lambda: {"id": "", "links": [{"rel": "self", "href": ""}]}),
    "no-body": lambda: {"ResExample": None, "ContentExample": None},
}
REFERENCES["horizontal-policies"] = ref(
    lambda: {
        "items": [REFERENCES["horizontal-policy"]()["ResExample"]],
        "links": [{"rel": "self", "href": ""}],
    }
)
