"""The rest of a server's life, one declaration each: change its password, remove a disk, edit its
custom field values; a group's custom field values and defaults; and creating a server in a group
(``/groups/<id>/actions/createServer/``, also the wizard at ``/create-server/``).

Custom field values are the account's fields (``GET /v2/accounts/{alias}/customFields``), typed as
defined, the required ones required (``forms_custom``). The password is asked for twice with the
current one (the cloud wants both), never logged, never rendered back, audited without it.
"""

from django.urls import reverse

from apps.clc import groups as clc_groups
from apps.clc import servers as clc_servers

from . import forms_server as f
from .declare import asks, at_once, server_call, unmodifiable, unreadable
from .forms_create import CreateServerForm
from .forms_group import GroupCustomFieldsForm, GroupDefaultsForm
from .group_actions import _archived, _root, group
from .roles import CREDENTIALS
from .server_actions import server


# --- server ---------------------------------------------------------------------------------------
def _password_state(detail) -> str | None:
    reason = unmodifiable(detail)
    if reason:
        return reason
    if detail.server.power_state != "started":
        return "it is not running: power it on first"
    return None


server(
    "setPassword",
    "Change password",
    server_call(clc_servers.set_password, "current", "password"),
    form=f.PasswordForm,
    roles=CREDENTIALS,
    link=("credentials", None),  # the roles that may see the credentials may change them
    state=_password_state,
    confirm=True,
    question="Change the administrator password of {name}?",
    button="Change password",
    order=35,
    example={
        "current_password": "Old-passw0rd",
        "new_password": "New-passw0rd!",
        "confirm_password": "New-passw0rd!",
    },
    description="Change the server's administrator/root password (queued). The cloud needs the "
    "current password; neither is kept or shown.",
)
server(
    "removeDisk",
    "Remove a disk",
    server_call(clc_servers.set_disks, "disks"),
    form=f.RemoveDiskForm,
    state=lambda d: unmodifiable(d)
    or (None if f.removable_disks(d) else "it has no disk that can be removed"),
    **asks("Remove {target} from {name}? What is on it is lost for good."),
    button="Remove disk",
    order=32,
    example={"disk": "0:3"},
    description="Remove one of the server's extra disks (queued): the cloud gets every other disk. "
    "The operating system's disks can't be removed.",
)


# --- custom field values (a server's, a group's) ---------------------------------------------------
def _custom_fields(act, form, set_values, resource_id, **fields) -> None:
    act(
        "setCustomFields",
        "Edit custom fields",
        lambda run: set_values(run.client, resource_id(run.resource), run.data["values"]),
        form=form,
        link=("self", "PATCH"),
        **at_once("Custom fields saved.", "Save"),
        **fields,
    )


_custom_fields(
    server,
    f.ServerCustomFieldsForm,
    clc_servers.set_custom_fields,
    lambda d: d.server.id,
    state=unreadable,
    order=36,
    example={"custom_fields": {"Cost Center": "CC-1042", "Environment": "prod"}},
    description="Set the server's custom field values. custom_fields maps a field's id or name to its value; "
    'fields left out keep their value, "" unsets one; required fields need a value.',
)
_custom_fields(
    group,
    GroupCustomFieldsForm,
    clc_groups.set_custom_fields,
    lambda r: r.group.id,
    state=lambda r: _archived(r) or _root(r),
    order=25,
    example={"custom_fields": {"Cost Center": "CC-WEB"}},
    description="Set the group's custom field values (as for a server).",
)


# --- group -------------------------------------------------------------------------------------------
def _set_defaults(run) -> None:
    clc_groups.set_defaults(run.client, run.resource.group.id, run.data["values"])  # done at once


group(
    "setDefaults",
    "Set defaults",
    _set_defaults,
    form=GroupDefaultsForm,
    link=("defaults", "POST"),
    state=_archived,
    **at_once("Defaults saved.", "Save defaults"),
    order=26,
    example={"cpu": 4, "memory_gb": 8, "template": "UBUNTU-22-64-TEMPLATE", "primary_dns": "8.8.8.8"},
    description="What servers created in the group start with. An empty value inherits the parent "
    "group's; fields left out keep their value.",
)


def _create(run):
    answer = clc_servers.create_server(run.client, run.data["spec"])
    return clc_servers.with_server_id(run.client, answer)


group(
    "createServer",
    "Create server",
    _create,
    form=CreateServerForm,
    link=("createServer", "POST"),
    state=_archived,
    button="Create server",
    then=lambda run: reverse("group", args=[run.data["spec"]["groupId"].lower()]),
    template="actions/create_server.html",
    order=5,
    example={
        "name": "web",
        "template": "UBUNTU-22-64-TEMPLATE",
        "cpu": 2,
        "memory_gb": 4,
        "storage_type": "standard",
        "password": "Secr3t-pass",
        "custom_fields": {"Cost Center": "CC-WEB"},
        "additional_disks": [{"size_gb": 20, "path": "/data"}],
    },
    description="Create a server in the group (queued: an activity follows the build).",
)
