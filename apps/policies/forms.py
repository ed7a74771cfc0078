"""Forms of the policy actions: the same form validates a page's POST and the API's JSON, and says
what is wrong before anything is sent upstream.

* Alert policy (``Alert Policies/create-alert-policy.md``): a name unique in the account (the cloud
  looks policies up by name), one or more e-mail recipients, and per metric (CPU, memory, disk) an
  optional trigger: a threshold "between 5.0 - 95.0 that is a multiple of 5.0" and a duration of
  00:05:00, 00:10:00 or 00:15:00. At least one trigger. An API edit keeps what it leaves out.
* Anti-affinity policy: a name unique in the account; its data center is the page's (create only).
* On a server: an anti-affinity policy of its own data center, for a hyperscale server only (api.json:
  "Only valid for hyperscale servers"); an alert policy of the account it does not have yet; the one it has (detach); an
  autoscale policy whose CPU range holds the server's CPUs (outside it the policy could never
  act: it leaves a server above its maximum alone), not on bare metal.
"""

from django import forms
from django.core.validators import validate_email
from django.http import QueryDict

from apps.actions.forms import ActionForm
from apps.clc.entities import ALERT_DURATIONS, ALERT_METRICS, AlertTrigger

from . import selectors

MAX_NAME = 256
MAX_RECIPIENTS = 20
METRIC_LABELS = {"cpu": "CPU", "memory": "Memory", "disk": "Disk"}
DURATION_LABELS = {"00:05:00": "5 minutes", "00:10:00": "10 minutes", "00:15:00": "15 minutes"}
THRESHOLD_RULE = "a percentage from 5 to 95 in steps of 5"


def clean_name(value, what: str) -> str:
    value = str(value or "").strip()
    if not value:
        raise forms.ValidationError(f"Give the {what} a name.")
    if len(value) > MAX_NAME:
        raise forms.ValidationError(f"A name is at most {MAX_NAME} characters.")
    if any(ord(ch) < 32 for ch in value):
        raise forms.ValidationError("The name may not contain control characters.")
    return value


def unique(name: str, items, current_id: str, what: str) -> None:
    for item in items:
        if item.name.lower() == name.lower() and item.id != current_id:
            raise forms.ValidationError(f"There is already {what} named “{item.name}”: pick another name.")


def threshold_of(raw, label: str) -> float | None:
    """``"80"``, ``80``, ``"80.0"`` -> 80.0; empty -> None (no trigger for that metric)."""
    text = str(raw if raw is not None else "").strip().rstrip("%").strip()
    if not text:
        return None
    try:
        value = float(text)
    except ValueError:
        raise forms.ValidationError(
            f"The {label} threshold must be {THRESHOLD_RULE}; “{text[:20]}” is not a number."
        ) from None
    if not 5 <= value <= 95 or value % 5:
        raise forms.ValidationError(f"The {label} threshold must be {THRESHOLD_RULE}; {text[:20]} is not.")
    return value


def duration_of(raw, label: str) -> str:
    """``"00:05:00"``, ``"0:5:0"``, ``5``, ``"5"`` (minutes) -> ``"00:05:00"``."""
    text = str(raw if raw is not None else "").strip()
    if not text:
        return ALERT_DURATIONS[0]
    minutes = None
    if text.isdecimal():  # not isdigit(): "³" is a digit int() refuses
        minutes = int(text)
    elif text.count(":") == 2 and all(p.isdecimal() for p in text.split(":")):
        h, m, s = (int(p) for p in text.split(":"))
        minutes = h * 60 + m if s == 0 else None
    wanted = f"00:{minutes:02d}:00" if minutes is not None and minutes < 60 else ""
    if wanted not in ALERT_DURATIONS:
        raise forms.ValidationError(
            f"The {label} duration “{text[:20]}” is not possible: 00:05:00, 00:10:00 or 00:15:00 (5, 10 or 15 minutes)."
        )
    return wanted


def _threshold_field(label: str):
    return forms.CharField(
        label=f"{label} threshold (%)",
        required=False,
        max_length=10,
        help_text=f"Alert when {label.lower()} use reaches it: {THRESHOLD_RULE}. Empty: no {label.lower()} trigger.",
        widget=forms.NumberInput(attrs={"min": 5, "max": 95, "step": 5, "inputmode": "numeric"}),
    )


def _duration_field(label: str):
    return forms.CharField(
        label=f"{label} for at least",
        required=False,
        max_length=10,
        help_text="00:05:00, 00:10:00 or 00:15:00",
        widget=forms.Select(choices=list(DURATION_LABELS.items())),
    )


class PolicyForm(ActionForm):
    """A policy's: its ``name``, unique in the account (``listed``: the account's policies);
    ``current``: the policy edited (it has the attribute ``has``), ``None`` for a create."""

    name = forms.CharField(label="Name", max_length=MAX_NAME + 20, required=False)
    what = ""  # "alert policy"
    has = ""  # an attribute the policy has and the list it is created in has not
    listed = None  # the selector of the account's policies of the kind

    @property
    def current(self):
        return self.resource if hasattr(self.resource, self.has) else None

    def clean_name(self):
        name = clean_name(self.cleaned_data.get("name"), self.what)
        existing = self.read_or(lambda: self.listed(self.request.user, client=self.client), ())
        unique(name, existing, getattr(self.current, "id", ""), f"an {self.what}")  # the cloud checks again
        return name


class AlertPolicyForm(PolicyForm):
    """Create (``resource``: the account's alert policies) or edit (an ``AlertPolicyDefinition``)."""

    what, has, listed = "alert policy", "triggers", staticmethod(selectors.alert_policies)
    recipients = forms.CharField(
        label="E-mail recipients",
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Who is e-mailed when it fires: addresses separated by commas or new lines.",
    )
    cpu_threshold = _threshold_field("CPU")
    cpu_duration = _duration_field("CPU")
    memory_threshold = _threshold_field("Memory")
    memory_duration = _duration_field("Memory")
    disk_threshold = _threshold_field("Disk")
    disk_duration = _duration_field("Disk")

    def _current_values(self) -> dict:
        p = self.current
        values = {"name": p.name, "recipients": ", ".join(p.recipients)}
        for metric in ALERT_METRICS:
            t = p.trigger(metric)
            values[f"{metric}_threshold"] = f"{t.threshold:g}" if t else ""
            values[f"{metric}_duration"] = t.duration if t else ALERT_DURATIONS[0]
        return values

    def setup(self):
        if self.current is None:
            return
        if not self.is_bound:
            self.initial.update(self._current_values())
        elif not isinstance(self.data, QueryDict):  # the API: what it leaves out stays as it is
            sent = {k.lower() for k in self.data}
            self.data = {**{k: v for k, v in self._current_values().items() if k not in sent}, **self.data}

    def clean_recipients(self):
        raw = self.data.get("recipients") if not isinstance(self.data, QueryDict) else None
        parts = (
            raw
            if isinstance(raw, list | tuple)
            else str(self.cleaned_data.get("recipients") or "")
            .replace("\n", ",")
            .replace(";", ",")
            .split(",")
        )
        out = []
        for part in parts:
            address = str(part).strip()
            if not address:
                continue
            try:
                validate_email(address)
            except forms.ValidationError:
                raise forms.ValidationError(f"“{address[:80]}” is not an e-mail address.") from None
            if address.lower() not in (a.lower() for a in out):
                out.append(address)
        if not out:
            raise forms.ValidationError(
                "Give at least one e-mail address to notify (the only action alert policies have)."
            )
        if len(out) > MAX_RECIPIENTS:
            raise forms.ValidationError(f"At most {MAX_RECIPIENTS} recipients.")
        return out

    def clean(self):
        data = super().clean()
        triggers = []
        for metric in ALERT_METRICS:
            label = METRIC_LABELS[metric]
            threshold = duration = None
            try:
                threshold = threshold_of(self.data.get(f"{metric}_threshold"), label)
            except forms.ValidationError as exc:
                self.add_error(f"{metric}_threshold", exc)
            try:
                duration = duration_of(self.data.get(f"{metric}_duration"), label)
            except forms.ValidationError as exc:
                self.add_error(f"{metric}_duration", exc)
            if threshold is not None and duration:
                triggers.append(AlertTrigger(metric, duration, threshold))
        if not triggers and not self.errors:
            self.add_error(
                None,
                "Set at least one threshold (CPU, memory or disk): a policy without a trigger never fires.",
            )
        self.triggers = tuple(triggers)
        return data

    def payload(self) -> dict:
        return {
            "name": self.cleaned_data["name"],
            "recipients": self.cleaned_data["recipients"],
            "triggers": self.triggers,
        }


class AntiAffinityPolicyForm(PolicyForm):
    """Create (``resource``: a data center's ``DataCenterAntiAffinity``) or rename (a policy)."""

    what, has, listed = "anti-affinity policy", "location", staticmethod(selectors.anti_affinity_policies)

    def setup(self):
        if self.current is not None and not self.is_bound:
            self.initial["name"] = self.current.name
