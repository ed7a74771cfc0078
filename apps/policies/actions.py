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
from apps.actions.declare import (
    answerless,
    at_once,
    change,
    changes,
    creates,
    datacenter_target,
    declare,
    deletes,
    edits,
    fresh_load,
)
from apps.actions.registry import Target, register_target
from apps.actions.roles import SERVER_ADMINS
from apps.clc import policies as clc

from . import (
    actions_server,  # noqa: F401  (a server's policies: attach, detach, set, remove)
    selectors,
)
from .forms import AlertPolicyForm, AntiAffinityPolicyForm


def policies_url(anchor: str = "") -> str:
    return reverse("policies") + (f"#{anchor}" if anchor else "")


def dc_url(dc: str) -> str:
    return reverse("datacenter-anti-affinity", args=[dc.lower()])


def CRUMBS(_resource) -> list:  # noqa: N802
    return [("Policies", policies_url())]


def _policy(name: str, route: str, load, url_name: str, **fields) -> Target:
    """A target of one policy (``<route><policy_id>/``): named by its name, else its id."""
    return register_target(
        Target(
            name=name,
            route=f"{route}<str:policy_id>/",
            load=fresh_load(load),
            ident=lambda p: p.id,
            title=lambda p: p.name or p.id,
            url=lambda p: reverse(url_name, args=[p.id]),
            kwargs=lambda p: {"policy_id": p.id},
            **fields,
        )
    )


def _dc_anti_affinity(request, dc):
    fresh = request.method == "POST"  # a change starts from the cloud's current state
    return selectors.datacenter_anti_affinity(request, dc, client=client_for_request(request), fresh=fresh)


register_target(
    Target(
        name="alertpolicies",
        route="policies/alert-policies/",
        load=fresh_load(selectors.alert_policies),
        ident=lambda r: "alertPolicies",
        title=lambda r: "the account's alert policies",
        url=lambda r: policies_url("alert-policies"),
        audit_type="alertpolicy",
        crumbs=CRUMBS,
    )
)
_policy("alertpolicy", "policies/alert-policies/", selectors.alert_policy, "alert-policy", crumbs=CRUMBS)
datacenter_target(
    "antiaffinity",
    "anti-affinity",
    _dc_anti_affinity,
    "anti-affinity policies of {dc}",
    "datacenter-anti-affinity",
)
_policy(
    "antiaffinitypolicy",
    "policies/anti-affinity/",
    selectors.anti_affinity_policy,
    "anti-affinity-policy",
    crumbs=lambda p: [("Policies", policies_url()), (p.location, dc_url(p.location))],
)


# --- alert policies ------------------------------------------------------------------------------
def _trigger_text(triggers) -> str:
    return "; ".join(f"{t.metric} ≥ {t.threshold:g} % for {t.duration}" for t in triggers)


def _alert_text(name: str, triggers, recipients) -> dict:
    """An alert policy's fields as its audit shows them."""
    return {"name": name, "triggers": _trigger_text(triggers), "recipients": ", ".join(recipients)}


def _alert_changes(run) -> dict:
    before, data = run.resource, run.data
    return changes(
        _alert_text(before.name, before.triggers, before.recipients),
        _alert_text(data["name"], data["triggers"], data["recipients"]),
    )


def _alert_args(run) -> dict:
    return {"triggers": run.data["triggers"], "recipients": run.data["recipients"]}


ALERT_EXAMPLE = {
    "name": "CPU above 80%",
    "recipients": ["ops@example.com"],
    "cpu_threshold": 80,
    "cpu_duration": "00:05:00",
}

declare("alertpolicies", roles=SERVER_ADMINS, link=("self", "POST"))(
    "createAlertPolicy",
    "New alert policy",
    form=AlertPolicyForm,
    **creates(
        lambda run: clc.create_alert_policy(run.client, run.data["name"], **_alert_args(run)),
        lambda run, made: reverse("alert-policy", args=[made]),
        lambda run: policies_url(),
    ),
    **at_once("Alert policy created. Attach it to servers from their pages.", "Create alert policy"),
    audit=lambda run: {"name": run.data["name"], "triggers": _trigger_text(run.data["triggers"])},
    order=10,
    example=ALERT_EXAMPLE,
    description="Create an alert policy: e-mail recipients and, per metric (cpu, memory, disk), a threshold "
    "(5-95 in steps of 5) and a duration (00:05:00, 00:10:00, 00:15:00). At least one threshold.",
)
alert = declare("alertpolicy", roles=SERVER_ADMINS)
alert(
    "editAlertPolicy",
    "Edit",
    # done at once: the answer is the policy, nothing to follow
    answerless(
        lambda run: clc.update_alert_policy(run.client, run.resource.id, run.data["name"], **_alert_args(run))
    ),
    form=AlertPolicyForm,
    **edits("Alert policy saved."),
    audit=_alert_changes,
    order=10,
    example={"memory_threshold": 90, "memory_duration": "00:10:00"},
    description="Change an alert policy (fields left out stay as they are; an empty threshold removes "
    "that metric's trigger). The cloud forgets the runs in progress: an alert starts over.",
)
alert(
    "deleteAlertPolicy",
    "Delete",
    lambda run: clc.delete_alert_policy(run.client, run.resource.id),
    **deletes(
        "Delete the alert policy {name}? Every server that has it loses it, and its alerts stop.",
        "Alert policy deleted.",
        "Delete alert policy",
    ),
    then=lambda run: policies_url("alert-policies"),
    audit=lambda run: {"name": run.resource.name, "triggers": _trigger_text(run.resource.triggers)},
    order=90,
)


# --- anti-affinity policies ----------------------------------------------------------------------
declare("antiaffinity", roles=SERVER_ADMINS, link=("self", "POST"))(
    "createAntiAffinityPolicy",
    "New anti-affinity policy",
    form=AntiAffinityPolicyForm,
    **creates(
        lambda run: clc.create_anti_affinity_policy(run.client, run.data["name"], run.resource.dc),
        lambda run, made: reverse("anti-affinity-policy", args=[made]),
        lambda run: dc_url(run.resource.dc),
    ),
    **at_once(
        "Anti-affinity policy created. Choose it when you create a hyperscale server here.", "Create policy"
    ),
    audit=lambda run: {"name": run.data["name"], "location": run.resource.dc},
    order=10,
    example={"name": "Database ring"},
    description="Create an anti-affinity policy in the data center: the hyperscale servers in it are kept "
    "on different hosts.",
)
anti = declare("antiaffinitypolicy", roles=SERVER_ADMINS)
anti(
    "editAntiAffinityPolicy",
    "Rename",
    answerless(lambda run: clc.update_anti_affinity_policy(run.client, run.resource.id, run.data["name"])),
    form=AntiAffinityPolicyForm,
    **edits("Anti-affinity policy renamed."),
    audit=lambda run: {"name": change(run.resource.name, run.data["name"])},
    order=10,
    example={"name": "Database ring (prod)"},
    description="Rename an anti-affinity policy (its data center and servers stay).",
)
anti(
    "deleteAntiAffinityPolicy",
    "Delete",
    lambda run: clc.delete_anti_affinity_policy(run.client, run.resource.id),
    **deletes(
        "Delete the anti-affinity policy {name}? Its servers stay, but may then share hosts.",
        "Anti-affinity policy deleted.",
        "Delete policy",
    ),
    affects=lambda user, policy: [f"{s.id} leaves the policy" for s in policy.servers]
    or ["It has no servers."],
    then=lambda run: dc_url(run.resource.location),
    audit=lambda run: {"name": run.resource.name, "location": run.resource.location},
    order=90,
)
