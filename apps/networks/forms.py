"""Forms of the network actions (the same form validates a page's POST and the API's JSON).

Network: rename. A server (``resource``: the inventory's ``ServerDetail``): add or remove a
secondary network; add, edit or remove a public IP (its open ports and allowed sources).
"""

import ipaddress
from functools import cached_property

from django import forms

from apps.accounts.services import client_for_request
from apps.actions import forms_server
from apps.actions.forms import ActionForm, optional_text

from . import selectors, validation

MAX_NAME = 256
MAX_SECONDARY = 3  # four adapters in all (the cloud's limit, docs/simulator.md)


class RenameNetworkForm(ActionForm):
    name = forms.CharField(
        label="Name",
        max_length=MAX_NAME,
        error_messages={
            "required": "Give the network a name.",
            "max_length": f"A name is at most {MAX_NAME} characters.",
        },
    )
    description = optional_text("Description", MAX_NAME, rows=2)

    def setup(self):
        network = getattr(self.resource, "network", None)
        if network is not None and not self.is_bound:
            self.initial.setdefault("name", network.name)
            self.initial.setdefault("description", network.description)

    def clean_name(self):
        value = self.cleaned_data["name"].strip()
        if not value:
            raise forms.ValidationError("Give the network a name.")
        return value

    def payload(self) -> dict:
        data = self.cleaned_data
        return {"name": data["name"], "description": data.get("description") or ""}


# --- a server's networks -----------------------------------------------------------------------
class ServerForm(forms_server.ServerForm):
    @cached_property
    def networks(self) -> selectors.ServerNetworks | None:
        if self.request is None or self.resource is None:
            return None
        return selectors.server_networks(
            self.request.user, self.detail, client=client_for_request(self.request)
        )


class AddSecondaryNetworkForm(ServerForm):
    network = forms.ChoiceField(label="Network")
    ip_address = optional_text(
        "Address (optional)", 15, "A free address of that network; empty: the lowest free one."
    )

    def setup(self):
        found = self.networks
        choices = [(n.id, f"{n.name} — {n.cidr}") for n in (found.available if found else ())]
        self.fields["network"].choices = [("", "Pick a network")] + choices
        self.fields["network"].error_messages["invalid_choice"] = (
            "Pick one of the data center's networks the server has no address in."
        )

    def clean(self):
        data = super().clean()
        found = self.networks
        if found is not None and len(found.secondary) >= MAX_SECONDARY:
            raise forms.ValidationError(
                f"The server already has {MAX_SECONDARY} secondary networks (four adapters in all): remove one first."
            )
        network = next((n for n in (found.available if found else ()) if n.id == data.get("network")), None)
        address = (data.get("ip_address") or "").strip()
        if network is not None and address:
            try:
                ip = ipaddress.IPv4Address(address)
                block = ipaddress.IPv4Network(network.cidr, strict=False)
            except ValueError:
                self.add_error("ip_address", f"'{address}' is not an IPv4 address.")
                return data
            if ip not in block or ip in (block.network_address, block.broadcast_address):
                self.add_error(
                    "ip_address", f"{address} is not a usable address of {network.name} ({network.cidr})."
                )
            elif network.gateway and address == network.gateway:
                self.add_error("ip_address", f"{address} is the gateway of {network.name}.")
        data["ip_address"] = address
        return data

    def payload(self) -> dict:
        return {
            "network": self.cleaned_data["network"],
            "ip_address": self.cleaned_data.get("ip_address") or "",
        }


class SecondaryNetworkTargetForm(ServerForm):
    """Names one of the server's secondary networks (``?network=<id>``)."""

    network = forms.CharField(widget=forms.HiddenInput, max_length=64)
    selects = ("network",)

    def clean_network(self):
        value = self.cleaned_data["network"].strip()
        found = self.networks
        if found is None or value.lower() not in {n.network.id.lower() for n in found.secondary}:
            primary = found and next((n for n in found.attached if n.primary), None)
            if primary is not None and primary.network.id.lower() == value.lower():
                raise forms.ValidationError(
                    f"{primary.network.name} is the server's primary network: it cannot be removed."
                )
            raise forms.ValidationError("The server has no secondary network with that id.")
        return next(n.network.id for n in found.secondary if n.network.id.lower() == value.lower())

    def target_label(self, value: str) -> str:
        found = self.networks
        for attached in found.secondary if found else ():
            if attached.network.id.lower() == value.lower():
                return f"{attached.network.name} ({', '.join(attached.addresses)})"
        return value


# --- public IPs ----------------------------------------------------------------------------------
def public_ips(detail, removable_only=False, editable_only=False) -> list[str]:
    """The server's public IP addresses (from its ``publicIPAddress`` links)."""
    out = []
    for link in getattr(getattr(detail, "server", None), "links", ()) or ():
        if link.rel != "publicIPAddress" or not link.id:
            continue
        if removable_only and "DELETE" not in link.verbs:
            continue
        if editable_only and "PUT" not in link.verbs:
            continue
        out.append(link.id)
    return out


class PortsMixin(forms.Form):
    ports = validation.EntriesField(
        label="Open ports",
        max_length=1000,
        initial="tcp/80, tcp/443",
        help_text="Comma separated: tcp/80, tcp/8000-8080, udp/53, icmp.",
    )
    source_restrictions = validation.EntriesField(
        label="Allowed sources (CIDR, optional)",
        required=False,
        max_length=2000,
        help_text="Comma separated, e.g. 10.0.0.0/8, 203.0.113.7/32. Empty: anyone.",
    )

    def clean_ports(self):
        return validation.public_ports(self.cleaned_data["ports"])

    def clean_source_restrictions(self):
        return [
            {"cidr": c} for c in validation.cidrs(self.cleaned_data["source_restrictions"], required=False)
        ]

    def rules(self) -> dict:
        data = self.cleaned_data
        return {"ports": data["ports"], "sourceRestrictions": data["source_restrictions"]}


class AddPublicIpForm(PortsMixin, ServerForm):
    internal_ip = forms.ChoiceField(label="Internal address", required=False)
    field_order = ("internal_ip", "ports", "source_restrictions")

    def setup(self):
        ips = list(getattr(getattr(self.detail, "server", None), "internal_ips", ()) or ())
        self.fields["internal_ip"].choices = [("", "A new internal address")] + [(ip, ip) for ip in ips]

    def payload(self) -> dict:
        """``{"spec": <the add-public-IP body>}``."""
        body = self.rules()
        if self.cleaned_data.get("internal_ip"):
            body["internalIPAddress"] = self.cleaned_data["internal_ip"]
        return {"spec": body}


class PublicIpTargetForm(ServerForm):
    """Names one of the server's public IP addresses (``?ip=<address>``)."""

    ip = forms.CharField(widget=forms.HiddenInput, max_length=64)
    selects = ("ip",)

    def clean_ip(self):
        value = self.cleaned_data["ip"].strip()
        if value not in set(public_ips(self.detail)):
            raise forms.ValidationError("This public IP address is not on the server.")
        return value


class UpdatePublicIpForm(PortsMixin, PublicIpTargetForm):
    """The whole new rule set of one public IP (what is not listed is closed)."""

    field_order = ("ip", "ports", "source_restrictions")

    def setup(self):
        if self.is_bound or self.request is None:
            return
        address = (self.initial.get("ip") or "").strip()
        if address not in set(public_ips(self.detail)):
            return
        rules = selectors.public_ip_rules(
            self.request.user, self.detail.server.id, address, client=client_for_request(self.request)
        )
        self.initial["ports"] = validation.port_text(rules.ports)
        self.initial["source_restrictions"] = ", ".join(rules.source_restrictions)

    def payload(self) -> dict:
        return {"ip": self.cleaned_data["ip"], "spec": self.rules()}
