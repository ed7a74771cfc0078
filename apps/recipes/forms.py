"""The recipe form (admins): checked against the data center's deployment capabilities and group
tree when it is saved, so a published recipe names a template, group and network that exist."""

from django import forms

from apps.actions.forms_create import spec_fields

from .models import CREATE_ROLES, Recipe

MAX_TTL_HOURS = 24 * 365
# The fields a recipe keeps as they are, under their own names (the group and the network are kept as
# an id and a name, the audience as lists).
SPEC = ("name", "description", "datacenter", "template", "cpu", "memory_gb", "storage_type", "ttl_hours")


def _no_control(value: str, what: str) -> str:
    if any(ord(ch) < 32 for ch in value):
        raise forms.ValidationError(f"The {what} may not contain control characters.")
    return value


class RecipeForm(forms.Form):
    name = forms.CharField(label="Recipe name", max_length=64)
    description = forms.CharField(
        label="Description (also the servers' description)", max_length=256, required=False
    )
    datacenter = forms.ChoiceField(label="Data center")
    group = forms.ChoiceField(label="Group")
    template, cpu, memory_gb, network, storage_type = spec_fields()
    ttl_hours = forms.IntegerField(
        label="Time to live (hours)",
        min_value=1,
        max_value=MAX_TTL_HOURS,
        required=False,
        help_text="Servers launched from this recipe are deleted by the cloud after this many hours. "
        "Empty: kept until someone deletes them.",
    )
    allowed_roles = forms.MultipleChoiceField(
        label="Roles that may launch it",
        choices=[(r, r) for r in CREATE_ROLES],
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    allowed_users = forms.MultipleChoiceField(
        label="People who may launch it (whatever their role allows)",
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    def __init__(
        self,
        *args,
        alias: str,
        datacenters=(),
        groups=(),
        capabilities=None,
        users=(),
        instance=None,
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        self.alias = (alias or "").upper()
        self.instance = instance
        self.groups = {g.id: g for g in groups}
        self.capabilities = capabilities
        dc = (self.data.get("datacenter") if self.is_bound else self.initial.get("datacenter")) or ""
        dc = str(dc).upper()
        self.fields["datacenter"].choices = [
            (d["id"].upper(), f"{d['id']} {d.get('name', '')}".strip()) for d in datacenters
        ]
        self.fields["datacenter"].error_messages["invalid_choice"] = (
            "No data center %(value)s in your account."
        )
        self.fields["group"].choices = [(g.id, ("— " * max(g.depth, 0)) + g.name) for g in groups]
        self.fields["group"].error_messages["invalid_choice"] = (
            f"Group %(value)s is not a group of {dc} where servers can be created (archived, or unknown)."
        )
        templates = list(capabilities.templates) if capabilities else []
        self.fields["template"].choices = [(t.name, t.description or t.name) for t in templates]
        self.fields["template"].error_messages["invalid_choice"] = (
            f"The template %(value)s is not offered in {dc} (see its deployment capabilities)."
        )
        networks = list(capabilities.networks) if capabilities else []
        self.fields["network"].choices = [("", "Chosen by the cloud")] + [
            (n.id, f"{n.name} ({n.type})" if n.type else n.name) for n in networks
        ]
        self.fields["network"].error_messages["invalid_choice"] = (
            f"The network %(value)s is not deployable in {dc}."
        )
        storage = [("standard", "Standard")]
        if capabilities is not None and capabilities.supports_premium_storage:
            storage.append(("premium", "Premium"))
        self.fields["storage_type"].choices = storage
        self.fields["storage_type"].error_messages["invalid_choice"] = (
            f"Storage type %(value)s is not offered in {dc} (only " + ", ".join(v for v, _ in storage) + ")."
        )
        known_users = sorted(
            {u.lower() for u in users} | set((instance.allowed_users if instance else []) or [])
        )
        self.fields["allowed_users"].choices = [(u, u) for u in known_users]
        self.fields["allowed_users"].error_messages["invalid_choice"] = (
            f"%(value)s has not used the portal in account {self.alias}."
        )
        self.networks = {n.id: n for n in networks}

    def clean_name(self):
        name = _no_control(self.cleaned_data["name"].strip(), "name")
        if not name:
            raise forms.ValidationError("A recipe name is required.")
        clash = Recipe.objects.filter(account_alias=self.alias, name__iexact=name)
        if self.instance is not None:
            clash = clash.exclude(pk=self.instance.pk)
        if clash.exists():
            raise forms.ValidationError(f"Your account already has a recipe named “{name}”.")
        return name

    def clean_description(self):
        return _no_control(self.cleaned_data.get("description", ""), "description")

    def clean(self):
        data = super().clean()
        if "datacenter" in self.errors:  # everything else depends on it: one clear message
            for name in ("group", "template", "network", "storage_type"):
                self.errors.pop(name, None)
        if not data.get("allowed_roles") and not data.get("allowed_users"):
            self.add_error("allowed_roles", "Choose at least one role or person who may launch this recipe.")
        return data

    def apply(self, recipe: Recipe) -> Recipe:
        data = self.cleaned_data
        group = self.groups.get(data["group"])
        network = self.networks.get(data.get("network") or "")
        recipe.account_alias = self.alias
        for name in SPEC:
            setattr(recipe, name, data.get(name))
        recipe.group_id = data["group"]
        recipe.group_name = group.name if group else ""
        recipe.network_id = data.get("network") or ""
        recipe.network_name = network.name if network else ""
        recipe.allowed_roles = [r for r in CREATE_ROLES if r in data.get("allowed_roles", [])]
        recipe.allowed_users = sorted(data.get("allowed_users", []))
        return recipe


def initial_of(recipe: Recipe) -> dict:
    return {
        **{name: getattr(recipe, name) for name in SPEC},
        "group": recipe.group_id,
        "network": recipe.network_id,
        "allowed_roles": list(recipe.allowed_roles or []),
        "allowed_users": list(recipe.allowed_users or []),
    }
