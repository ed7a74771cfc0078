"""Server actions in the browser: one URL per action, ``/servers/<id>/actions/<action>/``.

GET shows the form (or the confirmation, for destructive actions) with a fresh idempotency key;
POST validates, performs once per key (``services.perform`` / ``perform_power``), and redirects
to the server page with a message (PRG). What is offered follows the server's links and verbs
(``available_actions``; the server page's bar is ``{% server_action_buttons %}``).
Bulk: ``POST /servers/bulk/<operation>/`` with ``ids`` (one upstream call for all of them).
"""

import logging
from dataclasses import dataclass

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods

from apps.accounts.services import client_for_request
from apps.clc import errors
from apps.clc import operations as clc_operations
from apps.clc import servers as clc_servers
from apps.inventory import selectors

from . import forms_server as f
from .idempotency import new_key
from .services import KEY_FIELD, audit, flash, key_from, perform, perform_power

log = logging.getLogger(__name__)

POWER = ("powerOn", "powerOff", "shutDown", "reboot", "reset", "pause", "startMaintenance", "stopMaintenance")
BULK = ("powerOn", "powerOff", "shutDown", "reboot", "pause", "startMaintenance", "stopMaintenance")
DESTRUCTIVE_POWER = frozenset({"powerOff", "reset", "shutDown"})


# --- which actions, when ----------------------------------------------------------------------
def _modifiable(s) -> bool:
    return not s.error and s.status == "active" and s.allows("self", "PATCH")


def _power_ok(name, s) -> bool:
    if not _modifiable(s):
        return False
    if name in ("shutDown", "reboot", "pause", "powerOff", "reset"):
        return s.power_state == "started"
    if name == "powerOn":
        return s.power_state in ("stopped", "paused")
    if name == "startMaintenance":
        return not s.in_maintenance_mode
    if name == "stopMaintenance":
        return s.in_maintenance_mode
    return True


@dataclass(frozen=True)
class Spec:
    name: str
    label: str
    form: type
    allowed: object  # (detail) -> bool
    confirm: bool = False  # destructive: a confirmation page, a "danger" button
    question: str = ""  # "{name}" is the server's name
    button: str = ""
    inline: bool = False  # a button on the server page that POSTs directly (no page of its own)

    @property
    def danger(self) -> bool:
        return self.confirm


def _spec_power(name, label, question=""):
    confirm = name in DESTRUCTIVE_POWER
    return Spec(
        name,
        label,
        f.ConfirmForm,
        lambda d, n=name: _power_ok(n, d.server),
        confirm,
        question or f"{label} {{name}}?",
        label,
        inline=not confirm,
    )


SPECS = {
    s.name: s
    for s in (
        _spec_power("powerOn", "Power on"),
        _spec_power("shutDown", "Shut down", "Shut down {name}? The guest OS is asked to stop."),
        _spec_power("reboot", "Reboot"),
        _spec_power("pause", "Pause"),
        _spec_power(
            "powerOff", "Power off", "Power off {name}? Like pulling the plug: unsaved work is lost."
        ),
        _spec_power("reset", "Reset", "Reset {name}? A hard restart: unsaved work is lost."),
        _spec_power("startMaintenance", "Start maintenance"),
        _spec_power("stopMaintenance", "End maintenance"),
        Spec(
            "archive",
            "Archive",
            f.ConfirmForm,
            lambda d: _modifiable(d.server) and d.server.allows("self", "DELETE"),
            True,
            "Archive {name}? It is stopped and kept in the archive group; restore it later.",
            "Archive",
        ),
        Spec(
            "createSnapshot",
            "Snapshot",
            f.CreateSnapshotForm,
            lambda d: _modifiable(d.server),
            button="Create snapshot",
        ),
        Spec(
            "deleteSnapshot",
            "Delete snapshot",
            f.SnapshotTargetForm,
            lambda d: any(s["delete"] for s in f.snapshot_choices(d)),
            True,
            "Delete the snapshot {target} of {name}?",
            "Delete snapshot",
        ),
        Spec(
            "revertSnapshot",
            "Revert to snapshot",
            f.SnapshotTargetForm,
            lambda d: any(s["revert"] for s in f.snapshot_choices(d)),
            True,
            "Revert {name} to the snapshot {target}? Changes on its disks since then are lost.",
            "Revert",
        ),
        Spec(
            "setCpuMemory",
            "Change CPU / memory",
            f.CpuMemoryForm,
            lambda d: _modifiable(d.server),
            button="Apply",
        ),
        Spec("disk", "Add or grow a disk", f.DiskForm, lambda d: _modifiable(d.server), button="Apply"),
        Spec(
            "description",
            "Change description",
            f.DescriptionForm,
            lambda d: not d.server.error and d.server.allows("self", "PATCH"),
            button="Save",
        ),
        Spec("move", "Move to group", f.MoveForm, lambda d: _modifiable(d.server), button="Move"),
        Spec(
            "addPublicIp",
            "Add public IP",
            f.AddPublicIpForm,
            lambda d: d.server.status == "active" and d.server.allows("publicIPAddresses", "POST"),
            button="Add public IP",
        ),
        Spec(
            "removePublicIp",
            "Remove public IP",
            f.PublicIpTargetForm,
            lambda d: d.server.status == "active" and bool(f.public_ips(d, removable_only=True)),
            True,
            "Remove the public IP address {target} from {name}?",
            "Remove",
        ),
        Spec(
            "restore",
            "Restore",
            f.RestoreForm,
            lambda d: d.server.allows("restore", "POST"),
            button="Restore",
        ),
        Spec(
            "delete",
            "Delete",
            f.ConfirmForm,
            lambda d: not d.server.error and d.server.allows("self", "DELETE"),
            True,
            "Delete {name}? The server and its disks are gone for good.",
            "Delete",
        ),
    )
}
# The order of the buttons on the server page.
PAGE_ORDER = (
    "powerOn",
    "shutDown",
    "reboot",
    "pause",
    "powerOff",
    "reset",
    "startMaintenance",
    "stopMaintenance",
    "createSnapshot",
    "setCpuMemory",
    "disk",
    "description",
    "move",
    "addPublicIp",
    "restore",
    "archive",
    "delete",
)


def available_actions(detail) -> list[Spec]:
    """The server page's buttons (per-snapshot / per-IP actions are rendered next to those)."""
    return [SPECS[n] for n in PAGE_ORDER if SPECS[n].allowed(detail)]


# --- helpers -----------------------------------------------------------------------------------
def _server_url(server_id: str) -> str:
    return f"/servers/{server_id.lower()}/"


def _load(request, server_id):
    """(detail, None) or (None, error response)."""
    from apps.inventory.views import not_found, unavailable

    try:
        return selectors.server_detail(request.user, server_id, client=client_for_request(request)), None
    except selectors.NotFound as exc:
        return None, not_found(request, exc.message, "server")
    except errors.UpstreamUnavailable as exc:
        return None, unavailable(request, f"Server {server_id.upper()}", exc=exc)


def _groups(request, detail):
    if detail.datacenter is None:
        return ()
    try:
        return selectors.datacenter_view(
            request.user, detail.datacenter.id, client=client_for_request(request)
        ).groups
    except errors.ClcError:
        log.warning("groups of %s unavailable", detail.datacenter.id)
        return ()


def _target(request, spec) -> str:
    source = request.POST if request.method == "POST" else request.GET
    if spec.form is f.SnapshotTargetForm:
        return source.get("snapshot", "")
    if spec.form is f.PublicIpTargetForm:
        return source.get("ip", "")
    return ""


def _render(request, spec, detail, form, key, status=200, error=""):
    server = detail.server
    target = _target(request, spec)
    if spec.form is f.SnapshotTargetForm:
        target_label = next((s["name"] for s in f.snapshot_choices(detail) if s["id"] == target), target)
    else:
        target_label = target
    context = {
        "spec": spec,
        "server": server,
        "detail": detail,
        "form": form,
        "key": key,
        "key_field": KEY_FIELD,
        "error": error,
        "question": spec.question.format(name=server.name, target=target_label) if spec.question else "",
        "current_datacenter": detail.datacenter.id.upper() if detail.datacenter else "",
        "cancel_url": _server_url(server.id),
    }
    template = (
        "actions/server_confirm.html"
        if spec.confirm or spec.form is f.ConfirmForm
        else "actions/server_form.html"
    )
    return render(request, template, context, status=status)


def _forbidden(request, spec, detail):
    if request.method == "POST":  # an attempt, not a look: the audit log keeps it
        audit(request, spec.name, "server", detail.server.id.upper(), "denied", {"message": "not allowed"})
    return _render(
        request,
        spec,
        detail,
        None,
        None,
        status=403,
        error=f"You may not {spec.label.lower()} {detail.server.name} now (your role or the server's state).",
    )


def _run(request, spec, detail, form, key):
    server_id = detail.server.id
    client = client_for_request(request)
    data = form.cleaned_data
    label = spec.label
    if spec.name in POWER or spec.name == "archive":
        return perform_power(request, spec.name, [server_id], key=key)
    if spec.name == "createSnapshot":
        fn = lambda: clc_operations.create_snapshot(client, [server_id], data["expiration_days"])  # noqa: E731
    elif spec.name == "delete":
        fn = lambda: clc_servers.delete_server(client, server_id)  # noqa: E731
        label = "Delete"
    elif spec.name == "restore":
        fn = lambda: clc_servers.restore_server(client, server_id, data["group"])  # noqa: E731
    elif spec.name == "deleteSnapshot":
        path = f"/v2/servers/{{alias}}/{server_id.lower()}/snapshots/{data['snapshot']}"
        fn = lambda: client.delete(path)  # noqa: E731
    elif spec.name == "revertSnapshot":
        path = f"/v2/servers/{{alias}}/{server_id.lower()}/snapshots/{data['snapshot']}/restore"
        fn = lambda: client.post(path)  # noqa: E731
    elif spec.name == "setCpuMemory":
        ops = [
            {"op": "set", "member": "cpu", "value": data["cpu"]},
            {"op": "set", "member": "memory", "value": data["memory"]},
        ]
        fn = lambda: clc_servers.update_server(client, server_id, ops)  # noqa: E731
        label = "CPU / memory change"
    elif spec.name == "disk":
        ops = form.patch()
        fn = lambda: clc_servers.update_server(client, server_id, ops)  # noqa: E731
        label = "Disk change"
    elif spec.name == "description":
        ops = [{"op": "set", "member": "description", "value": data["description"]}]
        fn = lambda: clc_servers.update_server(client, server_id, ops)  # noqa: E731
        label = "Description change"
    elif spec.name == "move":
        ops = [{"op": "set", "member": "groupId", "value": data["group"]}]
        fn = lambda: clc_servers.update_server(client, server_id, ops)  # noqa: E731
        label = "Move"
    elif spec.name == "addPublicIp":
        body = form.body()
        path = f"/v2/servers/{{alias}}/{server_id.lower()}/publicIPAddresses"
        fn = lambda: client.post(path, json=body)  # noqa: E731
    elif spec.name == "removePublicIp":
        path = f"/v2/servers/{{alias}}/{server_id.lower()}/publicIPAddresses/{data['ip']}"
        fn = lambda: client.delete(path)  # noqa: E731
    else:  # pragma: no cover
        raise ValueError(spec.name)
    return perform(request, spec.name, "server", server_id, fn, key=key, label=label)


# --- views -----------------------------------------------------------------------------------------
@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def server_action(request, server_id: str, action: str):
    spec = SPECS.get(action)
    if spec is None:
        from apps.inventory.views import not_found

        return not_found(request, f"No such server action: {action}.", "action")
    detail, failure = _load(request, server_id)
    if failure is not None:
        return failure
    if not spec.allowed(detail):
        return _forbidden(request, spec, detail)
    groups = _groups(request, detail) if spec.form in (f.MoveForm, f.RestoreForm) else ()
    if request.method != "POST":
        initial = {}
        if spec.form in (f.SnapshotTargetForm, f.PublicIpTargetForm):
            initial = {k: request.GET.get(k, "") for k in ("snapshot", "ip")}
        form = spec.form(initial=initial, detail=detail, groups=groups)
        if initial and not spec.form(initial, detail=detail, groups=groups).is_valid():
            return _render(
                request,
                spec,
                detail,
                None,
                None,
                status=404,
                error="That snapshot or address is not on this server (any more).",
            )
        return _render(request, spec, detail, form, new_key())
    form = spec.form(request.POST, detail=detail, groups=groups)
    key = key_from(request)
    if key is None:
        return _render(
            request,
            spec,
            detail,
            form,
            new_key(),
            status=400,
            error="This form has expired or was not sent completely: check it and submit again.",
        )
    if not form.is_valid():
        return _render(request, spec, detail, form, key, status=400)
    outcome = _run(request, spec, detail, form, key)
    if outcome.field_error:
        return _render(request, spec, detail, form, key, status=400, error=outcome.message)
    if outcome.status in (403, 404, 409) and not outcome.replayed:
        return _render(request, spec, detail, form, new_key(), status=outcome.status, error=outcome.message)
    flash(request, outcome)
    return redirect(_server_url(detail.server.id))


def _back(request, fallback="/"):
    nxt = request.POST.get("next") or request.GET.get("next") or ""
    if nxt and url_has_allowed_host_and_scheme(nxt, allowed_hosts={request.get_host()}, require_https=False):
        return nxt
    return fallback


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def bulk_power(request, operation: str):
    """Many servers, one upstream call. Destructive operations show a confirmation first."""
    from apps.inventory.views import not_found

    if operation not in BULK:
        return not_found(request, f"No such bulk operation: {operation}.", "operation")
    source = request.POST if request.method == "POST" else request.GET
    ids = []
    for raw in source.getlist("ids"):
        value = raw.strip().upper()
        if value and len(value) <= 64 and value not in ids:
            ids.append(value)
    back = _back(request)
    label = SPECS[operation].label
    context = {
        "operation": operation,
        "label": label,
        "ids": ids,
        "next": back,
        "key_field": KEY_FIELD,
        "error": "",
    }
    if not ids:
        context["error"] = "Select at least one server first."
        return render(request, "actions/server_bulk.html", context, status=400)
    if len(ids) > 2000:
        context["error"] = "Select at most 2,000 servers at once."
        return render(request, "actions/server_bulk.html", context, status=400)
    confirmed = request.method == "POST" and request.POST.get("confirmed") == "1"
    if operation in DESTRUCTIVE_POWER and not confirmed:
        context["key"] = new_key()
        return render(request, "actions/server_bulk.html", context)
    if request.method != "POST":
        context["key"] = new_key()
        return render(request, "actions/server_bulk.html", context)
    key = key_from(request)
    if key is None:
        context["key"] = new_key()
        context["error"] = "This form has expired or was not sent completely: submit it again."
        return render(request, "actions/server_bulk.html", context, status=400)
    outcome = perform_power(request, operation, ids, key=key)
    if outcome.status in (400, 403, 404, 409) and outcome.kind == "error" and not outcome.counts:
        context["key"] = new_key()
        context["error"] = outcome.message
        return render(request, "actions/server_bulk.html", context, status=outcome.status)
    flash(request, outcome)
    return redirect(back)
