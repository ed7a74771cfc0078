"""A server's snapshot: look at it, delete it, revert the server to it (both queued).

Snapshots are created by ``POST /v2/operations/{alias}/servers/createSnapshot`` (operations.py).
Reverting leaves the server's configuration and the snapshot as they are.
"""

from ..links import link
from ..router import route
from ..serializers_server import server_href
from ..state import effect
from .servers import member, queued, sub_resource


def _snapshot(snapshot_id: str):
    return lambda server: member(server.snapshots, snapshot_id)


@route("GET", "/v2/servers/{alias}/{server_id}/snapshots/{snapshot_id}")
def get_snapshot(req, alias, server_id, snapshot_id):
    server, snapshot = sub_resource(req, alias, server_id, "view", _snapshot(snapshot_id))
    return {
        "id": snapshot.id,
        "name": snapshot.name,
        "links": [link("self", f"{server_href(server)}/snapshots/{snapshot.id}")],
    }


def _queued_on_snapshot(kind: str, action: str):
    """Delete and revert: queued on an active server, with the snapshot's id."""

    def handler(req, alias, server_id, snapshot_id):
        server, snapshot = sub_resource(req, alias, server_id, "snapshots", _snapshot(snapshot_id), action)
        return queued(req, server, kind, {"snapshotId": snapshot.id})

    return handler


delete_snapshot = route("DELETE", "/v2/servers/{alias}/{server_id}/snapshots/{snapshot_id}")(
    _queued_on_snapshot("deleteSnapshot", "delete a snapshot")
)
revert_to_snapshot = route("POST", "/v2/servers/{alias}/{server_id}/snapshots/{snapshot_id}/restore")(
    _queued_on_snapshot("restoreSnapshot", "revert to a snapshot")
)


@effect("deleteSnapshot")
def _deleted(world, op):
    server = world.op_server(op)
    if server is not None:
        server.snapshots = [s for s in server.snapshots if s.id != op.params["snapshotId"]]


@effect("restoreSnapshot")
def _reverted(world, op):
    """The disks go back to the snapshot's content; nothing the API shows changes."""
