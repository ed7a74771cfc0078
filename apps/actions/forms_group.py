"""Group forms: create, rename/describe, move, restore; the power operations on a whole subtree.

The parent choices come from the data center's group tree (the inventory's cached ``GroupNode``s);
moving a group under itself or one of its descendants is refused here, before any upstream call.
"""

from django import forms

MAX_NAME = 256
MAX_DESCRIPTION = 1024

# name -> (label, destructive: ask to confirm first)
GROUP_POWER_OPERATIONS = {
    "powerOn": ("Power on", False),
    "powerOff": ("Power off", True),
    "shutDown": ("Shut down", True),
    "reboot": ("Reboot", True),
    "reset": ("Reset", True),
    "pause": ("Pause", True),
    "startMaintenance": ("Start maintenance", False),
    "stopMaintenance": ("End maintenance", False),
}


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


class GroupInfoForm(forms.Form):
    name = forms.CharField(label="Name", max_length=MAX_NAME)
    description = forms.CharField(
        label="Description", max_length=MAX_DESCRIPTION, required=False, widget=forms.Textarea({"rows": 3})
    )

    def clean_name(self):
        return _no_control(self.cleaned_data["name"], "name")

    def clean_description(self):
        return _no_control(self.cleaned_data.get("description", ""), "description")


class GroupCreateForm(GroupInfoForm):
    parent = forms.ChoiceField(label="Parent group")

    field_order = ["parent", "name", "description"]

    def __init__(self, *args, groups=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["parent"].choices = group_choices(groups)


class GroupMoveForm(forms.Form):
    parent = forms.CharField(label="New parent group", max_length=200)

    def __init__(self, *args, group=None, groups=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.group = group
        self.groups = {g.id.lower(): g for g in groups}
        self.choices = group_choices(groups, exclude_subtree_of=group)
        self.fields["parent"].widget = forms.Select(choices=self.choices)

    def clean_parent(self):
        wanted = self.cleaned_data["parent"].strip().lower()
        target = self.groups.get(wanted)
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


class GroupRestoreForm(forms.Form):
    target = forms.ChoiceField(label="Restore into")

    def __init__(self, *args, groups=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["target"].choices = group_choices(groups)
