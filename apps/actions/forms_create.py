"""The create-server form: fed by the data center's deployment capabilities and the group's defaults.

Checks made here, before anything is sent upstream (the cloud checks again):

* name: letters, digits and dashes; 1 to ``min(8, 10 - len(alias))`` characters (the documented
  rule: alias + name <= 10, at most 8). The cloud prefixes the data center and alias and appends a
  two-digit number (``WA1DEMOWEB01``).
* CPU 1-16, memory 1-128 GB (the documented ranges).
* template / network / storage type: one of what the data center offers (premium storage only
  where ``supportsPremiumStorage``).
* password: required here (the API would generate one, but then only an admin could read it),
  8-128 characters with at least 3 of: upper case, lower case, digit, symbol — what the Control
  Portal demanded. Typed twice.
"""

import re

from django import forms

NAME_RE = re.compile(r"^[A-Za-z0-9-]+$")
MAX_DESCRIPTION = 256
PASSWORD_MIN = 8
PASSWORD_MAX = 128


def name_limit(alias: str) -> int:
    return max(1, min(8, 10 - len(alias or "")))


def password_problem(password: str) -> str | None:
    """Why the password would be refused, or None."""
    if len(password) < PASSWORD_MIN:
        return f"The password must be at least {PASSWORD_MIN} characters."
    if len(password) > PASSWORD_MAX:
        return f"The password must be at most {PASSWORD_MAX} characters."
    if any(ord(ch) < 32 or ch.isspace() for ch in password):
        return "The password may not contain spaces or control characters."
    classes = (
        any(ch.isupper() for ch in password),
        any(ch.islower() for ch in password),
        any(ch.isdigit() for ch in password),
        any(not ch.isalnum() for ch in password),
    )
    if sum(classes) < 3:
        return (
            "The password needs at least 3 of: an upper-case letter, a lower-case letter, a digit, a symbol."
        )
    return None


class CreateServerForm(forms.Form):
    datacenter = forms.ChoiceField(label="Data center")
    group = forms.ChoiceField(label="Group")
    name = forms.CharField(label="Name", max_length=8, strip=True)
    description = forms.CharField(label="Description", max_length=MAX_DESCRIPTION, required=False)
    template = forms.ChoiceField(label="Template (operating system)")
    cpu = forms.IntegerField(label="CPU", min_value=1, max_value=16)
    memory_gb = forms.IntegerField(label="Memory (GB)", min_value=1, max_value=128)
    network = forms.ChoiceField(label="Network", required=False)
    storage_type = forms.ChoiceField(label="Storage type")
    password = forms.CharField(
        label="Administrator password",
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
        strip=False,
        max_length=PASSWORD_MAX,
    )
    password_confirm = forms.CharField(
        label="Password again",
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
        strip=False,
        max_length=PASSWORD_MAX,
    )

    def __init__(
        self,
        *args,
        alias: str,
        datacenters=(),
        groups=(),
        capabilities=None,
        defaults=None,
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        self.alias = (alias or "").upper()
        limit = name_limit(self.alias)
        self.fields["name"].max_length = None  # our own message below names the limit
        self.fields["name"].validators = []
        self.fields["name"].widget.attrs.update(
            {"maxlength": str(limit), "pattern": "[A-Za-z0-9-]+", "autocomplete": "off"}
        )
        self.fields["name"].help_text = (
            f"1 to {limit} letters, digits or dashes (account {self.alias}: alias + name ≤ 10 characters). "
            f"The cloud adds the data center and alias in front and a number behind."
        )
        self.fields["datacenter"].choices = [
            (d["id"].upper(), f"{d['id']} {d.get('name', '')}") for d in datacenters
        ]
        self.fields["group"].choices = [(g.id, ("— " * max(g.depth, 0)) + g.name) for g in groups]
        caps = capabilities
        templates = list(caps.templates) if caps else []
        self.fields["template"].choices = [(t.name, t.description or t.name) for t in templates]
        networks = list(caps.networks) if caps else []
        self.fields["network"].choices = [("", "Chosen by the cloud")] + [
            (n.id, f"{n.name} ({n.type})" if n.type else n.name) for n in networks
        ]
        storage = [("standard", "Standard")]
        if caps is not None and caps.supports_premium_storage:
            storage.append(("premium", "Premium"))
        self.fields["storage_type"].choices = storage
        defaults = defaults or {}
        if not self.is_bound:
            initial = {"storage_type": "standard"}
            if defaults.get("cpu") is not None:
                initial["cpu"] = defaults["cpu"]
            if defaults.get("memoryGB") is not None:
                initial["memory_gb"] = defaults["memoryGB"]
            template = str(defaults.get("templateName") or "")
            match = next((t.name for t in templates if t.name.lower() == template.lower()), None)
            if match:
                initial["template"] = match
            network = str(defaults.get("networkId") or "")
            if any(n.id == network for n in networks):
                initial["network"] = network
            for key, value in initial.items():
                self.initial.setdefault(key, value)

    def clean_name(self):
        name = self.cleaned_data["name"]
        limit = name_limit(self.alias)
        if not NAME_RE.match(name):
            raise forms.ValidationError("Use only letters, digits and dashes.")
        if len(name) > limit:
            raise forms.ValidationError(
                f"At most {limit} characters for account {self.alias} (alias + name ≤ 10); "
                f"“{name}” has {len(name)}."
            )
        return name

    def clean_description(self):
        value = self.cleaned_data.get("description", "")
        if any(ord(ch) < 32 for ch in value):
            raise forms.ValidationError("The description may not contain control characters.")
        return value

    def clean_password(self):
        password = self.cleaned_data["password"]
        problem = password_problem(password)
        if problem:
            raise forms.ValidationError(problem)
        return password

    def clean(self):
        data = super().clean()
        if (
            data.get("password")
            and "password_confirm" in data
            and data["password"] != data["password_confirm"]
        ):
            self.add_error("password_confirm", "The two passwords differ.")
        return data

    def spec(self) -> dict:
        """The POST /v2/servers/{alias} body (API field names)."""
        data = self.cleaned_data
        spec = {
            "name": data["name"],
            "description": data.get("description", ""),
            "groupId": data["group"],
            "sourceServerId": data["template"],
            "cpu": data["cpu"],
            "memoryGB": data["memory_gb"],
            "type": "standard",
            "storageType": data["storage_type"],
            "password": data["password"],
        }
        if data.get("network"):
            spec["networkId"] = data["network"]
        return spec
