"""Forms of a server's policy actions (``resource``: the inventory's ``ServerDetail``); what they
check before anything is sent: an alert policy the server does not have yet (detach: one it has);
an autoscale policy whose CPU range holds the server's CPUs, not on bare metal; an anti-affinity
policy of the server's own data center (hyperscale servers only: the action's state says so)."""

from functools import cached_property

from django import forms
from django.http import QueryDict

from apps.accounts.services import client_for_request
from apps.actions.forms import ActionForm
from apps.clc import errors

from . import selectors
from .forms import METRIC_LABELS


# --- on a server ------------------------------------------------------------------------------------
class ServerPolicyForm(ActionForm):
    """``resource``: the inventory's ``ServerDetail``."""

    @cached_property
    def client(self):
        return client_for_request(self.request)

    @property
    def server(self):
        return self.resource.server

    def clean(self):
        data = super().clean()
        for name in self.selects:  # a hidden field's error is said where the page shows errors
            if name in self._errors:
                for message in self._errors.pop(name):
                    self.add_error(None, message)
        return data


class AttachAlertPolicyForm(ServerPolicyForm):
    policy = forms.ChoiceField(label="Alert policy")

    def setup(self):
        have = {p.id.lower() for p in self.resource.alert_policies}
        try:
            found = selectors.alert_policies(self.request.user, client=self.client).items
        except errors.ClcError as exc:
            if isinstance(exc, errors.Unauthorized | errors.UpstreamUnavailable):
                raise
            found = ()
        self.available = sorted((p for p in found if p.id not in have), key=lambda p: p.name.lower())
        self.fields["policy"].choices = [("", "Pick an alert policy")] + [
            (p.id, _policy_label(p)) for p in self.available
        ]
        self.fields["policy"].error_messages.update(
            required="Pick an alert policy.",
            invalid_choice="Pick one of the account's alert policies the server does not have yet.",
        )
        if (
            self.is_bound
            and not isinstance(self.data, QueryDict)
            and isinstance(self.data.get("policy"), str)
        ):
            self.data = {**self.data, "policy": self.data["policy"].strip().lower()}

    def target_label(self, value: str) -> str:
        return next((p.name for p in self.available if p.id == value), value)


def _policy_label(p) -> str:
    parts = [
        f"{METRIC_LABELS.get(t.metric, t.metric)} ≥ {t.threshold:g} % for {t.minutes} min" for t in p.triggers
    ]
    return f"{p.name} ({'; '.join(parts)})" if parts else p.name


class DetachAlertPolicyForm(ServerPolicyForm):
    """Names one of the server's alert policies (``?policy=<id>``)."""

    policy = forms.CharField(widget=forms.HiddenInput, max_length=64)
    selects = ("policy",)

    def clean_policy(self):
        wanted = self.cleaned_data["policy"].strip().lower()
        if not any(p.id.lower() == wanted for p in self.resource.alert_policies):
            raise forms.ValidationError(f"The server has no alert policy {wanted[:64]}.")
        return wanted

    def target_label(self, value: str) -> str:
        found = next((p for p in self.resource.alert_policies if p.id.lower() == str(value).lower()), None)
        return found.name if found and found.name else value


class SetAutoscalePolicyForm(ServerPolicyForm):
    policy = forms.ChoiceField(label="Vertical autoscale policy")

    def setup(self):
        try:
            found = selectors.autoscale_policies(self.request.user, client=self.client).items
        except errors.ClcError as exc:
            if isinstance(exc, errors.Unauthorized | errors.UpstreamUnavailable):
                raise
            found = ()
        self.available = sorted(found, key=lambda p: p.name.lower())
        self.fields["policy"].choices = [("", "Pick a policy")] + [
            (
                p.id,
                f"{p.name} ({p.min_cpu}-{p.max_cpu} CPUs, +{p.scale_up_increment} at ≥ {p.scale_up_threshold} %)",
            )
            for p in self.available
        ]
        self.fields["policy"].error_messages.update(
            required="Pick an autoscale policy.",
            invalid_choice="Pick one of the account's autoscale policies.",
        )
        if (
            self.is_bound
            and not isinstance(self.data, QueryDict)
            and isinstance(self.data.get("policy"), str)
        ):
            self.data = {**self.data, "policy": self.data["policy"].strip().lower()}

    def clean_policy(self):
        chosen = next(p for p in self.available if p.id == self.cleaned_data["policy"])
        cpus = self.server.cpu
        if (self.resource.type or "").lower() == "baremetal":
            raise forms.ValidationError("Autoscale policies are not available for bare metal servers.")
        if cpus and not chosen.min_cpu <= cpus <= chosen.max_cpu:
            plural = "s" if cpus != 1 else ""
            raise forms.ValidationError(
                f"{self.server.name} has {cpus} CPU{plural}, outside the range of {chosen.name} "
                f"({chosen.min_cpu}-{chosen.max_cpu} CPUs): it would never size it as meant. Pick a policy "
                f"whose range holds {cpus} CPU{plural}, or change the server's CPUs first."
            )
        return chosen.id

    def target_label(self, value: str) -> str:
        return next((p.name for p in self.available if p.id == value), value)


class RemoveAutoscalePolicyForm(ServerPolicyForm):
    """Names the server's autoscale policy (``?autoscale=<id>``): it must be the one it has."""

    autoscale = forms.CharField(widget=forms.HiddenInput, max_length=64)
    selects = ("autoscale",)

    def clean_autoscale(self):
        wanted = self.cleaned_data["autoscale"].strip().lower()
        mapping = selectors.server_autoscale(self.request.user, self.server.id, client=self.client)
        if mapping is None:
            raise forms.ValidationError(f"{self.server.name} has no autoscale policy.")
        if mapping.id != wanted:
            raise forms.ValidationError(f"{self.server.name}'s autoscale policy is not {wanted[:64]}.")
        return wanted

    def target_label(self, value: str) -> str:
        try:
            return selectors.autoscale_policy(self.request.user, value, client=self.client).name
        except errors.ClcError:
            return value


class SetAntiAffinityForm(ServerPolicyForm):
    """An anti-affinity policy of the server's data center (a hyperscale server's)."""

    policy = forms.CharField(label="Anti-affinity policy", max_length=64, widget=forms.Select())

    def setup(self):
        try:
            found = selectors.anti_affinity_policies(self.request.user, client=self.client).items
        except errors.ClcError as exc:
            if isinstance(exc, errors.Unauthorized | errors.UpstreamUnavailable):
                raise
            found = ()
        self.all = {p.id: p for p in found}
        self.dc = (self.server.location_id or "").upper()
        self.current = next(
            (p for p in found if any(s.id == self.server.id.upper() for s in p.servers)), None
        )
        here = sorted(
            (p for p in found if p.location == self.dc and p is not self.current),
            key=lambda p: p.name.lower(),
        )
        self.fields["policy"].widget.choices = [("", "Pick a policy")] + [
            (p.id, f"{p.name} ({len(p.servers)} server{'s' if len(p.servers) != 1 else ''})") for p in here
        ]
        self.fields["policy"].error_messages["required"] = "Pick an anti-affinity policy."

    def clean_policy(self):
        wanted = self.cleaned_data["policy"].strip().lower()
        policy = self.all.get(wanted)
        if policy is None:
            raise forms.ValidationError(f"There is no anti-affinity policy {wanted[:64]} in your account.")
        if policy.location != self.dc:
            raise forms.ValidationError(
                f"The anti-affinity policy {policy.name} is in {policy.location}; {self.server.name} is in "
                f"{self.dc}: a server joins a policy of its own data center."
            )
        if policy is self.current:
            raise forms.ValidationError(f"{self.server.name} is already in {policy.name}.")
        return policy.id

    def target_label(self, value: str) -> str:
        found = self.all.get(str(value).lower())
        return found.name if found else value


class RemoveAntiAffinityForm(ServerPolicyForm):
    """Names the policy the server is in (``?anti_affinity=<id>``)."""

    anti_affinity = forms.CharField(widget=forms.HiddenInput, max_length=64)
    selects = ("anti_affinity",)

    def clean_anti_affinity(self):
        wanted = self.cleaned_data["anti_affinity"].strip().lower()
        current = selectors.anti_affinity_of(self.request.user, self.server.id, client=self.client)
        if current is None or current.id != wanted:
            raise forms.ValidationError(
                f"{self.server.name} is not in the anti-affinity policy {wanted[:64]}."
            )
        return wanted

    def target_label(self, value: str) -> str:
        try:
            return selectors.anti_affinity_policy(self.request.user, value, client=self.client).name
        except errors.ClcError:
            return value
