"""The policy actions, one registry declaration each (``docs/actions.md``).

Targets: the account's alert policies (``/policies/alert-policies/``: create one), an alert policy
(``.../<id>/``: edit, delete), a data center's anti-affinity policies
(``/datacenters/<dc>/anti-affinity/``: create one there), an anti-affinity policy
(``/policies/anti-affinity/<id>/``: rename, delete), and the server (attach / detach an alert
policy, set / remove its vertical autoscale policy: the server page's *Policies* panel). Vertical
autoscale policies themselves are read only (the API cannot create them).

Every change applies at once upstream (no activity), is audited and drops the account's cached
reads. Who may (ROLES.md): AccountAdmin and ServerAdmin create, edit and delete policies
(``SERVER_ADMINS``); they and the Server Operator add or remove a policy on a server
(``OPERATE``); then the links' verbs the cloud returned.
"""

from django.urls import reverse

from apps.accounts.services import client_for_request
from apps.actions.registry import Action, Target, register, register_target
from apps.actions.roles import SERVER_ADMINS
from apps.clc import policies as clc

from . import (
    actions_server,  # noqa: F401  (a server's policies: attach, detach, set, remove)
    selectors,
)
from .forms import AlertPolicyForm, AntiAffinityPolicyForm


def _fresh(request) -> bool:
    return request.method == "POST"  # a change starts from the cloud's current state


def _client(request):
    return client_for_request(request)


def policies_url(anchor: str = "") -> str:
    return reverse("policies") + (f"#{anchor}" if anchor else "")


def CRUMBS(_resource) -> list:  # noqa: N802
    return [("Policies", policies_url())]


register_target(
    Target(
        name="alertpolicies",
        route="policies/alert-policies/",
        load=lambda request: selectors.alert_policies(
            request.user, client=_client(request), fresh=_fresh(request)
        ),
        ident=lambda r: "alertPolicies",
        title=lambda r: "the account's alert policies",
        url=lambda r: policies_url("alert-policies"),
        audit_type="alertpolicy",
        crumbs=CRUMBS,
    )
)
register_target(
    Target(
        name="alertpolicy",
        route="policies/alert-policies/<str:policy_id>/",
        load=lambda request, policy_id: selectors.alert_policy(
            request.user, policy_id, client=_client(request), fresh=_fresh(request)
        ),
        ident=lambda p: p.id,
        title=lambda p: p.name or p.id,
        url=lambda p: reverse("alert-policy", args=[p.id]),
        kwargs=lambda p: {"policy_id": p.id},
        crumbs=CRUMBS,
    )
)
register_target(
    Target(
        name="antiaffinity",
        route="datacenters/<str:dc>/anti-affinity/",
        load=lambda request, dc: selectors.datacenter_anti_affinity(
            request, dc, client=_client(request), fresh=_fresh(request)
        ),
        ident=lambda r: r.dc,
        title=lambda r: f"anti-affinity policies of {r.dc}",
        url=lambda r: reverse("datacenter-anti-affinity", args=[r.dc.lower()]),
        kwargs=lambda r: {"dc": r.dc.lower()},
        audit_type="datacenter",
        crumbs=lambda r: [(r.dc, reverse("datacenter", args=[r.dc.lower()]))],
    )
)
register_target(
    Target(
        name="antiaffinitypolicy",
        route="policies/anti-affinity/<str:policy_id>/",
        load=lambda request, policy_id: selectors.anti_affinity_policy(
            request.user, policy_id, client=_client(request), fresh=_fresh(request)
        ),
        ident=lambda p: p.id,
        title=lambda p: p.name or p.id,
        url=lambda p: reverse("anti-affinity-policy", args=[p.id]),
        kwargs=lambda p: {"policy_id": p.id},
        crumbs=lambda p: [
            ("Policies", policies_url()),
            (p.location, reverse("datacenter-anti-affinity", args=[p.location.lower()])),
        ],
    )
)


# --- alert policies ------------------------------------------------------------------------------
def _trigger_text(triggers) -> str:
    return "; ".join(f"{t.metric} ≥ {t.threshold:g} % for {t.duration}" for t in triggers)


def _create_alert(run):
    created = clc.create_alert_policy(
        run.client, run.data["name"], triggers=run.data["triggers"], recipients=run.data["recipients"]
    )
    run.result["id"] = created.id


def _alert_changes(run) -> dict:
    before, data = run.resource, run.data
    changes = {}
    if before.name != data["name"]:
        changes["name"] = {"from": before.name, "to": data["name"]}
    if _trigger_text(before.triggers) != _trigger_text(data["triggers"]):
        changes["triggers"] = {"from": _trigger_text(before.triggers), "to": _trigger_text(data["triggers"])}
    if list(before.recipients) != list(data["recipients"]):
        changes["recipients"] = {"from": ", ".join(before.recipients), "to": ", ".join(data["recipients"])}
    return changes


def _update_alert(run) -> None:
    data = run.data
    clc.update_alert_policy(
        run.client, run.resource.id, data["name"], triggers=data["triggers"], recipients=data["recipients"]
    )  # done at once: the answer is the policy, nothing to follow


ALERT_EXAMPLE = {
    "name": "CPU above 80%",
    "recipients": ["ops@example.com"],
    "cpu_threshold": 80,
    "cpu_duration": "00:05:00",
}

register(
    Action(
        name="createAlertPolicy",
        target="alertpolicies",
        label="New alert policy",
        form=AlertPolicyForm,
        call=_create_alert,
        roles=SERVER_ADMINS,
        link=("self", "POST"),
        button="Create alert policy",
        done="Alert policy created. Attach it to servers from their pages.",
        queues=False,
        then=lambda run: reverse("alert-policy", args=[run.result["id"]])
        if run.result.get("id")
        else policies_url(),
        audit=lambda run: {"name": run.data["name"], "triggers": _trigger_text(run.data["triggers"])},
        order=10,
        example=ALERT_EXAMPLE,
        description="Create an alert policy: e-mail recipients and, per metric (cpu, memory, disk), a threshold "
        "(5-95 in steps of 5) and a duration (00:05:00, 00:10:00, 00:15:00). At least one threshold.",
    )
)
register(
    Action(
        name="editAlertPolicy",
        target="alertpolicy",
        label="Edit",
        form=AlertPolicyForm,
        call=_update_alert,
        roles=SERVER_ADMINS,
        link=("self", "PUT"),
        button="Save",
        done="Alert policy saved.",
        queues=False,
        audit=_alert_changes,
        order=10,
        example={"memory_threshold": 90, "memory_duration": "00:10:00"},
        description="Change an alert policy (fields left out stay as they are; an empty threshold removes "
        "that metric's trigger). The cloud forgets the runs in progress: an alert starts over.",
    )
)
register(
    Action(
        name="deleteAlertPolicy",
        target="alertpolicy",
        label="Delete",
        call=lambda run: clc.delete_alert_policy(run.client, run.resource.id),
        roles=SERVER_ADMINS,
        link=("self", "DELETE"),
        confirm=True,
        danger=True,
        question="Delete the alert policy {name}? Every server that has it loses it, and its alerts stop.",
        button="Delete alert policy",
        done="Alert policy deleted.",
        queues=False,
        then=lambda run: policies_url("alert-policies"),
        audit=lambda run: {"name": run.resource.name, "triggers": _trigger_text(run.resource.triggers)},
        order=90,
    )
)


# --- anti-affinity policies ----------------------------------------------------------------------
def _create_anti(run):
    created = clc.create_anti_affinity_policy(run.client, run.data["name"], run.resource.dc)
    run.result["id"] = created.id


register(
    Action(
        name="createAntiAffinityPolicy",
        target="antiaffinity",
        label="New anti-affinity policy",
        form=AntiAffinityPolicyForm,
        call=_create_anti,
        roles=SERVER_ADMINS,
        link=("self", "POST"),
        button="Create policy",
        done="Anti-affinity policy created. Choose it when you create a hyperscale server here.",
        queues=False,
        then=lambda run: reverse("anti-affinity-policy", args=[run.result["id"]])
        if run.result.get("id")
        else reverse("datacenter-anti-affinity", args=[run.resource.dc.lower()]),
        audit=lambda run: {"name": run.data["name"], "location": run.resource.dc},
        order=10,
        example={"name": "Database ring"},
        description="Create an anti-affinity policy in the data center: the hyperscale servers in it are kept "
        "on different hosts.",
    )
)


def _rename_anti(run) -> None:
    clc.update_anti_affinity_policy(run.client, run.resource.id, run.data["name"])


register(
    Action(
        name="editAntiAffinityPolicy",
        target="antiaffinitypolicy",
        label="Rename",
        form=AntiAffinityPolicyForm,
        call=_rename_anti,
        roles=SERVER_ADMINS,
        link=("self", "PUT"),
        button="Save",
        done="Anti-affinity policy renamed.",
        queues=False,
        audit=lambda run: {"name": {"from": run.resource.name, "to": run.data["name"]}},
        order=10,
        example={"name": "Database ring (prod)"},
        description="Rename an anti-affinity policy (its data center and servers stay).",
    )
)


def _members(user, policy) -> list[str]:
    return [f"{s.id} leaves the policy" for s in policy.servers] or ["It has no servers."]


register(
    Action(
        name="deleteAntiAffinityPolicy",
        target="antiaffinitypolicy",
        label="Delete",
        call=lambda run: clc.delete_anti_affinity_policy(run.client, run.resource.id),
        roles=SERVER_ADMINS,
        link=("self", "DELETE"),
        confirm=True,
        danger=True,
        question="Delete the anti-affinity policy {name}? Its servers stay, but may then share hosts.",
        button="Delete policy",
        done="Anti-affinity policy deleted.",
        queues=False,
        affects=_members,
        then=lambda run: reverse("datacenter-anti-affinity", args=[run.resource.location.lower()]),
        audit=lambda run: {"name": run.resource.name, "location": run.resource.location},
        order=90,
    )
)
