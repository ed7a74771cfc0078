"""Group actions: create a sub-group, rename / describe, move, delete (saying first what goes with it),
archive, restore, and power operations on every active server of the group's subtree.

Every action follows the group's links (never role names): ``createGroup`` POST to create,
``self`` PATCH to rename/move, ``self`` DELETE to delete, ``archiveGroupAction`` /
``restoreGroupAction`` to archive / restore; power needs the ``createServer`` POST link (the roles
that may create servers are exactly those that may power them). A missing link → 403 page.

The group is read fresh (one GET: its whole subtree, links included) so a confirmation lists what
really goes; the data center's tree for the parent choices comes from the inventory's cache.
Every POST runs through ``apps.actions.services`` (one idempotency key per rendered form).
"""

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from apps.accounts.services import client_for_request
from apps.activities import services as activity_services
from apps.clc import errors
from apps.clc import groups as clc_groups
from apps.inventory import selectors
from apps.inventory.selectors import GroupNode

from . import idempotency
from .forms_group import (
    GROUP_POWER_OPERATIONS,
    GroupCreateForm,
    GroupInfoForm,
    GroupMoveForm,
    GroupRestoreForm,
)
from .services import audit, flash, key_from, perform, perform_power

FORBIDDEN = "Your role may not do this to {name}."


@dataclass
class GroupContext:
    group: GroupNode  # read fresh, with its whole subtree
    datacenter: str  # "WA1"
    groups: tuple  # every group of the data center (depth-first, cached tree)


def _group_url(group_id: str) -> str:
    return f"/groups/{group_id.lower()}/"


def fetch_group(client, group_id: str) -> GroupNode:
    """The group read fresh (one GET: its whole subtree, links included). Raises selectors.NotFound
    for a malformed id, an unknown one or another account's group, and the client's other errors."""
    group_id = (group_id or "").strip()
    if not group_id or len(group_id) > 100 or not all(ch.isalnum() or ch in "-_" for ch in group_id):
        raise selectors.NotFound(f"No group {group_id[:100]} in your account.")
    try:
        return GroupNode.from_group(clc_groups.get_group(client, group_id))
    except errors.NotFound:
        raise selectors.NotFound(f"No group {group_id} in your account.") from None


def load_group(request, group_id: str, *, with_tree: bool = True) -> GroupContext:
    """The group (fresh) and the data center's groups. Raises selectors.NotFound (also for another
    account's group) and the client's errors."""
    client = client_for_request(request)
    group = fetch_group(client, group_id)
    dc = group.location_id.upper()
    groups: tuple = ()
    if with_tree and dc:
        view = selectors.datacenter_view(request.user, dc, client=client)
        groups = view.groups
        placed = view.tree.find(group.id)
        if placed is not None:  # the fresh group has no depth / parent of its own inside the tree
            group = replace(group, depth=placed.depth, parent_id=placed.parent_id)
    return GroupContext(group, dc, groups)


def _key(request) -> str:
    return key_from(request) or idempotency.new_key()


def _not_found(request, message):
    return render(request, "inventory/not_found.html", {"message": message, "what": "group"}, status=404)


def _forbidden(request, ctx: GroupContext, title: str):
    if request.method == "POST":  # an attempt, not a look: the audit log keeps it
        match = request.resolver_match
        action = match.kwargs.get("operation") or match.url_name.removeprefix("group-")
        audit(request, action, "group", ctx.group.id, "denied", {"message": "not allowed"})
    return render(
        request,
        "actions/group_confirm.html",
        {
            "title": title,
            "group": ctx.group,
            "datacenter": ctx.datacenter,
            "error": FORBIDDEN.format(name=ctx.group.name),
            "can_submit": False,
        },
        status=403,
    )


def _with_group(view):
    """Load the group; unknown / another account's → 404 page; upstream down → 503 page."""

    def wrapper(request, group_id, *args, **kwargs):
        try:
            ctx = load_group(request, group_id)
        except selectors.NotFound as exc:
            return _not_found(request, exc.message)
        except errors.UpstreamUnavailable:
            return render(
                request,
                "inventory/unavailable.html",
                {
                    "title": f"Group {group_id}",
                    "message": "The cloud API is unavailable right now. Try again.",
                },
                status=503,
            )
        return view(request, ctx, *args, **kwargs)

    wrapper.__name__ = view.__name__
    wrapper.__doc__ = view.__doc__
    return login_required(require_http_methods(["GET", "HEAD", "POST"])(wrapper))


def _form_page(request, ctx, form, *, title, action, submit, intro="", status=200, error=""):
    return render(
        request,
        "actions/group_form.html",
        {
            "title": title,
            "group": ctx.group,
            "datacenter": ctx.datacenter,
            "form": form,
            "action": action,
            "submit_label": submit,
            "intro": intro,
            "error": error,
            "idempotency_key": _key(request),
            "cancel_url": _group_url(ctx.group.id),
        },
        status=status,
    )


def _after(request, outcome, form, redisplay, redirect_to):
    """PRG on success; the form again (with the cloud's message, status 400/403/...) on refusal."""
    if outcome.kind == "error" and not outcome.replayed:
        if form is not None and outcome.field_error:
            form.add_error(None, outcome.message)
            return redisplay(status=outcome.status)
        return redisplay(status=outcome.status, error=outcome.message)
    flash(request, outcome)
    return redirect(redirect_to)


@dataclass
class Act:
    """The upstream call of a group action, as ``services.perform`` runs it (once per form key)."""

    target: str  # the group the activity and the audit entry name
    call: Callable[[], Any]
    label: str
    then: str | Callable[[], str]  # where to go next (a callable: decided after the call)
    done: str = ""  # the message of an immediate success (instead of "<label>: done.")
    resource_ids: list[str] | None = None


def _perform(request, action: str, act: Act):
    outcome = perform(
        request,
        action,
        "group",
        act.target,
        act.call,
        key=key_from(request),
        label=act.label,
        resource_ids=act.resource_ids,
    )
    if act.done and outcome.kind == "done" and not outcome.replayed:
        outcome.message = act.done
    return outcome, act.then() if callable(act.then) else act.then


def _flow(request, page, refusal, run, form=None):
    """What every group action page does once the person may act: GET shows ``page()``; a POST that
    ``refusal()`` objects to (a message; "" for a form's own errors) shows it again with 400; else
    ``run()`` calls the cloud and returns ``(outcome, where next)`` (or a response of its own): PRG
    there, or the page again with the cloud's refusal."""
    if request.method != "POST":
        return page()
    problem = refusal()
    if problem is not None:
        return page(status=400, error=problem)
    result = run()
    if not isinstance(result, tuple):
        return result
    outcome, then = result
    return _after(request, outcome, form, page, then)


def _form_action(request, ctx, form, *, title, action, submit, act: Callable[[dict], Act], intro=""):
    """A group action with a form: ``act(cleaned_data)`` says what to call once it is valid."""

    def page(status=200, error=""):
        return _form_page(
            request,
            ctx,
            form,
            title=title,
            action=action,
            submit=submit,
            intro=intro,
            status=status,
            error=error,
        )

    return _flow(
        request,
        page,
        lambda: None if form.is_valid() else "",
        lambda: _perform(request, action, act(form.cleaned_data)),
        form,
    )


def _posted(request):
    return request.POST if request.method == "POST" else None


# --- create a sub-group -----------------------------------------------------------------------
@_with_group
def group_create(request, ctx: GroupContext):
    """A new group; the parent defaults to this group and may be any active group of the DC."""
    title = "New group"
    if not ctx.group.allows("createGroup", "POST"):
        return _forbidden(request, ctx, title)
    form = GroupCreateForm(_posted(request), groups=ctx.groups, initial={"parent": ctx.group.id})

    def act(data):
        client = client_for_request(request)
        created: dict = {}

        def call():
            group = clc_groups.create_group(client, data["name"], data["parent"], data["description"])
            created["id"] = group.id
            return None

        return Act(
            target=data["parent"],
            call=call,
            label=f"Create group {data['name']}",
            then=lambda: _group_url(created.get("id") or data["parent"]),
            done=f"Group {data['name']} created.",
        )

    return _form_action(request, ctx, form, title=title, action="createGroup", submit="Create group", act=act)


# --- rename / describe ------------------------------------------------------------------------
@_with_group
def group_edit(request, ctx: GroupContext):
    title = f"Rename or describe {ctx.group.name}"
    if not ctx.group.allows("self", "PATCH"):
        return _forbidden(request, ctx, title)
    form = GroupInfoForm(
        _posted(request), initial={"name": ctx.group.name, "description": ctx.group.description}
    )
    client = client_for_request(request)

    def act(data):
        return Act(
            target=ctx.group.id,
            call=lambda: clc_groups.update_group(
                client, ctx.group.id, name=data["name"], description=data["description"]
            ),
            label="Rename / describe group",
            then=_group_url(ctx.group.id),
            done=f"Group {data['name']} saved.",
        )

    return _form_action(request, ctx, form, title=title, action="editGroup", submit="Save", act=act)


# --- move -------------------------------------------------------------------------------------
@_with_group
def group_move(request, ctx: GroupContext):
    """Pick the new parent: never the group itself or one of its descendants (checked here)."""
    title = f"Move {ctx.group.name}"
    if not ctx.group.allows("self", "PATCH"):
        return _forbidden(request, ctx, title)
    form = GroupMoveForm(
        _posted(request), group=ctx.group, groups=ctx.groups, initial={"parent": ctx.group.parent_id}
    )
    client = client_for_request(request)

    def act(data):
        parent = data["parent"]
        names = {g.id.lower(): g.name for g in ctx.groups}
        return Act(
            target=ctx.group.id,
            call=lambda: clc_groups.update_group(client, ctx.group.id, parent_group_id=parent),
            label="Move group",
            then=_group_url(ctx.group.id),
            done=f"{ctx.group.name} moved under {names.get(parent.lower(), parent)}.",
        )

    return _form_action(
        request,
        ctx,
        form,
        title=title,
        action="moveGroup",
        submit="Move",
        intro="The group moves with its sub-groups and servers.",
        act=act,
    )


# --- delete / archive / restore ---------------------------------------------------------------
@dataclass
class Going:
    id: str
    path: str
    direct_server_count: int


def what_goes(group: GroupNode) -> tuple[list[Going], int]:
    """The sub-groups (with their path below ``group``) and the number of servers in the subtree."""
    out: list[Going] = []

    def walk(node, prefix):
        for child in node.children:
            path = f"{prefix} › {child.name}" if prefix else child.name
            out.append(Going(child.id, path, child.direct_server_count))
            walk(child, path)

    walk(group, "")
    return out, group.server_count


def _confirm_page(
    request, ctx, *, title, action, submit, question, danger=True, status=200, error="", **extra
):
    subgroups, servers = what_goes(ctx.group)
    context = {
        "title": title,
        "group": ctx.group,
        "datacenter": ctx.datacenter,
        "action": action,
        "submit_label": submit,
        "question": question,
        "danger": danger,
        "error": error,
        "idempotency_key": _key(request),
        "subgroups": subgroups,
        "sub_count": len(subgroups),
        "server_count": servers,
        "can_submit": True,
        **extra,
    }
    return render(request, "actions/group_confirm.html", context, status=status)


def _confirmed(request) -> bool:
    return request.POST.get("confirm") == "yes"


def _confirm_action(
    request, ctx, *, action, run, unconfirmed="Confirm first.", confirm=True, goes=None, **page_args
):
    """A group action behind a confirmation page (``_confirm_page``). ``run``: an ``Act``, or a
    callable as ``_flow`` takes; it runs once the person confirmed (when ``confirm``). ``goes``:
    ``(intro, verb)`` to list the sub-groups and servers that go with the group."""
    if isinstance(run, Act):
        act = run

        def run():
            return _perform(request, action, act)

    if goes:
        page_args.update(goes=True, goes_intro=goes[0], goes_verb=goes[1])

    def page(status=200, error=""):
        return _confirm_page(request, ctx, action=action, status=status, error=error, **page_args)

    def refusal():
        return unconfirmed if confirm and not _confirmed(request) else None

    return _flow(request, page, refusal, run)


@_with_group
def group_delete(request, ctx: GroupContext):
    title = f"Delete {ctx.group.name}"
    if ctx.group.is_root or not ctx.group.allows("self", "DELETE"):
        return _forbidden(request, ctx, title)
    client = client_for_request(request)
    parent = ctx.group.parent_id
    return _confirm_action(
        request,
        ctx,
        action="deleteGroup",
        run=Act(
            target=ctx.group.id,
            call=lambda: clc_groups.delete_group(client, ctx.group.id),
            label=f"Delete group {ctx.group.name}",
            then=_group_url(parent) if parent else f"/datacenters/{ctx.datacenter.lower()}/",
            resource_ids=[ctx.group.id],
        ),
        unconfirmed="Confirm the deletion first.",
        title=title,
        submit="Delete group and everything in it",
        question=f"Delete {ctx.group.name}? This can't be undone.",
        goes=("These go with it:", "will be deleted"),
    )


@_with_group
def group_archive(request, ctx: GroupContext):
    title = f"Archive {ctx.group.name}"
    if ctx.group.link("archiveGroupAction") is None:
        return _forbidden(request, ctx, title)
    client = client_for_request(request)
    return _confirm_action(
        request,
        ctx,
        action="archiveGroup",
        run=Act(
            target=ctx.group.id,
            call=lambda: clc_groups.archive_group(client, ctx.group.id),
            label=f"Archive group {ctx.group.name}",
            then=_group_url(ctx.group.id),
        ),
        title=title,
        submit="Archive",
        question=f"Archive {ctx.group.name}? Its servers are stopped and archived; you can restore them later.",
        goes=("These are archived with it:", "will be archived"),
    )


@_with_group
def group_restore(request, ctx: GroupContext):
    title = f"Restore {ctx.group.name}"
    if not ctx.group.allows("restoreGroupAction", "POST"):
        return _forbidden(request, ctx, title)
    form = GroupRestoreForm(_posted(request), groups=ctx.groups)
    client = client_for_request(request)

    def act(data):
        return Act(
            target=ctx.group.id,
            call=lambda: clc_groups.restore_group(client, ctx.group.id, data["target"]),
            label=f"Restore group {ctx.group.name}",
            then=_group_url(ctx.group.id),
        )

    return _form_action(
        request,
        ctx,
        form,
        title=title,
        action="restoreGroup",
        submit="Restore",
        intro="The group and its servers become active again (servers stopped) under the group you pick.",
        act=act,
    )


# --- power on the whole subtree ---------------------------------------------------------------
def may_power(group: GroupNode) -> bool:
    return group.status == "active" and group.allows("createServer", "POST")


def subtree_servers(request, ctx: GroupContext):
    """Every active server of the group's subtree (rows from the data center view, cached)."""
    view = selectors.datacenter_view(
        request.user, ctx.datacenter, ctx.group.id, client=client_for_request(request)
    )
    return [r for r in view.servers if r.status == "active" and not r.error]


@_with_group
def group_power(request, ctx: GroupContext, operation: str):
    """One upstream call with every active server of the subtree; destructive ones confirmed."""
    if operation not in GROUP_POWER_OPERATIONS:
        return _not_found(request, f"No group action {operation[:40]}.")
    label, destructive = GROUP_POWER_OPERATIONS[operation]
    title = f"{label}: every server in {ctx.group.name}"
    if not may_power(ctx.group) or not activity_services.allowed(request.user, operation):
        return _forbidden(request, ctx, title)
    servers = subtree_servers(request, ctx)

    def run():
        if not servers:
            messages.info(request, "There are no active servers in this group or its sub-groups.")
            return redirect(_group_url(ctx.group.id))
        outcome = perform_power(request, operation, [s.id for s in servers], key=key_from(request))
        return outcome, _group_url(ctx.group.id)

    return _confirm_action(
        request,
        ctx,
        action=f"group-{operation}",
        run=run,
        confirm=destructive,
        title=title,
        submit=f"{label} {len(servers)} server{'s' if len(servers) != 1 else ''}",
        question=f"{label} every active server in {ctx.group.name} and its sub-groups?",
        danger=destructive,
        servers=servers,
        nothing="" if servers else "There are no active servers in this group or its sub-groups.",
        can_submit=bool(servers),
    )
