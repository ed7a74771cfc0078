"""Blueprint packages: ``POST /v2/operations/{alias}/servers/executePackage``
(``Server Actions/execute-package.md``) and the ``packages`` of create-server.

- The answer is the power operations' array: per server ``{server, isQueued: true, links: [status]}``
  or ``{server, isQueued: false, errorMessage}``. A package runs on a started, active, idle server
  (it runs inside the operating system); anything else is refused with the queue's errorMessage.
- ``package.packageId`` is required (the simulator has no package library, so any id is taken);
  ``parameters`` is an object of scalar values, stored with the operation.
- Roles: those who may change servers (AccountAdmin, ServerAdmin, ServerOperator).
- create-server's ``packages`` (the same ``{packageId, parameters}`` entries) run once the build
  completes, one ``executePackage`` operation after the other, in the order given.
- What a package did is not visible in ``GET`` (the docs show nothing): ``GET /control/servers/{id}``
  lists the packages that ran.
"""

from .. import errors
from ..roles import require
from ..router import route
from ..state import World, effect
from .operations import _id_list, _Refused, _run

KIND = "executePackage"


def _package(req, value, where: str) -> dict:
    if not isinstance(value, dict):
        raise errors.bad_request(f"{where} must be an object with packageId and parameters.")
    package_id = req.field(value, "packageId")
    if not isinstance(package_id, str) or not package_id.strip():
        raise errors.bad_request(f"{where}.packageId is required.")
    parameters = req.field(value, "parameters") or {}
    if not isinstance(parameters, dict) or not all(
        isinstance(k, str) and (v is None or isinstance(v, str | int | float | bool))
        for k, v in parameters.items()
    ):
        raise errors.bad_request(f"{where}.parameters must be an object of names and values.")
    return {"packageId": package_id.strip(), "parameters": dict(parameters)}


def package_list(req, value) -> list[dict]:
    """create-server's ``packages``: absent or a list of packages."""
    if value is None:
        return []
    if not isinstance(value, list):
        raise errors.bad_request("packages must be a list of {packageId, parameters}.")
    return [_package(req, item, f"packages[{i}]") for i, item in enumerate(value)]


def _check(server) -> None:
    if server.power_state != "started":
        raise _Refused()


@route("POST", "/v2/operations/{alias}/servers/executePackage")
def execute_package(req, alias):
    require(req, "modify_servers")
    body = req.json_object()
    server_ids = _id_list(req.field(body, "servers"))
    package = _package(req, req.field(body, "package"), "package")
    return _run(req, alias, KIND, server_ids, _check, lambda _server: dict(package, user=req.user.username))


def run_packages_after_build(world: World, server, packages: list[dict]) -> None:
    if packages:
        params = dict(packages[0], user="createServer", next=list(packages[1:]))
        world.queue(server.alias, server.location, KIND, [server.id], params)


@effect(KIND)
def _ran(world, op):
    server = world.op_server(op)
    if server is None:
        return
    server.packages_ran.append(
        {"packageId": op.params["packageId"], "parameters": op.params["parameters"], "at": op.ends_at}
    )
    run_packages_after_build(world, server, op.params.get("next") or [])
