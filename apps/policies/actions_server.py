"""A server's policies, one registry declaration each (target ``server``; the server page's
*Policies* panel shows them: placement ``"policies"`` for the forms, ``"item"`` for the removals):
add / remove an alert policy, set / remove its vertical autoscale policy, and for a hyperscale
server join / leave an anti-affinity policy of its data center. AccountAdmin, ServerAdmin and
ServerOperator (``OPERATE``), then the server's links (``alertPolicyMappings``,
``cpuAutoscalePolicyMapping``, ``antiAffinityPolicyMapping``). Each applies at once (no activity).
"""

from apps.actions.declare import answerless, asks, at_once, declare, server_call, unmodifiable
from apps.actions.roles import OPERATE
from apps.clc import policies as clc
from apps.inventory.cache import invalidate_account

from .forms_server import (
    AttachAlertPolicyForm,
    DetachAlertPolicyForm,
    RemoveAntiAffinityForm,
    RemoveAutoscalePolicyForm,
    SetAntiAffinityForm,
    SetAutoscalePolicyForm,
)


def _named(field: str, example: str) -> dict:
    """The audit (the policy's id and name, from the form's ``field``) and the API example."""
    return {
        "audit": lambda run: {"policy": run.data[field], "name": run.form.target_label(run.data[field])},
        "example": {field: f"<{example} policy id>"},
    }


def _members_change(call):
    """``call``, then the account's cached reads go: the policies' member lists changed too."""

    def run_it(run) -> None:
        call(run)
        invalidate_account(run.user)

    return run_it


# On a server: a form in the Policies panel ("policies"), a removal next to the policy ("item").
policy = declare("server", roles=OPERATE, state=unmodifiable, **at_once())
policy(
    "attachAlertPolicy",
    "Add alert policy",
    answerless(server_call(clc.add_alert_policy, "policy")),
    form=AttachAlertPolicyForm,
    link=("alertPolicyMappings", "POST"),
    **at_once("Alert policy added: the server is watched from now on.", "Add policy"),
    placement="policies",
    order=60,
    **_named("policy", "alert"),
    description="Add one of the account's alert policies to the server.",
)
policy(
    "detachAlertPolicy",
    "Remove alert policy",
    server_call(clc.remove_alert_policy, "policy"),
    form=DetachAlertPolicyForm,
    link=("alertPolicyMappings", "POST"),
    **asks("Remove the alert policy {target} from {name}? Its alerts stop for this server."),
    **at_once("Alert policy removed from the server.", "Remove"),
    placement="item",
    **_named("policy", "alert"),
    description="Remove an alert policy from the server (the policy stays in the account).",
)
policy(
    "setAutoscalePolicy",
    "Set autoscale policy",
    answerless(server_call(clc.set_server_autoscale_policy, "policy")),
    form=SetAutoscalePolicyForm,
    link=("cpuAutoscalePolicyMapping", "PUT"),
    **at_once("Autoscale policy set: the cloud sizes the server's CPUs within its range.", "Set policy"),
    placement="policies",
    order=70,
    **_named("policy", "autoscale"),
    description="Apply a vertical (CPU) autoscale policy to the server (replaces the one it has). The "
    "server's CPUs must lie in the policy's range.",
)
policy(
    "removeAutoscalePolicy",
    "Remove autoscale policy",
    server_call(clc.remove_server_autoscale_policy),
    form=RemoveAutoscalePolicyForm,
    link=("cpuAutoscalePolicyMapping", "DELETE"),
    **asks("Remove the autoscale policy {target} from {name}? Its CPUs stay as they are now."),
    **at_once("Autoscale policy removed.", "Remove"),
    placement="item",
    **_named("autoscale", "autoscale"),
    description="Remove the server's vertical autoscale policy (name it: the one it has).",
)


def _not_hyperscale(detail) -> str | None:
    if (detail.type or "").lower() != "hyperscale":
        return "only hyperscale servers join anti-affinity policies"
    return unmodifiable(detail)


policy(
    "setAntiAffinityPolicy",
    "Set anti-affinity policy",
    _members_change(server_call(clc.set_server_anti_affinity, "policy")),
    form=SetAntiAffinityForm,
    link=("antiAffinityPolicyMapping", "PUT"),
    state=_not_hyperscale,
    **at_once("The server is in the anti-affinity policy now.", "Set policy"),
    placement="policies",
    order=80,
    **_named("policy", "anti-affinity"),
    description="Move a hyperscale server into an anti-affinity policy of its data center (out of any other).",
)
policy(
    "removeAntiAffinityPolicy",
    "Leave anti-affinity policy",
    _members_change(server_call(clc.remove_server_anti_affinity)),
    form=RemoveAntiAffinityForm,
    link=("antiAffinityPolicyMapping", "DELETE"),
    state=_not_hyperscale,
    **asks("Take {name} out of the anti-affinity policy {target}? It may then share a host with them."),
    **at_once("The server left the anti-affinity policy.", "Leave policy"),
    placement="item",
    **_named("anti_affinity", "anti-affinity"),
    description="Take a hyperscale server out of its anti-affinity policy (name it: the one it is in).",
)
