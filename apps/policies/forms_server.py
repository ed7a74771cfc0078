"""Forms of a server's policy actions (``resource``: the inventory's ``ServerDetail``); what they
check before anything is sent: an alert policy the server does not have yet (detach: one it has);
an autoscale policy whose CPU range holds the server's CPUs, not on bare metal; an anti-affinity
policy of the server's own data center (hyperscale servers only: the action's state says so)."""

from django import forms
from django.http import QueryDict

from apps.actions.forms import ActionForm, anti_affinity_in
from apps.actions.selectors import anti_affinity_choices
from apps.clc import errors

from . import selectors
from .forms import METRIC_LABELS


# --- on a server ------------------------------------------------------------------------------------
class ServerPolicyForm(ActionForm):
    """``resource``: the inventory's ``ServerDetail``."""

    available: tuple = ()  # the policies ``choose`` offers

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

    def choose(self, policies, first: str, label, required: str, invalid: str) -> None:
        """``policy``'s choices: ``policies`` (``available``) as ``label(p)``, by name; an API id in any case."""
        self.available = tuple(sorted(policies, key=lambda p: p.name.lower()))
        self.fields["policy"].choices = [("", first)] + [(p.id, label(p)) for p in self.available]
        self.fields["policy"].error_messages.update(required=required, invalid_choice=invalid)
        if (
            self.is_bound
            and not isinstance(self.data, QueryDict)
            and isinstance(self.data.get("policy"), str)
        ):
            self.data = {**self.data, "policy": self.data["policy"].strip().lower()}

    def target_label(self, value: str) -> str:
        return next((p.name for p in self.available if p.id == value), value)

    def policies(self, read) -> tuple:
        """The account's policies ``read(user, client=...)`` lists (none when it can't be read)."""
        return self.read_or(lambda: read(self.request.user, client=self.client).items, ())


class ItsPolicyForm(ServerPolicyForm):
    """Names a policy the server has, in its one hidden field (``selects``: ``?<field>=<id>``)."""

    def wanted(self) -> str:
        return self.cleaned_data[self.selects[0]].strip().lower()

    def named(self, read, value: str) -> str:
        """The name of the policy ``read(user, value, client=...)`` finds (the id if none)."""
        try:
            return read(self.request.user, value, client=self.client).name
        except errors.ClcError:
            return value


def _hidden_id():
    return forms.CharField(widget=forms.HiddenInput, max_length=64)


class AttachAlertPolicyForm(ServerPolicyForm):
    policy = forms.ChoiceField(label="Alert policy")

    def setup(self):
        have = {p.id.lower() for p in self.resource.alert_policies}
        self.choose(
            (p for p in self.policies(selectors.alert_policies) if p.id not in have),
            "Pick an alert policy",
            _policy_label,
            "Pick an alert policy.",
            "Pick one of the account's alert policies the server does not have yet.",
        )


def _policy_label(p) -> str:
    parts = [
        f"{METRIC_LABELS.get(t.metric, t.metric)} ≥ {t.threshold:g} % for {t.minutes} min" for t in p.triggers
    ]
    return f"{p.name} ({'; '.join(parts)})" if parts else p.name


class DetachAlertPolicyForm(ItsPolicyForm):
    """Names one of the server's alert policies (``?policy=<id>``)."""

    policy = _hidden_id()
    selects = ("policy",)

    def clean_policy(self):
        wanted = self.wanted()
        if not any(p.id.lower() == wanted for p in self.resource.alert_policies):
            raise forms.ValidationError(f"The server has no alert policy {wanted[:64]}.")
        return wanted

    def target_label(self, value: str) -> str:
        found = next((p for p in self.resource.alert_policies if p.id.lower() == str(value).lower()), None)
        return found.name if found and found.name else value


class SetAutoscalePolicyForm(ServerPolicyForm):
    policy = forms.ChoiceField(label="Vertical autoscale policy")

    def setup(self):
        self.choose(
            self.policies(selectors.autoscale_policies),
            "Pick a policy",
            lambda p: f"{p.name} ({p.min_cpu}-{p.max_cpu} CPUs, +{p.scale_up_increment} at ≥ {p.scale_up_threshold} %)",
            "Pick an autoscale policy.",
            "Pick one of the account's autoscale policies.",
        )

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


class RemoveAutoscalePolicyForm(ItsPolicyForm):
    """Names the server's autoscale policy (``?autoscale=<id>``): it must be the one it has."""

    autoscale = _hidden_id()
    selects = ("autoscale",)

    def clean_autoscale(self):
        wanted = self.wanted()
        mapping = selectors.server_autoscale(self.request.user, self.server.id, client=self.client)
        if mapping is None:
            raise forms.ValidationError(f"{self.server.name} has no autoscale policy.")
        if mapping.id != wanted:
            raise forms.ValidationError(f"{self.server.name}'s autoscale policy is not {wanted[:64]}.")
        return wanted

    def target_label(self, value: str) -> str:
        return self.named(selectors.autoscale_policy, value)


class SetAntiAffinityForm(ServerPolicyForm):
    """An anti-affinity policy of the server's data center (a hyperscale server's)."""

    policy = forms.CharField(label="Anti-affinity policy", max_length=64, widget=forms.Select())

    def setup(self):
        found = self.policies(selectors.anti_affinity_policies)
        self.all = {p.id: p for p in found}
        self.dc = (self.server.location_id or "").upper()
        self.current = selectors.member_of(found, self.server.id)
        self.fields["policy"].widget.choices = anti_affinity_choices(
            found, self.dc, "Pick a policy", but=self.current
        )
        self.fields["policy"].error_messages["required"] = "Pick an anti-affinity policy."

    def clean_policy(self):
        wanted = self.cleaned_data["policy"].strip().lower()
        there = f"{self.server.name} is in {self.dc}: a server joins a policy of its own data center."
        policy = anti_affinity_in(self.all, wanted, self.dc, there)
        if policy is self.current:
            raise forms.ValidationError(f"{self.server.name} is already in {policy.name}.")
        return policy.id

    def target_label(self, value: str) -> str:
        found = self.all.get(str(value).lower())
        return found.name if found else value


class RemoveAntiAffinityForm(ItsPolicyForm):
    """Names the policy the server is in (``?anti_affinity=<id>``)."""

    anti_affinity = _hidden_id()
    selects = ("anti_affinity",)

    def clean_anti_affinity(self):
        wanted = self.wanted()
        current = selectors.anti_affinity_of(self.request.user, self.server.id, client=self.client)
        if current is None or current.id != wanted:
            raise forms.ValidationError(
                f"{self.server.name} is not in the anti-affinity policy {wanted[:64]}."
            )
        return wanted

    def target_label(self, value: str) -> str:
        return self.named(selectors.anti_affinity_policy, value)
