"""The schedule and autoscale actions of a group, one registry declaration each
(``docs/actions.md``).

Targets: ``groupschedules`` (a group's scheduled activities, ``/groups/<id>/schedules/``: add one),
``groupschedule`` (one activity, ``.../schedules/<schedule_id>/``: change, remove) and
``groupautoscale`` (the group's horizontal autoscale, ``/groups/<id>/autoscale/``: set or change,
remove). Every change applies at once upstream (no activity: the runs are operations the cloud
starts by itself), is audited (``group.createSchedule``, ``schedule.editSchedule`` /
``deleteSchedule`` with ``<group>/<schedule>`` as the target, ``group.setAutoscale`` /
``removeAutoscale``) and drops the account's cached reads.
Who may (ROLES.md): group schedules AccountAdmin, ServerAdmin, ServerOperator (``roles.OPERATE``);
autoscale policies AccountAdmin, ServerAdmin (``roles.SERVER_ADMINS``); and the links' verbs.
"""

from django.urls import reverse

from apps.actions.declare import asks, at_once, change, declare, deletes, edits, fresh_load
from apps.actions.registry import Target, register_target
from apps.actions.roles import OPERATE, SERVER_ADMINS
from apps.clc import horizontal_autoscale as clc_autoscale
from apps.clc import schedules as clc_schedules

from . import selectors
from .forms import TYPE_LABELS, AutoscaleForm, ScheduleForm
from .presenting import describe

_load_automation = fresh_load(selectors.group_automation)  # a change starts from the cloud's state
_load_schedule = fresh_load(selectors.group_schedule)


def schedules_url(group_id: str) -> str:
    return reverse("group-schedules", args=[group_id.lower()])


def _crumbs(group) -> list:
    return [(group.name or group.id, reverse("group", args=[group.id.lower()]))]


def _group_target(name: str, tail: str, what: str) -> Target:
    """A target whose resource is the group's ``GroupAutomation`` (its schedules, its autoscale)."""
    return register_target(
        Target(
            name=name,
            route=f"groups/<str:group_id>/{tail}/",
            load=_load_automation,
            ident=lambda v: v.id,
            title=lambda v: f"{what} of {v.name}",
            url=lambda v: schedules_url(v.id),
            kwargs=lambda v: {"group_id": v.id},
            audit_type="group",
            crumbs=lambda v: _crumbs(v.group),
        )
    )


_group_target("groupschedules", "schedules", "schedules")
_group_target("groupautoscale", "autoscale", "autoscale")
register_target(
    Target(
        name="groupschedule",
        route="groups/<str:group_id>/schedules/<str:schedule_id>/",
        load=_load_schedule,
        ident=lambda v: f"{v.automation.id}/{v.schedule.id}",
        title=lambda v: f"{describe(v.schedule)} ({v.automation.name})",
        url=lambda v: schedules_url(v.automation.id),
        kwargs=lambda v: {"group_id": v.automation.id, "schedule_id": v.schedule.id},
        audit_type="schedule",
        crumbs=lambda v: [*_crumbs(v.group), ("Schedules", schedules_url(v.automation.id))],
    )
)


def _archived(v) -> str | None:
    automation = getattr(v, "automation", v)
    return "the group is archived" if automation.archived else None


# --- scheduled activities ------------------------------------------------------------------------
schedules_act = declare("groupschedules", roles=OPERATE)
schedule_act = declare("groupschedule", roles=OPERATE)
autoscale_act = declare("groupautoscale", roles=SERVER_ADMINS)


def _create(run):
    created = clc_schedules.create_activity(run.client, run.resource.id, run.data)
    run.result["id"] = created.id
    run.result["schedule"] = describe(created)


schedules_act(
    "createSchedule",
    "Add schedule",
    _create,
    form=ScheduleForm,
    link=("scheduledActivities", "POST"),
    state=_archived,
    **at_once("Schedule added.", "Add schedule"),
    audit=lambda run: {"schedule": change(None, run.result.get("schedule", ""))},
    order=10,
    example={
        "type": "shutdown",
        "begin": "2026-12-01T20:00",
        "time_zone_offset": "-08:00",
        "repeat": "daily",
        "expire": "never",
        "status": "on",
    },
    description="Schedule an activity on every server of the group and its sub-groups (power off, "
    "power on, pause, reboot, snapshots, archive, delete): its first run in local time, the offset, "
    "how it repeats (customWeekly: custom_weekly_days) and when it stops (afterCount: expire_count, "
    "afterDate: expire_date). A schedule that runs once must begin in the future.",
)


def _edit(run):
    view = run.resource
    clc_schedules.update_activity(run.client, view.automation.id, view.schedule.id, run.data)


def _edit_audit(run) -> dict:
    before = describe(run.resource.schedule)
    after = TYPE_LABELS.get(run.data["type"], run.data["type"])
    return {"schedule": change(before, f"{after}, {run.data['repeat']} from {run.data['beginDateUTC']}")}


schedule_act(
    "editSchedule",
    "Change",
    _edit,
    form=ScheduleForm,
    state=_archived,
    **edits("Schedule saved.", "Save schedule"),
    audit=_edit_audit,
    order=10,
    example={
        "type": "poweron",
        "begin": "2026-12-02T07:00",
        "time_zone_offset": "-08:00",
        "repeat": "customWeekly",
        "custom_weekly_days": ["mon", "tue", "wed", "thu", "fri"],
        "expire": "afterCount",
        "expire_count": 20,
        "status": "on",
    },
    description="Change a scheduled activity (every field again; its run count is kept).",
)
schedule_act(
    "deleteSchedule",
    "Remove",
    lambda run: clc_schedules.delete_activity(
        run.client, run.resource.automation.id, run.resource.schedule.id
    ),
    **deletes("Remove the schedule {name}? It will not run again.", "Schedule removed.", "Remove schedule"),
    audit=lambda run: {"schedule": change(describe(run.resource.schedule), None)},
    then=lambda run: schedules_url(run.resource.automation.id),
    order=90,
    description="Remove a scheduled activity: it does not run again.",
)


# --- horizontal autoscale ------------------------------------------------------------------------
def _set(run):
    mapping = clc_autoscale.set_group_policy(
        run.client, run.resource.id, run.data["policy_id"], run.data["pool"]
    )
    run.result["policy"] = mapping.name or mapping.policy_id


def _current(v) -> str | None:
    return (v.autoscale.name or v.autoscale.policy_id) if v.autoscale is not None else None


def _policy_change(to):
    """The audit of an autoscale change: the policy before and ``to(run)`` after."""
    return lambda run: {"policy": change(_current(run.resource), to(run))}


autoscale_act(
    "setAutoscale",
    "Set autoscale policy",
    _set,
    form=AutoscaleForm,
    link=("horizontalAutoscalePolicyMapping", "PUT"),
    state=_archived,
    **at_once("Autoscale policy set.", "Save autoscale"),
    audit=_policy_change(lambda run: run.result.get("policy")),
    order=10,
    example={
        "policy": "<a horizontal policy id>",
        "load_balancer": "",
        "public_port": None,
        "private_port": None,
    },
    description="Apply one of the account's horizontal autoscale policies to the group (replacing any), "
    "optionally with a load balancer pool (its id, public and private ports). The policy's minimum "
    "must not exceed the group's servers.",
)
autoscale_act(
    "removeAutoscale",
    "Remove autoscale",
    lambda run: clc_autoscale.remove_group_policy(run.client, run.resource.id),
    link=("horizontalAutoscalePolicyMapping", "DELETE"),
    state=lambda v: "no autoscale policy is set" if v.autoscale is None else _archived(v),
    **asks("Remove the autoscale policy of {name}? Its servers stay as they are."),
    **at_once("Autoscale policy removed.", "Remove autoscale"),
    audit=_policy_change(lambda run: None),
    order=90,
    description="Take the group's horizontal autoscale policy off.",
)
