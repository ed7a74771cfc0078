"""The create-server form (the ``group`` action ``createServer``): fed by the data center's
deployment capabilities, the group's defaults and the account's custom field definitions.

Checks made here, before anything is sent upstream (the cloud checks again):

* name: letters, digits and dashes; 1 to ``min(8, 10 - len(alias))`` characters (the documented
  rule: alias + name <= 10, at most 8). The cloud prefixes the data center and alias and appends a
  two-digit number (``WA1DEMOWEB01``).
* CPU 1-16, memory 1-128 GB (the documented ranges).
* template / network / storage type: one of what the data center offers (premium storage only
  where ``supportsPremiumStorage``).
* password: required here (the API would generate one, but then only an admin could read it),
  8-128 characters with at least 3 of: upper case, lower case, digit, symbol — what the Control
  Portal demanded. Typed twice on the page.
* custom fields: every field the account defines, the required ones required (``forms_custom``).
* extra disks: rows of a size (1-1024 GB) and an optional mount path (a partitioned disk; a Linux
  path not reserved by the template, or a Windows drive letter), each path once. Pages post
  ``disk_size`` / ``disk_path`` lists; the API ``additional_disks: [{"size_gb", "path"}]``.
* server type: standard or hyperscale (hyperscale storage then). An anti-affinity policy (api.json's
  ``antiAffinityPolicyId``: "Only valid for hyperscale servers") must be one of the group's data
  center: a policy of another data center, or on a standard server, is refused here.
* clone (``Servers/clone-server.md``): ``source`` names an active server of the data center; the
  clone gets its operating system and disks (no template then), CPU and memory are the form's (the
  page fills them from the source, and so does ``?source=<id>``). The cloud wants the source's
  password: ``source_password``, or, left empty, the portal reads it with the person's token
  (as the Python SDK does) — a role that may not read credentials is asked to type it.
"""

import re

from django import forms
from django.http import QueryDict

from apps.clc import errors

from . import selectors
from .forms import ActionForm, anti_affinity_in
from .forms_custom import CustomFieldsMixin

NAME_RE = re.compile(r"^[A-Za-z0-9-]+$")
LINUX_PATH_RE = re.compile(r"^/?[A-Za-z0-9._-]+(/[A-Za-z0-9._-]+)*/?$")
MAX_DESCRIPTION = 256
PASSWORD_MIN = 8
PASSWORD_MAX = 128
PASSWORD_RULE = "8 or more characters with at least 3 of: upper case, lower case, digit, symbol."
MAX_DISK_GB = 1024
MAX_EXTRA_DISKS = 8
SERVER_TYPES = [("standard", "Standard"), ("hyperscale", "Hyperscale")]


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


def check_password(password: str) -> None:
    """A validator: the password follows the cloud's rules (``password_problem``)."""
    problem = password_problem(password)
    if problem:
        raise forms.ValidationError(problem)


def secret_field(
    label: str, autocomplete: str, *, required: bool = True, help_text: str = "", checked: bool = False
):
    """A password input that is never rendered back to the page; ``checked``: a new password, held
    to the cloud's rules."""
    return forms.CharField(
        label=label,
        required=required,
        strip=False,
        max_length=PASSWORD_MAX,
        help_text=help_text,
        validators=[check_password] if checked else [],
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": autocomplete}),
        error_messages={"required": f"{label} is required."},
    )


def check_typed_twice(form, field: str, again: str) -> None:
    """A page's password is typed twice (the second must match); the API may leave it out."""
    data = form.cleaned_data
    if not data.get(field):
        return
    from_page = isinstance(form.data, QueryDict)
    if (from_page or data.get(again)) and data.get(again) != data[field]:
        form.add_error(again, "The two passwords differ." if data.get(again) else "Type the password again.")


def spec_fields() -> tuple:
    """A new server's template, CPU, memory, network and storage type (the documented ranges): the
    create-server form's fields and a recipe's; each form sets the data center's choices."""
    return (
        forms.ChoiceField(label="Template (operating system)"),
        forms.IntegerField(label="CPU", min_value=1, max_value=16),
        forms.IntegerField(label="Memory (GB)", min_value=1, max_value=128),
        forms.ChoiceField(label="Network", required=False),
        forms.ChoiceField(label="Storage type"),
    )


class CreateServerForm(CustomFieldsMixin, ActionForm):
    """``resource``: the group (``selectors.GroupForChange``) the server is created in."""

    api_extra = ("custom_fields", "additional_disks")

    group = forms.ChoiceField(label="Group", required=False)
    source = forms.ChoiceField(label="Clone from an existing server", required=False)
    source_password = secret_field(
        "Source server's password",
        "off",
        required=False,
        help_text="Only for a clone. Left empty, the portal reads it if your role may see credentials.",
    )
    name = forms.CharField(label="Name", strip=True)
    description = forms.CharField(label="Description", max_length=MAX_DESCRIPTION, required=False)
    template, cpu, memory_gb, network, storage_type = spec_fields()
    server_type = forms.ChoiceField(
        label="Server type",
        required=False,
        choices=SERVER_TYPES,
        help_text="Hyperscale: local SSD storage (the storage type above is then hyperscale); it may join an "
        "anti-affinity policy.",
    )
    anti_affinity_policy = forms.CharField(
        label="Anti-affinity policy",
        required=False,
        max_length=64,
        widget=forms.Select(),
        help_text="Hyperscale servers only: the servers of one policy run on different hosts of the data center.",
    )
    password = secret_field("Administrator password", "new-password", help_text=PASSWORD_RULE, checked=True)
    password_confirm = secret_field("Password again", "new-password", required=False)

    def setup(self):
        r = self.resource
        self.alias = str(getattr(self.request.user, "account_alias", "") or "").upper()
        self.target = r.group
        self.datacenter = r.datacenter
        self.name_limit = name_limit(self.alias)
        self.datacenters = selectors.datacenters(self.request)
        self.groups = [
            g
            for g in r.groups
            if g.status == "active" and g.type != "archive" and g.allows("createServer", "POST")
        ]
        self.capabilities = selectors.deployment_capabilities(self.request, r.datacenter)
        self.defaults = self._defaults()
        self._name_field()
        self.fields["group"].choices = [(g.id, ("— " * max(g.depth, 0)) + g.name) for g in self.groups]
        caps = self.capabilities
        self.fields["template"].choices = [(t.name, t.description or t.name) for t in caps.templates]
        self.fields["template"].required = False  # a clone has the source's operating system
        self.sources = {s.id: s for s in selectors.clone_sources(self.request, r.datacenter)}
        self.fields["source"].choices = [("", "No: a new server from the template below")] + [
            (s.id, f"{s.name} ({s.os_type or s.os}, {s.cpu} CPU, {s.memory_gb:g} GB)")
            for s in self.sources.values()
        ]
        self.fields["network"].choices = [("", "Chosen by the cloud")] + [
            (n.id, f"{n.name} ({n.type})" if n.type else n.name) for n in caps.networks
        ]
        storage = [("standard", "Standard")]
        if caps.supports_premium_storage:
            storage.append(("premium", "Premium"))
        self.fields["storage_type"].choices = storage
        self._anti_affinity_choices()
        self._initial()
        self.add_custom_fields({})
        self.disk_rows = self._disk_rows()
        self.disk_errors: dict[int, str] = {}

    def _anti_affinity_choices(self) -> None:
        """The account's anti-affinity policies; the data center's are offered."""
        found = self.read_or(
            lambda: selectors.anti_affinity_policies(self.request.user, client=self.client), ()
        )
        self.anti_affinity_all = {p.id: p for p in found}
        self.fields["anti_affinity_policy"].widget.choices = selectors.anti_affinity_choices(
            found, self.datacenter.upper(), "None"
        )

    def _defaults(self) -> dict:
        found = self.read_or(lambda: selectors.group_defaults(self.request, self.target.id), {})
        return {key: d.value for key, d in found.items()}

    def _name_field(self):
        limit = self.name_limit
        self.fields["name"].widget.attrs.update(
            {"maxlength": str(limit), "pattern": "[A-Za-z0-9-]+", "autocomplete": "off"}
        )
        self.fields["name"].help_text = (
            f"1 to {limit} letters, digits or dashes (account {self.alias}: alias + name ≤ 10 characters). "
            f"The cloud adds the data center and alias in front and a number behind."
        )

    def _initial(self):
        if self.is_bound:
            return
        d, caps = self.defaults, self.capabilities
        initial = {"storage_type": "standard", "group": self.target.id}
        source = self.sources.get(str(self.request.GET.get("source") or "").upper())
        if source is not None:  # ``?source=<id>``: a clone of it, its size to start with
            initial.update(source=source.id, cpu=source.cpu, memory_gb=max(1, round(source.memory_gb)))
        if d.get("cpu") is not None:
            initial.setdefault("cpu", d["cpu"])
        if d.get("memoryGB") is not None:
            initial.setdefault("memory_gb", d["memoryGB"])
        template = str(d.get("templateName") or "").lower()
        match = next((t.name for t in caps.templates if t.name.lower() == template), None)
        if match:
            initial["template"] = match
        if any(n.id == str(d.get("networkId") or "") for n in caps.networks):
            initial["network"] = d["networkId"]
        for key, value in initial.items():
            self.initial.setdefault(key, value)

    # --- extra disks -------------------------------------------------------------------------
    def _disk_rows(self) -> list[tuple[str, str]]:
        if not self.is_bound:
            return []
        if isinstance(self.data, QueryDict):
            sizes, paths = self.data.getlist("disk_size"), self.data.getlist("disk_path")
            rows = [
                (sizes[i] if i < len(sizes) else "", paths[i] if i < len(paths) else "")
                for i in range(max(len(sizes), len(paths)))
            ]
        else:
            raw = self.data.get("additional_disks") or []
            if not isinstance(raw, list) or not all(isinstance(d, dict) for d in raw):
                self._disks_shape = False
                return []
            rows = [(d.get("size_gb", d.get("sizeGB", "")), d.get("path") or "") for d in raw]
        return [(str(s if s is not None else "").strip(), str(p).strip()) for s, p in rows]

    def disk_row_list(self) -> list[dict]:
        """The rows a page shows: those posted (with their errors), then one empty row."""
        rows = [
            {"size": s, "path": p, "error": self.disk_errors.get(i, "")}
            for i, (s, p) in enumerate(self.disk_rows)
        ]
        rows = [r for r in rows if r["size"] or r["path"] or r["error"]]
        if len(rows) < MAX_EXTRA_DISKS:
            rows.append({"size": "", "path": "", "error": ""})
        return rows

    def _template(self):
        name = self.cleaned_data.get("template")
        return next((t for t in self.capabilities.templates if t.name == name), None)

    def _source(self):
        return self.sources.get(self.cleaned_data.get("source") or "")

    def _clean_disks(self) -> list[dict]:
        if getattr(self, "_disks_shape", True) is False:
            self.add_error(None, "additional_disks must be a list of {size_gb, path}.")
            return []
        template, source = self._template(), self._source()
        windows = bool(template and (template.drive_path_length or "win" in template.name.lower()))
        if source is not None:
            windows = "windows" in f"{source.os} {source.os_type}".lower()
            template = None
        reserved = {p.strip("/\\:").lower() for p in (template.reserved_drive_paths if template else ())}
        disks, used = [], set()
        filled = [(i, s, p) for i, (s, p) in enumerate(self.disk_rows) if s or p]
        if len(filled) > MAX_EXTRA_DISKS:
            self.add_error(None, f"At most {MAX_EXTRA_DISKS} extra disks.")
            return []
        for n, (i, size, path) in enumerate(filled, start=1):
            problem, disk = self._disk(size, path, windows, reserved, used)
            if problem:
                self.disk_errors[i] = problem
                self.add_error(None, f"Extra disk {n}: {problem}")
            else:
                disks.append(disk)
        return disks

    @staticmethod
    def _disk(size, path, windows, reserved, used):
        try:
            size_gb = int(str(size))
        except ValueError:
            size_gb = 0
        if not 1 <= size_gb <= MAX_DISK_GB:
            return f"the size must be a whole number between 1 and {MAX_DISK_GB} GB.", None
        if not path:
            return None, {"sizeGB": size_gb, "type": "raw"}
        if windows:
            letter = path.strip().rstrip("\\").rstrip(":")
            if len(letter) != 1 or not letter.isalpha():
                return "on Windows the path is a drive letter, such as E.", None
            path, bare = letter.upper(), letter.lower()
        else:
            if not LINUX_PATH_RE.match(path):
                return "the mount path is letters, digits, dots, dashes and slashes, such as /data.", None
            path = "/" + path.strip("/")
            bare = path.strip("/").lower()
        if bare in reserved:
            return f"{path} is reserved by the operating system.", None
        if bare in used:
            return f"{path} is used twice.", None
        used.add(bare)
        return None, {"path": path, "sizeGB": size_gb, "type": "partitioned"}

    # --- fields ----------------------------------------------------------------------------------
    def clean_group(self):
        value = (self.cleaned_data.get("group") or "").strip() or self.target.id
        if value.lower() != self.target.id.lower():
            raise forms.ValidationError("A server is created in the group of the address it is posted to.")
        return self.target.id

    def clean_name(self):
        name = self.cleaned_data["name"]
        limit = self.name_limit
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

    def clean_server_type(self):
        return self.cleaned_data.get("server_type") or "standard"

    def clean_anti_affinity_policy(self):
        wanted = str(self.cleaned_data.get("anti_affinity_policy") or "").strip().lower()
        if not wanted:
            return ""
        dc = self.datacenter.upper()
        there = f"the server is created in {dc}: pick a policy of {dc}."
        return anti_affinity_in(self.anti_affinity_all, wanted, dc, there).id

    def clean(self):
        data = super().clean()
        if data.get("anti_affinity_policy") and data.get("server_type") != "hyperscale":
            self.add_error(
                "anti_affinity_policy",
                "Anti-affinity policies are only for hyperscale servers: choose Hyperscale as the server type.",
            )
        check_typed_twice(self, "password", "password_confirm")
        self.clean_custom_fields()
        self._clean_source()
        self.extra_disks = self._clean_disks()
        return data

    def _clean_source(self) -> None:
        """A clone needs the source's password; a new server needs a template."""
        data = self.cleaned_data
        source = self._source()
        if source is None:
            if "template" in data and not data.get("template"):
                self.add_error("template", "Pick a template, or a server to clone.")
            return
        if data.get("source_password"):
            return
        try:
            data["source_password"] = selectors.server_password(self.request, source.id)
        except errors.Forbidden:
            self.add_error(
                "source_password", f"Type the password of {source.name}: your role may not read it."
            )
        except errors.NotFound:
            self.add_error("source", f"{source.name} no longer exists.")

    def spec(self) -> dict:
        """The POST /v2/servers/{alias} body (API field names)."""
        data = self.cleaned_data
        spec = {
            "name": data["name"],
            "description": data.get("description", ""),
            "groupId": data["group"],
            "sourceServerId": data.get("source") or data["template"],
            "cpu": data["cpu"],
            "memoryGB": data["memory_gb"],
            "type": data.get("server_type") or "standard",
            "storageType": "hyperscale" if data.get("server_type") == "hyperscale" else data["storage_type"],
            "password": data["password"],
        }
        if data.get("source"):
            spec["sourceServerPassword"] = data["source_password"]
        if data.get("network"):
            spec["networkId"] = data["network"]
        if data.get("anti_affinity_policy"):
            spec["antiAffinityPolicyId"] = data["anti_affinity_policy"]
        values = self.custom_field_values()
        if values:
            spec["customFields"] = values
        if self.extra_disks:
            spec["additionalDisks"] = self.extra_disks
        return spec

    def payload(self) -> dict:
        return {"spec": self.spec()}
