"""Group forms: create, rename/describe, move, restore; the power operations on a whole subtree.

The parent choices come from the data center's group tree (the inventory's cached ``GroupNode``s);
moving a group under itself or one of its descendants is refused here, before any upstream call.
"""

from django import forms

from .forms import ActionForm

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
    description = forms.CharField(
        label="Description", max_length=MAX_DESCRIPTION, required=False, widget=forms.Textarea({"rows": 3})
    )

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
