"""A server's snapshot: look at it, delete it, revert the server to it (both queued).

Snapshots are created by ``POST /v2/operations/{alias}/servers/createSnapshot`` (operations.py).
Reverting leaves the server's configuration and the snapshot as they are.
"""

from .. import errors
from ..links import link
from ..models import Snapshot
from ..roles import require
from ..router import route
from ..serializers_server import server_href
from ..state import effect
from .servers import find_server, queued, refuse_unless_active


def _find_snapshot(server, snapshot_id: str) -> Snapshot:
    for snapshot in server.snapshots:
        if snapshot.id == snapshot_id.strip():
            return snapshot
    raise errors.not_found()


@route("GET", "/v2/servers/{alias}/{server_id}/snapshots/{snapshot_id}")
def get_snapshot(req, alias, server_id, snapshot_id):
    server = find_server(req, alias, server_id)
    require(req, "view")
    snapshot = _find_snapshot(server, snapshot_id)
    return {
        "id": snapshot.id,
        "name": snapshot.name,
        "links": [link("self", f"{server_href(server)}/snapshots/{snapshot.id}")],
    }


@route("DELETE", "/v2/servers/{alias}/{server_id}/snapshots/{snapshot_id}")
def delete_snapshot(req, alias, server_id, snapshot_id):
    server = find_server(req, alias, server_id)
    require(req, "snapshots")
    snapshot = _find_snapshot(server, snapshot_id)
    refuse_unless_active(req, server, "delete a snapshot")
    return queued(req, server, "deleteSnapshot", {"snapshotId": snapshot.id})


@route("POST", "/v2/servers/{alias}/{server_id}/snapshots/{snapshot_id}/restore")
def revert_to_snapshot(req, alias, server_id, snapshot_id):
    server = find_server(req, alias, server_id)
    require(req, "snapshots")
    snapshot = _find_snapshot(server, snapshot_id)
    refuse_unless_active(req, server, "revert to a snapshot")
    return queued(req, server, "restoreSnapshot", {"snapshotId": snapshot.id})


@effect("deleteSnapshot")
def _deleted(world, op):
    server = world.op_server(op)
    if server is not None:
        server.snapshots = [s for s in server.snapshots if s.id != op.params["snapshotId"]]


@effect("restoreSnapshot")
def _reverted(world, op):
    """The disks go back to the snapshot's content; nothing the API shows changes."""
