"""GET /v2/operations/{alias}/status/{status_id}: ``{"status": ...}`` of one queued operation.

The status is derived from the operation's start time and duration (``World.status_of``):
notStarted, executing, then succeeded or failed. An unknown id, or another account's, is 404.
"""

from .. import errors
from ..roles import can
from ..router import route


@route("GET", "/v2/operations/{alias}/status/{status_id}")
def get_status(req, alias, status_id):
    if not can(req.user.roles, "view_queue"):
        raise errors.forbidden()
    op = req.world.operations.get(status_id.strip().lower())
    if op is None or op.alias.upper() != alias.upper():
        raise errors.not_found()
    return {"status": req.world.status_of(op)}
