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

from .declare import asks, at_once, creates, declare
from .forms_group import GroupCreateForm, GroupInfoForm, GroupMoveForm, GroupRestoreForm
from .registry import Target, register_target
from .roles import OPERATE
from .server_actions import POWER, server_operation


def _load_group(request, group_id: str):
    return selectors.group_for_change(request.user, group_id, client=client_for_request(request))


def _group_url(group_id: str) -> str:
    return reverse("group", args=[group_id.lower()])


group = declare("group", roles=OPERATE)
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
def _update(**changes):
    """``update_group`` with the form's values named by ``changes`` (argument -> form field)."""
    return lambda run: clc_groups.update_group(
        run.client, run.resource.group.id, **{arg: run.data[name] for arg, name in changes.items()}
    )


group(
    "createGroup",
    "New sub-group",
    form=GroupCreateForm,
    link=("createGroup", "POST"),
    state=_archived,
    **at_once("Group created.", "Create group"),
    **creates(  # the new group's page, else its parent's
        lambda run: clc_groups.create_group(
            run.client, run.data["name"], run.data["parent"], run.data["description"]
        ),
        lambda run, made: _group_url(made),
        lambda run: _group_url(run.data["parent"]),
    ),
    order=10,
    example={"name": "Blue pool", "description": "Web servers, blue", "parent": "<group id>"},
)
group(
    "editGroup",
    "Rename / describe",
    _update(name="name", description="description"),
    form=GroupInfoForm,
    link=("self", "PATCH"),
    **at_once("Group saved.", "Save"),
    order=20,
    example={"name": "Web", "description": "Web team"},
)
group(
    "moveGroup",
    "Move",
    _update(parent_group_id="parent"),
    form=GroupMoveForm,
    link=("self", "PATCH"),
    state=_root,
    **at_once("Group moved (with its sub-groups and servers).", "Move"),
    order=30,
    example={"parent": "<group id>"},
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
    group(
        _name,
        f"{_label} all",
        _group_power(_name),
        link=("createServer", "POST"),  # the roles that may create servers are those that may power them
        state=_has_servers,
        **asks(f"{_label} every active server in {{name}} and its sub-groups?", danger=_danger),  # always
        resource_ids=_active_ids,
        affects=_affected_servers,
        placement="power",
        order=50 + _order,
        description=f"{_label} every active server of the group and its sub-groups (one upstream call).",
    )

# --- delete, archive, restore ------------------------------------------------------------------------
group(
    "archiveGroup",
    "Archive",
    lambda run: clc_groups.archive_group(run.client, run.resource.group.id),
    link=("archiveGroupAction", None),  # documented without verbs
    state=lambda r: _archived(r) or _root(r),
    **asks("Archive {name}? Its servers are stopped and archived; you can restore them later."),
    affects=what_goes,
    order=80,
)
group(
    "restoreGroup",
    "Restore",
    lambda run: clc_groups.restore_group(run.client, run.resource.group.id, run.data["target"]),
    form=GroupRestoreForm,
    link=("restoreGroupAction", "POST"),
    order=85,
    example={"target": "<group id>"},
)
group(
    "deleteGroup",
    "Delete group",
    lambda run: clc_groups.delete_group(run.client, run.resource.group.id),
    link=("self", "DELETE"),
    state=_root,
    **asks("Delete {name} and everything in it? This can't be undone."),
    button="Delete group and everything in it",
    affects=what_goes,
    then=lambda run: _group_url(run.resource.group.parent_id)
    if run.resource.group.parent_id
    else reverse("datacenter", args=[run.resource.datacenter.lower()]),
    order=90,
)
