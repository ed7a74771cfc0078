"""VM import: ``GET /v2/vmImport/{alias}/{dc}/available`` (``Servers/get-available-server-imports.md``)
and ``POST /v2/vmImport/{alias}`` (``import-server.md``).

- The OVFs an account can import are the two of the page's example (``catalog.OVFS``, ids
  ``<ALIAS>/CUSTOM-OVF-IMPORT[-2]``), in every data center whose ``importVMEnabled`` is true; elsewhere
  the list is empty and an import is refused (400). Reading the list and importing need a role that
  may create servers (ROLES.md: "Create, clone, import ... a server"); the data center's
  ``availableOvfs`` link is shown to those roles only.
- Import takes create-server's fields (name 1-7 characters, ``groupId``, ``cpu``, ``memoryGB``,
  ``type`` standard or hyperscale, ``storageType``, ``networkId``, DNS, custom fields) plus
  ``password`` (required), ``ovfId`` (one of the list) and ``ovfOsType`` (one of the data center's
  ``importableOSTypes``). The server exists at once, ``underConstruction``, and an ``importServer``
  operation (3 minutes at ``--speed 1``) builds it: active and started, the OVF's disk, the OS type
  given. The page says the password "must match the one set on the server being imported or the import
  will fail": a wrong password, or an ``ovfOsType`` that is not the OVF's, makes the operation fail
  (the server is then ``failed``), as the cloud could only find out while importing.
"""

from .. import addressing, catalog, errors
from ..models import Disk
from ..roles import require
from ..router import route
from ..state import BASE_DURATIONS
from .server_create import add_new_server, build_effects, common_fields, password_of, queued_answer
from .servers import integer

KIND = "importServer"
BASE_DURATIONS.setdefault(KIND, 180)
FAILURE = "The import failed: the password or the OS type does not match the server being imported."


@route("GET", "/v2/vmImport/{alias}/{dc}/available")
def available(req, alias, dc):
    datacenter = req.world.datacenter(alias, dc)
    require(req, "manage_servers")
    return [catalog.public_ovf(o) for o in catalog.ovfs_of(alias, datacenter.id)]


@route("POST", "/v2/vmImport/{alias}")
def import_server(req, alias):
    require(req, "manage_servers")
    body = req.json_object()
    spec = common_fields(req, alias, body, longest=7)
    location = spec.group.location
    if spec.server_type == "bareMetal":
        raise errors.bad_request("A bare metal server cannot be imported.")
    if not catalog.vm_import_enabled(location):
        raise errors.bad_request(f"VM import is not available in {location}.")
    password = password_of(req, body, required=True)
    cpu = integer(req.field(body, "cpu"), "cpu", 1, 16)
    memory_gb = integer(req.field(body, "memoryGB"), "memoryGB", 1, 128)
    ovf_id = req.field(body, "ovfId")
    ovf = catalog.ovf_of(alias, location, ovf_id)
    if ovf is None:
        raise errors.bad_request(f"The OVF '{ovf_id}' is not available for import in {location}.")
    os_type = catalog.importable_os_type(location, req.field(body, "ovfOsType"))
    if os_type is None:
        raise errors.bad_request(f"ovfOsType must be one of the importableOSTypes of {location}.")
    network, address = addressing.for_new_server(
        req.world, alias, spec.group, req.field(body, "networkId"), None
    )
    server = add_new_server(req, alias, spec, "", cpu, memory_gb, password, network, address)
    server.template = ovf["name"]
    server.os, server.os_type = os_type["type"], os_type["description"]
    server.disks = [Disk("0:0", ovf["storageSizeGB"], [])]
    op = req.world.queue(alias, location, KIND, [server.id], {"ovfId": ovf["id"]})
    if password != ovf["password"] or os_type["type"] != ovf["osType"]:
        op.will_fail, op.failure_message = True, FAILURE
    return queued_answer(alias, spec.name, server, op)


build_effects(KIND)
