"""Forms of the server actions. Each gets the server (``selectors.ServerDetail``) as ``resource``
(also ``detail``) and, where it needs them, the data center's groups (``groups``, read through the
inventory's cached view); messages are for people."""

from functools import cached_property

from django import forms

from apps.inventory import selectors

from .forms import ActionForm, optional_text
from .forms_create import PASSWORD_RULE, check_typed_twice, secret_field
from .forms_custom import CustomFieldValuesMixin

MAX_CPU = 16
MAX_MEMORY_GB = 128
MAX_DISK_GB = 1024
MAX_SNAPSHOT_DAYS = 10


def _int_field(label, low, high, unit=""):
    suffix = f" {unit}" if unit else ""
    message = f"{label} must be a whole number between {low} and {high}{suffix}."
    return forms.IntegerField(
        label=label,
        min_value=low,
        max_value=high,
        error_messages={
            "invalid": message,
            "min_value": message,
            "max_value": message,
            "required": f"{label} is required.",
        },
    )


class ServerForm(ActionForm):
    @property
    def detail(self):
        return self.resource

    @cached_property
    def groups(self):
        """Every group of the server's data center (depth-first), from the inventory's cache."""
        dc = getattr(getattr(self.detail, "datacenter", None), "id", "")
        if not dc or self.request is None:
            return ()
        return selectors.datacenter_view(self.request.user, dc).groups


class SnapshotTargetForm(ServerForm):
    """Names one of the server's snapshots (``?snapshot=<id>`` on the page's GET)."""

    snapshot = forms.CharField(widget=forms.HiddenInput, max_length=200)
    selects = ("snapshot",)

    def clean_snapshot(self):
        value = self.cleaned_data["snapshot"].strip()
        if value not in {s["id"] for s in snapshot_choices(self.detail)}:
            raise forms.ValidationError("This snapshot no longer exists.")
        return value

    def target_label(self, value: str) -> str:
        return next((s["name"] for s in snapshot_choices(self.detail) if s["id"] == value), value)


class CreateSnapshotForm(ServerForm):
    expiration_days = _int_field("Keep for (days)", 1, MAX_SNAPSHOT_DAYS, "days")

    def setup(self):
        self.fields["expiration_days"].initial = 7


class CpuMemoryForm(ServerForm):
    cpu = _int_field("CPU", 1, MAX_CPU, "vCPUs")
    memory = _int_field("Memory", 1, MAX_MEMORY_GB, "GB")

    def setup(self):
        if self.detail is not None:
            self.fields["cpu"].initial = self.detail.server.cpu
            self.fields["memory"].initial = int(self.detail.server.memory_gb)


class DiskForm(ServerForm):
    disk = forms.ChoiceField(label="Disk")
    size_gb = _int_field("Size", 1, MAX_DISK_GB, "GB")
    path = optional_text(
        "Mount path (new disk, optional)",
        100,
        "Leave empty for a raw disk; e.g. /data (Linux) or E (Windows) for a partitioned one.",
    )

    def setup(self):
        choices = [("new", "Add a new disk")]
        for d in getattr(self.detail, "disks", ()) or ():
            paths = ", ".join(d.partition_paths)
            choices.append((d.id, f"Grow {d.id} ({d.size_gb:g} GB{', ' + paths if paths else ''})"))
        self.fields["disk"].choices = choices

    def clean(self):
        data = super().clean()
        disk_id, size = data.get("disk"), data.get("size_gb")
        if disk_id and disk_id != "new" and size is not None:
            current = next((d for d in self.detail.disks if d.id == disk_id), None)
            if current is not None and size <= current.size_gb:
                self.add_error("size_gb", f"A disk can only grow: give more than {current.size_gb:g} GB.")
        return data

    def payload(self) -> dict:
        """``{"disks": <the complete new disk list the API wants>}``."""
        data = self.cleaned_data
        disks = []
        for d in self.detail.disks:
            size = data["size_gb"] if d.id == data["disk"] else d.size_gb
            disks.append({"diskId": d.id, "sizeGB": int(size)})
        if data["disk"] == "new":
            path = (data.get("path") or "").strip()
            new = {"sizeGB": data["size_gb"], "type": "partitioned" if path else "raw"}
            if path:
                new["path"] = path
            disks.append(new)
        return {"disks": disks}


class RemoveDiskForm(ServerForm):
    """Names one disk to remove: the PATCH sends every other disk (the complete list)."""

    disk = forms.ChoiceField(label="Disk to remove")
    selects = ("disk",)

    def target_label(self, value: str) -> str:
        disk = next((d for d in removable_disks(self.detail) if d.id == value), None)
        return f"the disk {disk_label(disk)}" if disk is not None else "a disk"

    def setup(self):
        self.fields["disk"].choices = [(d.id, disk_label(d)) for d in removable_disks(self.detail)]
        self.fields["disk"].error_messages["invalid_choice"] = (
            "Pick one of the server's extra disks: the operating system's disks can't be removed."
        )

    def payload(self) -> dict:
        gone = self.cleaned_data["disk"]
        return {
            "disks": [{"diskId": d.id, "sizeGB": int(d.size_gb)} for d in self.detail.disks if d.id != gone]
        }


class PasswordForm(ServerForm):
    """The cloud wants the current password with the new one (Set Server Credentials)."""

    current_password = secret_field("Current password", "current-password")
    new_password = secret_field("New password", "new-password", help_text=PASSWORD_RULE, checked=True)
    confirm_password = secret_field("New password again", "new-password", required=False)

    def clean(self):
        data = super().clean()
        if data.get("new_password") and data.get("new_password") == data.get("current_password"):
            self.add_error("new_password", "The new password must differ from the current one.")
        check_typed_twice(self, "new_password", "confirm_password")
        return data

    def payload(self) -> dict:
        return {
            "current": self.cleaned_data["current_password"],
            "password": self.cleaned_data["new_password"],
        }


class ServerCustomFieldsForm(CustomFieldValuesMixin, ServerForm):
    holder = "detail"


class DescriptionForm(ServerForm):
    description = forms.CharField(label="Description", required=False, max_length=256)

    def setup(self):
        if self.detail is not None:
            self.fields["description"].initial = self.detail.server.description


def group_choices(groups, exclude=None):
    """Groups servers may live in: not archive groups, active; indented by depth."""
    out = []
    for g in groups:
        if g.type == "archive" or g.status != "active" or g.id == exclude:
            continue
        out.append((g.id, "\u2003" * g.depth + g.name))
    return out


class MoveForm(ServerForm):
    group = forms.ChoiceField(label="Move to group")

    def setup(self):
        current = self.detail.server.group_id if self.detail is not None else None
        self.fields["group"].choices = group_choices(self.groups, exclude=current)
        self.fields["group"].error_messages["invalid_choice"] = "Pick one of the data center's groups."


class RestoreForm(ServerForm):
    group = forms.ChoiceField(label="Restore into group")

    def setup(self):
        self.fields["group"].choices = group_choices(self.groups)
        self.fields["group"].error_messages["invalid_choice"] = "Pick one of the data center's groups."


# --- what the server offers (from links) ---------------------------------------------------------
SYSTEM_DISKS = {"linux": 3, "windows": 2}  # the template's disks without a mount path (0:0, 0:1, ...)


def is_windows(detail) -> bool:
    server = getattr(detail, "server", None)
    return "windows" in f"{getattr(server, 'os', '')} {getattr(server, 'os_type', '')}".lower()


def removable_disks(detail) -> list:
    """The disks a person may remove: not the operating system's (the template's first disks
    without a mount path; the cloud refuses to remove them)."""
    disks = list(getattr(detail, "disks", ()) or ())
    count = SYSTEM_DISKS["windows" if is_windows(detail) else "linux"]
    system = {d.id for d in disks[:count] if not d.partition_paths}
    return [d for d in disks if d.id not in system]


def disk_label(disk) -> str:
    paths = ", ".join(disk.partition_paths)
    return f"{disk.id} ({disk.size_gb:g} GB{', ' + paths if paths else ', raw'})"


def snapshot_choices(detail) -> list[dict]:
    """``{"id", "name", "delete", "revert"}`` per snapshot (the id is the last part of its href)."""
    out = []
    for s in getattr(detail, "snapshots", ()) or ():
        link = s.link("self") if hasattr(s, "link") else None
        sid = s.id or (link.href.rstrip("/").rsplit("/", 1)[-1] if link is not None else "")
        if not sid:
            continue
        out.append(
            {
                "id": sid,
                "name": s.name or sid,
                "delete": s.link("delete") is not None,
                "revert": s.link("restore") is not None,
            }
        )
    return out
