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

from apps.actions.declare import at_once, change, changes, datacenter_target, declare, deletes, fresh_load
from apps.actions.registry import Target, register_target
from apps.actions.roles import FIREWALL
from apps.clc import firewall as clc_firewall

from . import forms_firewall as ff
from .selectors_firewall import cross_policy, firewall, intra_policy


def _page(dc: str) -> str:
    return reverse("datacenter-firewall", args=[dc.lower()])


datacenter_target(
    "firewall",
    "firewall",
    fresh_load(firewall),
    "{dc} firewall",
    "datacenter-firewall",
    audit_type="firewall",
    crumbs=lambda v: [("Networks", reverse("networks"))],
)
for _name, _kind, _selector in (
    ("firewall-policy", "intra", intra_policy),
    ("cross-dc-policy", "cross", cross_policy),
):
    register_target(
        Target(
            name=_name,
            route=f"datacenters/<str:dc>/firewall/{_kind}/<str:policy_id>/",
            load=fresh_load(_selector),
            ident=lambda v: v.id,
            title=lambda v: f"policy {v.id[:8]}",
            url=lambda v: _page(v.dc),
            kwargs=lambda v: {"dc": v.dc.lower(), "policy_id": v.id},
            crumbs=lambda v: [("Networks", reverse("networks")), (f"{v.dc} firewall", _page(v.dc))],
        )
    )


# --- create ----------------------------------------------------------------------------------------
def _create_intra(run):
    run.result["id"] = clc_firewall.create_intra(run.client, run.resource.dc, run.data["spec"])


def _create_cross(run):
    run.result["id"] = clc_firewall.create_cross(run.client, run.resource.dc, run.data["spec"]).id


def _created(run) -> dict:
    return {"id": run.result.get("id", ""), **run.data["spec"]}


create = declare(
    "firewall",
    roles=FIREWALL,
    **at_once("Policy created: it is pending until the cloud has applied it.", "Create policy"),
    audit=_created,
)
create(
    "createIntraPolicy",
    "New intra data center policy",
    _create_intra,
    form=ff.CreateIntraPolicyForm,
    order=10,
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
create(
    "createCrossPolicy",
    "New cross data center policy",
    _create_cross,
    form=ff.CreateCrossPolicyForm,
    order=20,
    example={
        "source_cidr": "10.16.0.0/24",
        "destination_location": "VA1",
        "destination_account": "DEMO",
        "destination_cidr": "10.32.0.0/24",
        "enabled": True,
    },
    description="Allow traffic from a network of this data center to one in another data center.",
)


# --- one policy ---------------------------------------------------------------------------------
def _edited(run) -> dict:
    policy, after = run.resource.policy, run.data["changes"]
    before = {
        "source": list(policy.source),
        "destination": list(policy.destination),
        "ports": list(policy.ports),
    }
    return changes(before, after)


def _switch(enabled: bool):
    def audit(run):
        return {"enabled": change(run.resource.policy.enabled, enabled)}

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


def _ids(call):
    """``call(client, dc, policy id, *args)``."""
    return lambda run, *args: call(run.client, run.resource.dc, run.resource.id, *args)


intra = declare("firewall-policy", roles=FIREWALL, link=("self", "PUT"), **at_once())
intra(
    "editPolicy",
    "Edit",
    lambda run: _ids(clc_firewall.update_intra)(run, run.data["changes"]),
    form=ff.EditIntraPolicyForm,
    button="Save",
    done="Policy saved.",
    order=10,
    audit=_edited,
    example={"source": "10.16.0.0/24", "destination": "10.16.1.0/24", "ports": "tcp/443"},
    description="Change the policy's sources, destinations and ports (done at once).",
)
for _act, _enable, _delete, _contents in (
    (
        intra,
        lambda run, on: _ids(clc_firewall.update_intra)(run, {"enabled": on}),
        clc_firewall.delete_intra,
        _intra_contents,
    ),
    (
        declare("cross-dc-policy", roles=FIREWALL, link=("self", "PUT"), **at_once()),
        _ids(clc_firewall.set_cross_enabled),
        clc_firewall.delete_cross,
        _cross_contents,
    ),
):
    for _on, _name, _label in ((True, "enablePolicy", "Enable"), (False, "disablePolicy", "Disable")):
        _act(
            _name,
            _label,
            lambda run, enable=_enable, on=_on: enable(run, on),
            state=_state(_on),
            done=f"Policy {'enabled' if _on else 'disabled'}.",
            order=20 if _on else 21,
            audit=_switch(_on),
            description=f"{_label} the policy (done at once).",
        )
    _act(
        "deletePolicy",
        "Delete",
        _ids(_delete),
        **deletes("Delete {name}? The traffic it allows is blocked again.", "Policy deleted."),
        order=90,
        audit=_contents,
        description="Delete the policy (done at once).",
    )
