"""Monitoring statistics (``Groups/get-group-monitoring-statistics.md``).

GET /v2/groups/{alias}/{id}/statistics     one ``{name, stats}`` entry per server of the group and
                                          its sub-groups (archived servers and templates left out)
GET /v2/servers/{alias}/{id}/statistics    the server's own entry, ``{name, stats}`` (the server's
                                          ``statistics`` link; same parameters as the group's)

Both take ``type=latest|hourly|realtime``, ``start``, ``end`` and ``sampleInterval``; the figures
come from ``monitoring.series``, so a group's entry for a server is that server's answer, sample
for sample. Any role that may view servers may read them. The samples are computed after the
world lock is released, from snapshots of the servers taken under it.
"""

from .. import errors
from ..monitoring.series import is_reported, profile, sample_times, stamps_for
from ..roles import require
from ..router import route
from .groups import group_for
from .servers import find_server


@route("GET", "/v2/groups/{alias}/{group_id}/statistics")
def group_statistics(req, alias, group_id):
    world = req.world
    group = group_for(req, alias, group_id, "view")
    _kind, times = sample_times(req, world.now())
    profiles = [profile(world, server) for server in world.subtree_servers(group) if is_reported(server)]

    def answer():  # after the world lock is released: the profiles are snapshots
        stamps = stamps_for(times)
        return [{"name": p.key, "stats": p.series(times, stamps)} for p in profiles]

    return answer


@route("GET", "/v2/servers/{alias}/{server_id}/statistics")
def server_statistics(req, alias, server_id):
    require(req, "view")
    world = req.world
    server = find_server(req, alias, server_id)
    if not is_reported(server):
        raise errors.bad_request(f"The server {server.id} has no monitoring statistics ({server.status}).")
    _kind, times = sample_times(req, world.now())
    prof = profile(world, server)
    return lambda: {"name": prof.key, "stats": prof.series(times, stamps_for(times))}
