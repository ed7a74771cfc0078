"""Firewall policy actions (``apps.actions.registry``), per data center:

* ``/datacenters/<dc>/firewall/actions/createIntraPolicy|createCrossPolicy/``;
* an intra data center policy (``.../firewall/intra/<id>/actions/<name>/``): edit its sources,
  destinations and ports, enable, disable, delete;
* a cross data center policy (``.../firewall/cross/<id>/actions/<name>/``): enable, disable, delete
  (the API changes nothing else on those).

Policies are changed at once (201 / 204): no activity; a new one is ``pending`` until the cloud has
provisioned it.
"""

from django.urls import reverse

from apps.accounts.services import client_for_request
from apps.actions.registry import Action, Target, register, register_target
from apps.actions.roles import FIREWALL
from apps.clc import firewall as clc_firewall

from . import forms_firewall as ff
from .selectors_firewall import cross_policy, firewall, intra_policy


def _client(request):
    return client_for_request(request)


def _page(dc: str) -> str:
    return reverse("datacenter-firewall", args=[dc.lower()])


def _crumbs(dc: str) -> list:
    return [("Networks", reverse("networks")), (f"{dc} firewall", _page(dc))]


register_target(
    Target(
        name="firewall",
        route="datacenters/<str:dc>/firewall/",
        load=lambda request, dc: firewall(
            request.user, dc, client=_client(request), fresh=request.method == "POST"
        ),
        ident=lambda v: v.dc,
        title=lambda v: f"{v.dc} firewall",
        url=lambda v: _page(v.dc),
        kwargs=lambda v: {"dc": v.dc.lower()},
        audit_type="firewall",
        crumbs=lambda v: [("Networks", reverse("networks"))],
    )
)
register_target(
    Target(
        name="firewall-policy",
        route="datacenters/<str:dc>/firewall/intra/<str:policy_id>/",
        load=lambda request, dc, policy_id: intra_policy(
            request.user, dc, policy_id, client=_client(request), fresh=request.method == "POST"
        ),
        ident=lambda v: v.id,
        title=lambda v: f"policy {v.id[:8]}",
        url=lambda v: _page(v.dc),
        kwargs=lambda v: {"dc": v.dc.lower(), "policy_id": v.id},
        crumbs=lambda v: _crumbs(v.dc),
    )
)
register_target(
    Target(
        name="cross-dc-policy",
        route="datacenters/<str:dc>/firewall/cross/<str:policy_id>/",
        load=lambda request, dc, policy_id: cross_policy(
            request.user, dc, policy_id, client=_client(request), fresh=request.method == "POST"
        ),
        ident=lambda v: v.id,
        title=lambda v: f"policy {v.id[:8]}",
        url=lambda v: _page(v.dc),
        kwargs=lambda v: {"dc": v.dc.lower(), "policy_id": v.id},
        crumbs=lambda v: _crumbs(v.dc),
    )
)


# --- create ----------------------------------------------------------------------------------------
def _create_intra(run):
    run.result["id"] = clc_firewall.create_intra(run.client, run.resource.dc, run.data["spec"])


def _create_cross(run):
    run.result["id"] = clc_firewall.create_cross(run.client, run.resource.dc, run.data["spec"]).id


def _created(run) -> dict:
    return {"id": run.result.get("id", ""), **run.data["spec"]}


register(
    Action(
        name="createIntraPolicy",
        target="firewall",
        label="New intra data center policy",
        form=ff.CreateIntraPolicyForm,
        call=_create_intra,
        roles=FIREWALL,
        button="Create policy",
        done="Policy created: it is pending until the cloud has applied it.",
        queues=False,
        order=10,
        audit=_created,
        example={
            "source": "10.16.0.0/24",
            "destination": "Backend",
            "ports": "tcp/3306, tcp/6379",
            "destination_account": "DEMO",
            "enabled": True,
        },
        description="Allow traffic between networks of this data center (sources and destinations: CIDR "
        "blocks or network names; ports: any, icmp, tcp/443, udp/1000-2000).",
    )
)
register(
    Action(
        name="createCrossPolicy",
        target="firewall",
        label="New cross data center policy",
        form=ff.CreateCrossPolicyForm,
        call=_create_cross,
        roles=FIREWALL,
        button="Create policy",
        done="Policy created: it is pending until the cloud has applied it.",
        queues=False,
        order=20,
        audit=_created,
        example={
            "source_cidr": "10.16.0.0/24",
            "destination_location": "VA1",
            "destination_account": "DEMO",
            "destination_cidr": "10.32.0.0/24",
            "enabled": True,
        },
        description="Allow traffic from a network of this data center to one in another data center.",
    )
)


# --- one policy ---------------------------------------------------------------------------------
def _edited(run) -> dict:
    policy, after = run.resource.policy, run.data["changes"]
    before = {
        "source": list(policy.source),
        "destination": list(policy.destination),
        "ports": list(policy.ports),
    }
    return {k: {"from": before[k], "to": v} for k, v in after.items() if before[k] != v}


def _switch(enabled: bool):
    def audit(run):
        return {"enabled": {"from": run.resource.policy.enabled, "to": enabled}}

    return audit


def _state(enabled: bool):
    def rule(view):
        if view.policy.enabled == enabled:
            return f"it is already {'enabled' if enabled else 'disabled'}"
        return None

    return rule


def _intra_contents(run) -> dict:
    p = run.resource.policy
    return {
        "source": list(p.source),
        "destination": list(p.destination),
        "ports": list(p.ports),
        "destination_account": p.destination_account,
        "enabled": p.enabled,
    }


def _cross_contents(run) -> dict:
    p = run.resource.policy
    return {
        "source": p.source_cidr,
        "destination": p.destination_cidr,
        "destination_location": p.destination_location,
        "destination_account": p.destination_account,
        "enabled": p.enabled,
    }


register(
    Action(
        name="editPolicy",
        target="firewall-policy",
        label="Edit",
        form=ff.EditIntraPolicyForm,
        call=lambda run: clc_firewall.update_intra(
            run.client, run.resource.dc, run.resource.id, run.data["changes"]
        ),
        roles=FIREWALL,
        link=("self", "PUT"),
        button="Save",
        done="Policy saved.",
        queues=False,
        order=10,
        audit=_edited,
        example={"source": "10.16.0.0/24", "destination": "10.16.1.0/24", "ports": "tcp/443"},
        description="Change the policy's sources, destinations and ports (done at once).",
    )
)
for _target, _update in (
    (
        "firewall-policy",
        lambda run, on: clc_firewall.update_intra(
            run.client, run.resource.dc, run.resource.id, {"enabled": on}
        ),
    ),
    (
        "cross-dc-policy",
        lambda run, on: clc_firewall.set_cross_enabled(run.client, run.resource.dc, run.resource.id, on),
    ),
):
    for _on, _name, _label in ((True, "enablePolicy", "Enable"), (False, "disablePolicy", "Disable")):
        register(
            Action(
                name=_name,
                target=_target,
                label=_label,
                call=lambda run, update=_update, on=_on: update(run, on),
                roles=FIREWALL,
                link=("self", "PUT"),
                state=_state(_on),
                done=f"Policy {'enabled' if _on else 'disabled'}.",
                queues=False,
                order=20 if _on else 21,
                audit=_switch(_on),
                description=f"{_label} the policy (done at once).",
            )
        )
    register(
        Action(
            name="deletePolicy",
            target=_target,
            label="Delete",
            call=(
                (lambda run: clc_firewall.delete_intra(run.client, run.resource.dc, run.resource.id))
                if _target == "firewall-policy"
                else (lambda run: clc_firewall.delete_cross(run.client, run.resource.dc, run.resource.id))
            ),
            roles=FIREWALL,
            link=("self", "DELETE"),
            confirm=True,
            danger=True,
            question="Delete {name}? The traffic it allows is blocked again.",
            done="Policy deleted.",
            queues=False,
            order=90,
            audit=_intra_contents if _target == "firewall-policy" else _cross_contents,
            description="Delete the policy (done at once).",
        )
    )
