"""The policies create-server accepts (``Servers/create-server.md``, api.json):

- ``antiAffinityPolicyId``: only for hyperscale servers, a policy of the group's data center.
- ``cpuAutoscalePolicyId``: a vertical autoscale policy of the account.

Both may be null or absent (the published Python SDK always sends both keys, null when unused).
The server joins at once, while it is being built.
"""

from .anti_affinity import check_member, join
from .autoscale import apply, check_policy


def _given(req, body: dict, name: str):
    value = req.field(body, name)
    return None if value is None or (isinstance(value, str) and not value.strip()) else value


def new_server_policies(req, alias: str, body: dict, server_type: str, group) -> dict:
    """Validate the create-server body's policy ids (400 on a bad one) -> what to apply."""
    chosen = {}
    anti = _given(req, body, "antiAffinityPolicyId")
    if anti is not None:
        chosen["antiAffinity"] = check_member(
            req.world, alias, anti.strip() if isinstance(anti, str) else anti, server_type, group.location
        )
    autoscale = _given(req, body, "cpuAutoscalePolicyId")
    if autoscale is not None:
        chosen["autoscale"] = check_policy(
            req.world, alias, autoscale.strip() if isinstance(autoscale, str) else autoscale
        )
    return chosen


def apply_new_server_policies(world, server, chosen: dict) -> None:
    if "antiAffinity" in chosen:
        join(world, server, chosen["antiAffinity"])
    if "autoscale" in chosen:
        apply(world, server, chosen["autoscale"])
