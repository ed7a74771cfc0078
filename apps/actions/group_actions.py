"""The group actions, one declaration each (``/groups/<id>/actions/<name>/``): create a sub-group,
rename/describe, move, delete and archive (saying first what goes with it), restore, and the power
operations on every active server of the group's subtree (one upstream call; always asked first).

The group is read fresh for a change (``selectors.group_for_change``: one GET, its whole subtree
and links), so a confirmation lists what really goes.
"""

from django.urls import reverse

from apps.accounts.services import client_for_request
from apps.clc import errors as clc_errors
from apps.clc import groups as clc_groups
from apps.inventory import selectors

from .forms_group import GroupCreateForm, GroupInfoForm, GroupMoveForm, GroupRestoreForm
from .registry import Action, Target, register, register_target
from .roles import OPERATE
from .server_actions import POWER, server_operation


def _load_group(request, group_id: str):
    return selectors.group_for_change(request.user, group_id, client=client_for_request(request))


def _group_url(group_id: str) -> str:
    return reverse("group", args=[group_id.lower()])


GROUP = register_target(
    Target(
        name="group",
        route="groups/<str:group_id>/",
        load=_load_group,
        ident=lambda r: r.group.id,
        title=lambda r: r.group.name,
        url=lambda r: _group_url(r.group.id),
        kwargs=lambda r: {"group_id": r.group.id.lower()},
        crumbs=lambda r: [(r.datacenter, reverse("datacenter", args=[r.datacenter.lower()]))]
        if r.datacenter
        else [],
    )
)


# --- state rules and what goes -----------------------------------------------------------------
def _archived(r) -> str | None:
    g = r.group
    if g.status != "active" or g.type == "archive":
        return "it is archived"
    return None


def _root(r) -> str | None:
    return "it is the data center's root group" if r.group.is_root else None


def what_goes(user, r) -> list[str]:
    """The group, each sub-group (with its path below the group) and the number of servers."""
    lines = [f"{r.group.name} ({_servers(r.group.direct_server_count)})"]

    def walk(node, prefix):
        for child in node.children:
            path = f"{prefix} › {child.name}" if prefix else child.name
            lines.append(f"{path} ({_servers(child.direct_server_count)})")
            walk(child, path)

    walk(r.group, "")
    subgroups = len(lines) - 1
    lines.append(
        f"{subgroups} sub-group{'s' if subgroups != 1 else ''} and {_servers(r.group.server_count)} in all"
    )
    return lines


def _servers(n: int) -> str:
    return f"{n} server{'s' if n != 1 else ''}"


# --- create, rename, move ------------------------------------------------------------------------
def _create(run):
    group = clc_groups.create_group(run.client, run.data["name"], run.data["parent"], run.data["description"])
    run.result["id"] = group.id


register(
    Action(
        name="createGroup",
        target="group",
        label="New sub-group",
        form=GroupCreateForm,
        call=_create,
        roles=OPERATE,
        link=("createGroup", "POST"),
        state=_archived,
        button="Create group",
        done="Group created.",
        queues=False,
        then=lambda run: _group_url(run.result.get("id") or run.data["parent"]),
        order=10,
        example={"name": "Blue pool", "description": "Web servers, blue", "parent": "<group id>"},
    )
)
register(
    Action(
        name="editGroup",
        target="group",
        label="Rename / describe",
        form=GroupInfoForm,
        call=lambda run: clc_groups.update_group(
            run.client, run.resource.group.id, name=run.data["name"], description=run.data["description"]
        ),
        roles=OPERATE,
        link=("self", "PATCH"),
        button="Save",
        done="Group saved.",
        queues=False,
        order=20,
        example={"name": "Web", "description": "Web team"},
    )
)
register(
    Action(
        name="moveGroup",
        target="group",
        label="Move",
        form=GroupMoveForm,
        call=lambda run: clc_groups.update_group(
            run.client, run.resource.group.id, parent_group_id=run.data["parent"]
        ),
        roles=OPERATE,
        link=("self", "PATCH"),
        state=_root,
        button="Move",
        done="Group moved (with its sub-groups and servers).",
        queues=False,
        order=30,
        example={"parent": "<group id>"},
    )
)


# --- power on every server below -----------------------------------------------------------------
def _active_ids(run) -> list[str]:
    if "ids" not in run.result:
        run.result["ids"] = [
            s.id for s in selectors.active_servers_below(run.user, run.resource, client=run.client)
        ]
    return run.result["ids"]


NO_ACTIVE = "There are no active servers in this group or its sub-groups."


def _group_power(operation):
    def call(run):
        ids = _active_ids(run)
        if not ids:  # nothing is sent: said on the page, as the cloud would refuse
            raise clc_errors.BadRequest(message=NO_ACTIVE)
        return server_operation(run.client, operation, ids)

    return call


def _affected_servers(user, r) -> list[str]:
    """Each active server of the subtree, named on the confirmation (cached data center view)."""
    servers = selectors.active_servers_below(user, r)
    return [f"{s.name} ({s.power_state or s.status})" for s in servers] or [NO_ACTIVE]


def _has_servers(r) -> str | None:
    return _archived(r) or (None if r.group.server_count else "it has no servers")


for _order, (_name, _label, _danger, _question) in enumerate(POWER):
    register(
        Action(
            name=_name,
            target="group",
            label=f"{_label} all",
            call=_group_power(_name),
            roles=OPERATE,
            link=("createServer", "POST"),  # the roles that may create servers are those that may power them
            state=_has_servers,
            confirm=True,  # every server of the subtree: always asked first
            danger=_danger,
            question=f"{_label} every active server in {{name}} and its sub-groups?",
            resource_ids=_active_ids,
            affects=_affected_servers,
            placement="power",
            order=50 + _order,
            description=f"{_label} every active server of the group and its sub-groups (one upstream call).",
        )
    )

# --- delete, archive, restore ------------------------------------------------------------------------
register(
    Action(
        name="archiveGroup",
        target="group",
        label="Archive",
        call=lambda run: clc_groups.archive_group(run.client, run.resource.group.id),
        roles=OPERATE,
        link=("archiveGroupAction", None),  # documented without verbs
        state=lambda r: _archived(r) or _root(r),
        confirm=True,
        danger=True,
        question="Archive {name}? Its servers are stopped and archived; you can restore them later.",
        affects=what_goes,
        order=80,
    )
)
register(
    Action(
        name="restoreGroup",
        target="group",
        label="Restore",
        form=GroupRestoreForm,
        call=lambda run: clc_groups.restore_group(run.client, run.resource.group.id, run.data["target"]),
        roles=OPERATE,
        link=("restoreGroupAction", "POST"),
        order=85,
        example={"target": "<group id>"},
    )
)
register(
    Action(
        name="deleteGroup",
        target="group",
        label="Delete group",
        call=lambda run: clc_groups.delete_group(run.client, run.resource.group.id),
        roles=OPERATE,
        link=("self", "DELETE"),
        state=_root,
        confirm=True,
        danger=True,
        question="Delete {name} and everything in it? This can't be undone.",
        button="Delete group and everything in it",
        affects=what_goes,
        then=lambda run: _group_url(run.resource.group.parent_id)
        if run.resource.group.parent_id
        else reverse("datacenter", args=[run.resource.datacenter.lower()]),
        order=90,
    )
)
