"""GET /v2/operations/{alias}/status/{status_id}: ``{"status": ...}`` of one queued operation.

The status is derived from the operation's start time and duration (``World.status_of``):
notStarted, executing, then succeeded or failed (resumed or unknown after a ``/control/interrupt-next``
fault). An unknown id, or another account's, is 404.
"""

from .. import errors
from ..roles import require
from ..router import route


@route("GET", "/v2/operations/{alias}/status/{status_id}")
def get_status(req, alias, status_id):
    require(req, "view_queue")
    op = req.world.operations.get(status_id.strip().lower())
    if op is None or op.alias.upper() != alias.upper():
        raise errors.not_found()
    return {"status": req.world.status_of(op)}
