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
from .forms_create import CreateServerForm
from .forms_group import GroupCustomFieldsForm, GroupDefaultsForm
from .group_actions import _archived, _root
from .registry import Action, register
from .roles import CREDENTIALS, OPERATE
from .server_actions import _unmodifiable


# --- server ------------------------------------------------------------------------------------
def _password_state(detail) -> str | None:
    reason = _unmodifiable(detail)
    if reason:
        return reason
    if detail.server.power_state != "started":
        return "it is not running: power it on first"
    return None


register(
    Action(
        name="setPassword",
        target="server",
        label="Change password",
        form=f.PasswordForm,
        call=lambda run: clc_servers.set_password(
            run.client, run.resource.server.id, run.data["current"], run.data["password"]
        ),
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
)
register(
    Action(
        name="removeDisk",
        target="server",
        label="Remove a disk",
        form=f.RemoveDiskForm,
        call=lambda run: clc_servers.set_disks(run.client, run.resource.server.id, run.data["disks"]),
        roles=OPERATE,
        link=("self", "PATCH"),
        state=lambda d: _unmodifiable(d)
        or (None if f.removable_disks(d) else "it has no disk that can be removed"),
        confirm=True,
        danger=True,
        question="Remove {target} from {name}? What is on it is lost for good.",
        button="Remove disk",
        order=32,
        example={"disk": "0:3"},
        description="Remove one of the server's extra disks (queued): the cloud gets every other disk. "
        "The operating system's disks can't be removed.",
    )
)
register(
    Action(
        name="setCustomFields",
        target="server",
        label="Edit custom fields",
        form=f.ServerCustomFieldsForm,
        call=lambda run: clc_servers.set_custom_fields(
            run.client, run.resource.server.id, run.data["values"]
        ),
        roles=OPERATE,
        link=("self", "PATCH"),
        state=lambda d: "its details could not be read" if d.server.error else None,
        button="Save",
        done="Custom fields saved.",
        queues=False,
        order=36,
        example={"custom_fields": {"Cost Center": "CC-1042", "Environment": "prod"}},
        description="Set the server's custom field values. custom_fields maps a field's id or name to "
        'its value; fields left out keep their value, "" unsets one; required fields need a value.',
    )
)


# --- group -------------------------------------------------------------------------------------
register(
    Action(
        name="setCustomFields",
        target="group",
        label="Edit custom fields",
        form=GroupCustomFieldsForm,
        call=lambda run: clc_groups.set_custom_fields(run.client, run.resource.group.id, run.data["values"]),
        roles=OPERATE,
        link=("self", "PATCH"),
        state=lambda r: _archived(r) or _root(r),
        button="Save",
        done="Custom fields saved.",
        queues=False,
        order=25,
        example={"custom_fields": {"Cost Center": "CC-WEB"}},
        description="Set the group's custom field values (as for a server).",
    )
)


def _set_defaults(run) -> None:
    clc_groups.set_defaults(run.client, run.resource.group.id, run.data["values"])  # done at once


register(
    Action(
        name="setDefaults",
        target="group",
        label="Set defaults",
        form=GroupDefaultsForm,
        call=_set_defaults,
        roles=OPERATE,
        link=("defaults", "POST"),
        state=_archived,
        button="Save defaults",
        done="Defaults saved.",
        queues=False,
        order=26,
        example={"cpu": 4, "memory_gb": 8, "template": "UBUNTU-22-64-TEMPLATE", "primary_dns": "8.8.8.8"},
        description="What servers created in the group start with. An empty value inherits the parent "
        "group's; fields left out keep their value.",
    )
)


def _create(run):
    answer = clc_servers.create_server(run.client, run.data["spec"])
    return clc_servers.with_server_id(run.client, answer)


register(
    Action(
        name="createServer",
        target="group",
        label="Create server",
        form=CreateServerForm,
        call=_create,
        roles=OPERATE,
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
)
