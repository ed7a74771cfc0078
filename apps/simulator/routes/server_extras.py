"""Server extras the published SDK uses: set the server's password (a PATCH member, dispatched from
``servers.patch_server``), the server's ``capabilities`` and its ``account`` links.

None of the three answers is documented beyond the password change's status link: the bodies are
guesses shaped after what ``clc-sdk`` reads (see docs/simulator.md).
"""

from .. import errors
from ..factory import LINUX_RESERVED, WINDOWS_RESERVED
from ..links import link, status_link
from ..roles import require
from ..router import route
from ..serializers_server import is_linux
from ..state import effect
from .servers import refuse_if_busy, refuse_unless_active, server_for, touch

MAX_PASSWORD = 128

# --- PATCH member "password" -----------------------------------------------------------------


def is_password_patch(req) -> bool:
    """Does the PATCH body name the ``password`` member (whatever else it names)?"""
    body = req.body
    if not isinstance(body, list):
        return False
    for item in body:
        if isinstance(item, dict):
            member = req.field(item, "member")
            if isinstance(member, str) and member.strip().lower() == "password":
                return True
    return False


def set_password(req, server):
    """``[{op: set, member: password, value: {current, password}}]`` -> 202 with a status link."""
    require(req, "credentials")
    if len(req.body) != 1:
        raise errors.bad_request("Change the password on its own, without other members in the request.")
    item = req.body[0]
    op = req.field(item, "op")
    if not isinstance(op, str) or op.lower() != "set":
        raise errors.bad_request(f"The operation '{op}' is not supported: use 'set'.")
    value = req.field(item, "value")
    if not isinstance(value, dict):
        raise errors.bad_request("The password value must be an object {current, password}.")
    current = req.field(value, "current")
    new = req.field(value, "password")
    if not isinstance(current, str) or not current:
        raise errors.bad_request("The current password is required.")
    if not isinstance(new, str) or not new:
        raise errors.bad_request("The new password is required.")
    if len(new) > MAX_PASSWORD:
        raise errors.bad_request(f"The new password must be at most {MAX_PASSWORD} characters.")
    refuse_unless_active(req, server, "change its password")
    if server.power_state != "started":
        raise errors.bad_request(
            f"The server {server.id} is {server.power_state}: power it on to change its password."
        )
    if current != server.password:
        raise errors.bad_request("The current password is not correct.")
    refuse_if_busy(req, server)
    op = req.world.queue(
        server.alias,
        server.location,
        "changePassword",
        [server.id],
        {"password": new, "user": req.user.username},
    )
    touch(req, server)
    return 202, status_link(server.alias, op.id)


@effect("changePassword")
def _password_changed(world, op):
    server = world.op_server(op)
    if server is not None:
        server.password = op.params["password"]
        server.change.modified_by = op.params.get("user", server.change.modified_by)
        server.change.modified_date = world.now()


# --- capabilities --------------------------------------------------------------------------


@route("GET", "/v2/servers/{alias}/{server_id}/capabilities")
def get_capabilities(req, alias, server_id):
    server = server_for(req, alias, server_id, "view")
    linux = is_linux(server)
    return {
        "reservedDrivePaths": list(LINUX_RESERVED)
        if linux
        else [f"{d.upper()}:\\" for d in WINDOWS_RESERVED],
        # Hot-add: Linux takes more CPUs and memory live; Windows needs a reboot for memory.
        "addingCpuRequiresReboot": False,
        "addingMemoryRequiresReboot": not linux,
        "supportedNetworkTypes": ["primary", "secondary"],
        "supportsSnapshots": server.type != "hyperscale",
        "supportsPublicIPs": True,
        "maxCpu": 16,
        "maxMemoryGB": 128,
        "maxDiskSizeGB": 1024,
    }


# --- account -------------------------------------------------------------------------------

BUSINESS_NAMES = {"DEMO": "Demo Company", "OTHR": "Other Company"}


@route("GET", "/v2/accounts/{alias}")
def get_account(req, alias):
    """Any signed-in user of the account may read it (the app already refused other accounts)."""
    return account_json(req.world, req.world.account(alias))


def account_json(world, account) -> dict:
    """The account as GET shows it (the Account webhook payload is built from it too)."""
    code = account.alias.upper()
    locations = [u.location for u in world.users.values() if u.alias.upper() == code]
    dcs = [dc.upper() for dc in world.account_datacenters.get(account.alias, {})]
    primary = locations[0] if locations else (dcs[0] if dcs else "")
    lower = code.lower()
    return {
        "accountAlias": code,
        "parentAlias": None,
        "businessName": BUSINESS_NAMES.get(code, f"{code} Company"),
        "addressLine1": "1100 Olive Way",
        "addressLine2": "",
        "city": "Seattle",
        "stateProvince": "WA",
        "postalCode": "98101",
        "country": "USA",
        "telephone": "206-555-0100",
        "status": "Active",
        "primaryDataCenter": primary,
        "isManaged": False,
        "links": [
            link("self", f"/v2/accounts/{lower}", id=code, verbs=["GET"]),
            link("customFields", f"/v2/accounts/{lower}/customFields", verbs=["GET"]),
            link("datacenters", f"/v2/datacenters/{lower}"),
        ],
    }
