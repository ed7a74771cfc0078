"""Group forms: create, rename/describe, move, restore, custom field values, defaults.

The parent choices come from the data center's group tree (the inventory's cached ``GroupNode``s);
moving a group under itself or one of its descendants is refused here, before any upstream call.
"""

from django import forms
from django.http import QueryDict

from . import selectors
from .forms import ActionForm, optional_text
from .forms_custom import CustomFieldValuesMixin

MAX_NAME = 256
MAX_DESCRIPTION = 1024


def _no_control(value: str, what: str) -> str:
    if any(ord(ch) < 32 for ch in value):
        raise forms.ValidationError(f"The {what} may not contain control characters.")
    return value


def group_choices(groups, *, exclude_subtree_of=None):
    """``[(id, "— — name")]`` of the active, non-archive groups (indent by depth)."""
    banned = set()
    if exclude_subtree_of is not None:
        banned = {g.id.lower() for g in exclude_subtree_of.walk()}
    return [
        (g.id, ("— " * g.depth) + g.name)
        for g in groups
        if g.id.lower() not in banned and g.type != "archive" and g.status == "active"
    ]


class GroupForm(ActionForm):
    """``resource``: ``selectors.GroupForChange`` (the group, its data center's groups)."""

    @property
    def group(self):
        return self.resource.group if self.resource is not None else None

    @property
    def groups(self):
        return self.resource.groups if self.resource is not None else ()


class GroupInfoForm(GroupForm):
    name = forms.CharField(label="Name", max_length=MAX_NAME)
    description = optional_text("Description", MAX_DESCRIPTION, rows=3)

    def setup(self):
        if self.group is not None and not self.is_bound:
            self.initial.setdefault("name", self.group.name)
            self.initial.setdefault("description", self.group.description)

    def clean_name(self):
        return _no_control(self.cleaned_data["name"], "name")

    def clean_description(self):
        return _no_control(self.cleaned_data.get("description", ""), "description")


class GroupCreateForm(GroupInfoForm):
    parent = forms.ChoiceField(label="Parent group")

    field_order = ["parent", "name", "description"]

    def setup(self):
        self.fields["parent"].choices = group_choices(self.groups)
        if self.group is not None:
            self.initial.setdefault("parent", self.group.id)


class GroupMoveForm(GroupForm):
    parent = forms.CharField(label="New parent group", max_length=200)

    def setup(self):
        self.by_id = {g.id.lower(): g for g in self.groups}
        self.choices = group_choices(self.groups, exclude_subtree_of=self.group)
        self.fields["parent"].widget = forms.Select(choices=self.choices)
        if self.group is not None:
            self.initial.setdefault("parent", self.group.parent_id)

    def clean_parent(self):
        wanted = self.cleaned_data["parent"].strip().lower()
        target = self.by_id.get(wanted)
        if target is None:
            raise forms.ValidationError("Pick a group of this data center.")
        if self.group is not None:
            if any(g.id.lower() == wanted for g in self.group.walk()):
                raise forms.ValidationError(
                    "A group can't be moved under itself or one of its own sub-groups."
                )
            if (self.group.parent_id or "").lower() == wanted:
                raise forms.ValidationError("The group is already there.")
        if target.type == "archive" or target.status != "active":
            raise forms.ValidationError("A group can't be moved into an archived group.")
        return target.id


class GroupRestoreForm(GroupForm):
    target = forms.ChoiceField(label="Restore into")

    def setup(self):
        self.fields["target"].choices = group_choices(self.groups)


class GroupCustomFieldsForm(CustomFieldValuesMixin, GroupForm):
    holder = "group"


# form field -> the API's default name
DEFAULTS = {
    "cpu": "cpu",
    "memory_gb": "memoryGB",
    "template": "templateName",
    "network": "networkId",
    "primary_dns": "primaryDns",
    "secondary_dns": "secondaryDns",
}


def _ipv4(label):
    return forms.GenericIPAddressField(
        label=label,
        protocol="IPv4",
        required=False,
        error_messages={"invalid": f"{label} must be an IPv4 address such as 8.8.8.8."},
    )


def _number(label, high, unit):
    message = f"{label} must be a whole number between 1 and {high}{unit}."
    return forms.IntegerField(
        label=label,
        min_value=1,
        max_value=high,
        required=False,
        error_messages={"invalid": message, "min_value": message, "max_value": message},
    )


class GroupDefaultsForm(GroupForm):
    """What servers created in the group start with. An empty field inherits the parent's value
    (sent as ``null``: the group's own value is cleared). Pages send every field; the API may send
    only the ones it changes (the others keep the group's own values)."""

    cpu = _number("CPU", 16, " vCPUs")
    memory_gb = _number("Memory (GB)", 128, " GB")
    template = forms.ChoiceField(label="Template", required=False)
    network = forms.ChoiceField(label="Network", required=False)
    primary_dns = _ipv4("Primary DNS")
    secondary_dns = _ipv4("Secondary DNS")

    def setup(self):
        if self.resource is None:
            return
        self.defaults = selectors.group_defaults(self.request, self.group.id)
        caps = selectors.deployment_capabilities(self.request, self.resource.datacenter)
        self._choices("template", [(t.name, t.description or t.name) for t in caps.templates])
        self._choices(
            "network", [(n.id, f"{n.name} ({n.type})" if n.type else n.name) for n in caps.networks]
        )
        own = {}
        for name, key in DEFAULTS.items():
            default = self.defaults.get(key)
            if default is None:
                continue
            if not default.inherited:
                own[name] = default.value
                continue
            choices = getattr(self.fields[name], "choices", None)
            shown = dict(choices).get(default.value, default.value) if choices else default.value
            self.fields[name].help_text = f"Empty: inherited (now {shown})."
        if not self.is_bound:
            for name, value in own.items():
                self.initial.setdefault(name, value)
        elif not isinstance(self.data, QueryDict):  # the API: what it leaves out stays as it is
            self.data = {**{name: own.get(name, "") for name in DEFAULTS}, **self.data}

    def _choices(self, name: str, choices: list) -> None:
        default = self.defaults.get(DEFAULTS[name])
        value = str(default.value) if default is not None and default.value else ""
        if value and all(value.lower() != c[0].lower() for c in choices):
            choices.append((value, value))  # set before, no longer offered: keep it visible
        self.fields[name].choices = [("", "Inherit")] + choices

    def payload(self) -> dict:
        data = self.cleaned_data
        return {"values": {key: data.get(name) or None for name, key in DEFAULTS.items()}}
