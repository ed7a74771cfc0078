"""A server's policies, one registry declaration each (target ``server``; the server page's
*Policies* panel shows them: placement ``"policies"`` for the forms, ``"item"`` for the removals):
add / remove an alert policy, set / remove its vertical autoscale policy, and for a hyperscale
server join / leave an anti-affinity policy of its data center. AccountAdmin, ServerAdmin and
ServerOperator (``OPERATE``), then the server's links (``alertPolicyMappings``,
``cpuAutoscalePolicyMapping``, ``antiAffinityPolicyMapping``). Each applies at once (no activity).
"""

from apps.actions.registry import Action, register
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


# --- on a server -----------------------------------------------------------------------------------
def _unmodifiable(detail) -> str | None:
    s = detail.server
    if s.error:
        return "its details could not be read"
    if s.status != "active":
        return f"it is {s.status or 'not active'}"
    return None


def _attach(run):
    clc.add_alert_policy(run.client, run.resource.server.id, run.data["policy"])


register(
    Action(
        name="attachAlertPolicy",
        target="server",
        label="Add alert policy",
        form=AttachAlertPolicyForm,
        call=_attach,
        roles=OPERATE,
        link=("alertPolicyMappings", "POST"),
        state=_unmodifiable,
        button="Add policy",
        done="Alert policy added: the server is watched from now on.",
        queues=False,
        placement="policies",
        order=60,
        audit=lambda run: {"policy": run.data["policy"], "name": run.form.target_label(run.data["policy"])},
        example={"policy": "<alert policy id>"},
        description="Add one of the account's alert policies to the server.",
    )
)
register(
    Action(
        name="detachAlertPolicy",
        target="server",
        label="Remove alert policy",
        form=DetachAlertPolicyForm,
        call=lambda run: clc.remove_alert_policy(run.client, run.resource.server.id, run.data["policy"]),
        roles=OPERATE,
        link=("alertPolicyMappings", "POST"),
        state=_unmodifiable,
        confirm=True,
        danger=True,
        question="Remove the alert policy {target} from {name}? Its alerts stop for this server.",
        button="Remove",
        done="Alert policy removed from the server.",
        queues=False,
        placement="item",
        audit=lambda run: {"policy": run.data["policy"], "name": run.form.target_label(run.data["policy"])},
        example={"policy": "<alert policy id>"},
        description="Remove an alert policy from the server (the policy stays in the account).",
    )
)


def _set_autoscale(run) -> None:
    clc.set_server_autoscale_policy(run.client, run.resource.server.id, run.data["policy"])


register(
    Action(
        name="setAutoscalePolicy",
        target="server",
        label="Set autoscale policy",
        form=SetAutoscalePolicyForm,
        call=_set_autoscale,
        roles=OPERATE,
        link=("cpuAutoscalePolicyMapping", "PUT"),
        state=_unmodifiable,
        button="Set policy",
        done="Autoscale policy set: the cloud sizes the server's CPUs within its range.",
        queues=False,
        placement="policies",
        order=70,
        audit=lambda run: {"policy": run.data["policy"], "name": run.form.target_label(run.data["policy"])},
        example={"policy": "<autoscale policy id>"},
        description="Apply a vertical (CPU) autoscale policy to the server (replaces the one it has). The "
        "server's CPUs must lie in the policy's range.",
    )
)
register(
    Action(
        name="removeAutoscalePolicy",
        target="server",
        label="Remove autoscale policy",
        form=RemoveAutoscalePolicyForm,
        call=lambda run: clc.remove_server_autoscale_policy(run.client, run.resource.server.id),
        roles=OPERATE,
        link=("cpuAutoscalePolicyMapping", "DELETE"),
        state=_unmodifiable,
        confirm=True,
        danger=True,
        question="Remove the autoscale policy {target} from {name}? Its CPUs stay as they are now.",
        button="Remove",
        done="Autoscale policy removed.",
        queues=False,
        placement="item",
        audit=lambda run: {
            "policy": run.data["autoscale"],
            "name": run.form.target_label(run.data["autoscale"]),
        },
        example={"autoscale": "<autoscale policy id>"},
        description="Remove the server's vertical autoscale policy (name it: the one it has).",
    )
)


def _not_hyperscale(detail) -> str | None:
    if (detail.type or "").lower() != "hyperscale":
        return "only hyperscale servers join anti-affinity policies"
    return _unmodifiable(detail)


def _join(run) -> None:
    clc.set_server_anti_affinity(run.client, run.resource.server.id, run.data["policy"])
    invalidate_account(run.user)  # the policies' member lists changed, not only this server


def _leave(run) -> None:
    clc.remove_server_anti_affinity(run.client, run.resource.server.id)
    invalidate_account(run.user)


register(
    Action(
        name="setAntiAffinityPolicy",
        target="server",
        label="Set anti-affinity policy",
        form=SetAntiAffinityForm,
        call=_join,
        roles=OPERATE,
        link=("antiAffinityPolicyMapping", "PUT"),
        state=_not_hyperscale,
        button="Set policy",
        done="The server is in the anti-affinity policy now.",
        queues=False,
        placement="policies",
        order=80,
        audit=lambda run: {"policy": run.data["policy"], "name": run.form.target_label(run.data["policy"])},
        example={"policy": "<anti-affinity policy id>"},
        description="Move a hyperscale server into an anti-affinity policy of its data center (out of any other).",
    )
)
register(
    Action(
        name="removeAntiAffinityPolicy",
        target="server",
        label="Leave anti-affinity policy",
        form=RemoveAntiAffinityForm,
        call=_leave,
        roles=OPERATE,
        link=("antiAffinityPolicyMapping", "DELETE"),
        state=_not_hyperscale,
        confirm=True,
        danger=True,
        question="Take {name} out of the anti-affinity policy {target}? It may then share a host with them.",
        button="Leave policy",
        done="The server left the anti-affinity policy.",
        queues=False,
        placement="item",
        audit=lambda run: {
            "policy": run.data["anti_affinity"],
            "name": run.form.target_label(run.data["anti_affinity"]),
        },
        example={"anti_affinity": "<anti-affinity policy id>"},
        description="Take a hyperscale server out of its anti-affinity policy (name it: the one it is in).",
    )
)
