"""``GET /v2/groups/{alias}/{id}?serverDetail=detailed``: every group of the tree also carries
``servers``, each the full object ``GET /v2/servers/{alias}/{id}`` answers the same caller.

The parameter's name and value are read in any case; any other value answers the usual group (so
does every value while ``/control/config`` ``ignoreServerDetail`` is on: an upstream without it).
"""

from .serializers_server import server_json
from .state import World


def wants_detail(req) -> bool:
    if req.world.faults.ignore_server_detail:
        return False
    value = req.param("serverDetail")
    return value is not None and value.strip().lower() == "detailed"


def servers_of(world: World, roles):
    """A ``serializers_group.serialize_group`` helper: a group's servers as full objects."""
    servers = world.servers

    def build(group) -> list[dict]:
        return [server_json(world, servers[key], roles) for key in group.servers if key in servers]

    return build
