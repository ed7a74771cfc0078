"""Forms of the firewall policy actions: create and edit an intra data center policy, create a
cross data center one. Sources and destinations take CIDR blocks or the names of the account's
networks; everything is checked before anything is sent: CIDRs, port specs, a network of another
data center where this one is meant, a policy that already exists."""

import re
from functools import cached_property

from django import forms

from apps.accounts.services import client_for_request
from apps.actions.forms import ActionForm, optional_text

from . import selectors, validation
from .selectors_firewall import firewall

_ITEMS = re.compile(r"[,;\n]+")
_ALIAS = re.compile(r"^[A-Za-z0-9]{1,10}$")
TRUE = ("true", "1", "on", "yes", "enabled")
FALSE = ("false", "0", "off", "no", "disabled")


class EnabledField(forms.BooleanField):
    """``true``/``false`` (a JSON boolean, or the page's select); missing means enabled."""

    widget = forms.Select(choices=[("true", "Enabled"), ("false", "Disabled")])

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("initial", "true")
        super().__init__(**kwargs)

    def to_python(self, value):
        if isinstance(value, bool):
            return value
        text = str(value if value is not None else "").strip().lower()
        if text in ("",) or text in TRUE:
            return True
        if text in FALSE:
            return False
        raise forms.ValidationError("Say true or false.")


def _items(value) -> list[str]:
    if isinstance(value, list | tuple):
        return [str(v).strip() for v in value if str(v).strip()]
    return [part.strip() for part in _ITEMS.split(str(value or "")) if part.strip()]


class FirewallForm(ActionForm):
    """Resolves network names, knows the account's networks in every data center. A create form's
    ``spec_names`` maps its fields to the API's members: the ``spec`` its action sends."""

    spec_names: dict[str, str] = {}

    def payload(self) -> dict:
        return {"spec": {api: self.cleaned_data[name] for name, api in self.spec_names.items()}}

    @property
    def dc(self) -> str:
        return self.resource.dc

    @property
    def own_alias(self) -> str:
        return str(getattr(getattr(self.request, "user", None), "account_alias", "") or "").upper()

    @cached_property
    def here(self):
        """This data center's networks."""
        return tuple(getattr(self.resource, "networks", None) or self._view.networks)

    @cached_property
    def _view(self):
        return firewall(self.request.user, self.dc, client=client_for_request(self.request))

    @cached_property
    def datacenters(self) -> list[dict]:
        try:
            return selectors.person_datacenters(self.request)
        except Exception:
            return []

    @cached_property
    def elsewhere(self) -> dict:
        """``{dc: networks}`` of the account's other data centers."""
        others = [d["id"] for d in self.datacenters if d["id"].upper() != self.dc.upper()]
        return selectors.account_networks(self.request.user, others, client=client_for_request(self.request))

    def named_networks(self) -> str:
        """``"vlan_700_10.16.0 (10.16.0.0/24), Backend (10.16.1.0/24)"``: for the help texts."""
        return ", ".join(f"{n.name} ({n.cidr})" for n in self.here[:10])

    def resolve(self, value, what: str, networks, where: str) -> list[str]:
        """CIDR blocks, or names / ids of ``networks`` (the networks of ``where``) -> CIDR blocks."""
        out = []
        for item in _items(value):
            if "/" in item or item.replace(".", "").isdigit():
                out.append(validation.cidr(item))
                continue
            match = next((n for n in networks if item.lower() in (n.name.lower(), n.id.lower())), None)
            if match is None:
                raise forms.ValidationError(
                    f"'{item}' is neither a CIDR block (e.g. 10.1.1.0/24) nor a network of {where}."
                )
            out.append(match.cidr)
        if not out:
            raise forms.ValidationError(f"Give the {what}: CIDR blocks or network names.")
        if len(out) > validation.MAX_ENTRIES:
            raise forms.ValidationError(f"At most {validation.MAX_ENTRIES} CIDR blocks.")
        return list(dict.fromkeys(out))

    def foreign(self, cidr: str, allowed: str) -> str | None:
        """``"<network> in <DC>"`` when ``cidr`` is one of the account's networks in a data
        center other than ``allowed``, else None."""
        candidates = dict(self.elsewhere)
        candidates[self.dc.upper()] = self.here
        for dc, networks in candidates.items():
            if dc.upper() == allowed.upper():
                continue
            network = validation.network_of(cidr, networks)
            if network is not None:
                return f"{cidr} is {network.name} in {dc.upper()}"
        return None

    def clean_destination_account(self):
        value = (self.cleaned_data.get("destination_account") or "").strip().upper() or self.own_alias
        if not _ALIAS.match(value):
            raise forms.ValidationError("An account alias is a few letters or digits, e.g. DEMO.")
        return value


class IntraPolicyForm(FirewallForm):
    source = validation.EntriesField(
        label="Sources",
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="CIDR blocks or names of this data center's networks, comma separated.",
    )
    destination = validation.EntriesField(
        label="Destinations",
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="CIDR blocks or network names (of the destination account).",
    )
    ports = validation.EntriesField(
        label="Ports",
        max_length=2000,
        initial="any",
        help_text="any, icmp, tcp/443, udp/1000-2000 — comma separated.",
    )

    def clean_ports(self):
        return validation.port_specs(self.cleaned_data["ports"])

    def clean_source(self):
        return self.resolve(self.cleaned_data["source"], "sources", self.here, self.dc)

    def target_account(self) -> str:
        """The policy's destination account (its networks are named only when it is the person's)."""
        raise NotImplementedError

    def clean_destination(self):
        networks = self.here if self.target_account() == self.own_alias else ()
        return self.resolve(self.cleaned_data["destination"], "destinations", networks, self.dc)

    def clean(self):
        data = super().clean()
        if not self.errors:
            self.check_endpoints(data, self.target_account())
        if not self.errors:
            self.check_new(data)
        return data

    def check_new(self, data: dict) -> None:
        """Raises when the policy would repeat one the data center has."""
        raise NotImplementedError

    def check_endpoints(self, data: dict, account: str) -> None:
        if account != self.own_alias:
            return  # another account's networks are not ours to name
        for name in ("source", "destination"):
            for cidr in data.get(name) or ():
                where = self.foreign(cidr, self.dc)
                if where:
                    self.add_error(
                        name,
                        f"{where}: an intra data center policy stays in {self.dc}. "
                        "Use a cross data center policy for another data center.",
                    )
                    break

    def duplicate_of(self, data: dict, account: str, exclude: str = ""):
        wanted = (
            frozenset(data["source"]),
            frozenset(data["destination"]),
            frozenset(data["ports"]),
            account,
        )
        for view in self._view.intra:
            p = view.policy
            if p.id == exclude:
                continue
            if (
                frozenset(p.source),
                frozenset(p.destination),
                frozenset(p.ports),
                p.destination_account,
            ) == wanted:
                return p
        return None


class CreateIntraPolicyForm(IntraPolicyForm):
    destination_account = optional_text("Destination account", 10, "Empty: your own account.")
    enabled = EnabledField(label="State")
    field_order = ("source", "destination", "ports", "destination_account", "enabled")

    def setup(self):
        if not self.is_bound:
            self.initial.setdefault("destination_account", self.own_alias)
        if self.here:
            self.fields[
                "source"
            ].help_text = f"CIDR blocks or names of {self.dc}'s networks: {self.named_networks()}."
            self.fields["destination"].help_text = "CIDR blocks, or network names when the account is yours."

    def target_account(self) -> str:
        return (self.data.get("destination_account") or "").strip().upper() or self.own_alias

    def check_new(self, data: dict) -> None:
        same = self.duplicate_of(data, data["destination_account"])
        if same is not None:
            raise forms.ValidationError(
                f"This policy already exists in {self.dc} ({same.id}, "
                f"{'enabled' if same.enabled else 'disabled'}): change that one instead."
            )

    spec_names = {
        "destination_account": "destinationAccount",
        "source": "source",
        "destination": "destination",
        "ports": "ports",
        "enabled": "enabled",
    }


class EditIntraPolicyForm(IntraPolicyForm):
    """Sources, destinations and ports of an existing policy (its account stays)."""

    def setup(self):
        policy = self.resource.policy
        if not self.is_bound:
            self.initial.setdefault("source", ", ".join(policy.source))
            self.initial.setdefault("destination", ", ".join(policy.destination))
            self.initial.setdefault("ports", ", ".join(policy.ports))

    def target_account(self) -> str:
        return self.resource.policy.destination_account

    def check_new(self, data: dict) -> None:
        policy = self.resource.policy
        same = self.duplicate_of(data, policy.destination_account, exclude=policy.id)
        if same is not None:
            raise forms.ValidationError(f"Another policy ({same.id}) already allows exactly this.")
        before = (list(policy.source), list(policy.destination), list(policy.ports))
        if before == (data["source"], data["destination"], data["ports"]):
            raise forms.ValidationError("Nothing changed.")

    def payload(self) -> dict:
        data = self.cleaned_data
        return {
            "changes": {"source": data["source"], "destination": data["destination"], "ports": data["ports"]}
        }


class CreateCrossPolicyForm(FirewallForm):
    source_cidr = forms.CharField(
        label="Source",
        max_length=64,
        help_text="A CIDR block or the name of one of this data center's networks.",
    )
    destination_location = forms.ChoiceField(label="Destination data center")
    destination_account = optional_text("Destination account", 10, "Empty: your own account.")
    destination_cidr = forms.CharField(
        label="Destination",
        max_length=64,
        help_text="A CIDR block, or the name of a network of yours in the destination data center.",
    )
    enabled = EnabledField(label="State")

    def setup(self):
        if self.here:
            self.fields[
                "source_cidr"
            ].help_text = f"A CIDR block, or one of {self.dc}'s networks: {self.named_networks()}."
        self.fields["destination_location"].choices = [("", "Pick a data center")] + [
            (d["id"].upper(), f"{d['id'].upper()} — {d['name']}")
            for d in self.datacenters
            if d["id"].upper() != self.dc.upper()
        ]
        self.fields["destination_location"].error_messages["invalid_choice"] = (
            f"Pick another data center of your account (not {self.dc})."
        )
        if not self.is_bound:
            self.initial.setdefault("destination_account", self.own_alias)

    def clean_destination_location(self):
        return self.cleaned_data["destination_location"].upper()

    def clean_source_cidr(self):
        return self.one(self.resolve(self.cleaned_data["source_cidr"], "source", self.here, self.dc))

    @staticmethod
    def one(found: list[str]) -> str:
        if len(found) != 1:
            raise forms.ValidationError("Give one CIDR block or network (a policy per pair).")
        return found[0]

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        account, location = data["destination_account"], data["destination_location"]
        theirs = self.elsewhere.get(location, ()) if account == self.own_alias else ()
        try:
            destination = self.one(self.resolve(data["destination_cidr"], "destination", theirs, location))
        except forms.ValidationError as exc:
            self.add_error("destination_cidr", exc)
            return data
        data["destination_cidr"] = destination
        where = self.foreign(data["source_cidr"], self.dc)
        if where:
            self.add_error("source_cidr", f"{where}: the source of a policy of {self.dc} is in {self.dc}.")
        if account == self.own_alias:
            where = self.foreign(destination, location)
            if where:
                self.add_error(
                    "destination_cidr",
                    f"{where}, not in {location}: pick {location}'s network or change the data center.",
                )
        if self.errors:
            return data
        for view in self._view.cross:
            p = view.policy
            if (p.source_cidr, p.destination_account, p.destination_location, p.destination_cidr) == (
                data["source_cidr"],
                account,
                location,
                destination,
            ):
                raise forms.ValidationError(
                    f"This policy already exists ({p.id}, {'enabled' if p.enabled else 'disabled'}): "
                    "enable or disable that one instead."
                )
        return data

    spec_names = {
        "destination_account": "destinationAccountId",
        "destination_location": "destinationLocationId",
        "destination_cidr": "destinationCidr",
        "source_cidr": "sourceCidr",
        "enabled": "enabled",
    }
