"""The base of every action's form (``registry.Action.form``).

A form gets the loaded resource (``resource``) and the request (``request``: for reads it needs,
through selectors). Pages bind it to ``request.POST``, the API to the JSON body, so one form
validates both. A form whose fields name one item of the resource (a snapshot, an address) lists
them in ``selects``: the page's GET preselects them from the query string, and the confirmation
question's ``{target}`` is ``target_label()`` of the first.
"""

from functools import cached_property

from django import forms

from apps.accounts.services import client_for_request
from apps.clc import errors


def optional_text(label: str, max_length: int, help_text: str = "", rows: int = 0) -> forms.CharField:
    """A text field that may stay empty (``rows``: a text area of that many rows)."""
    widget = forms.Textarea(attrs={"rows": rows}) if rows else None
    return forms.CharField(
        label=label, max_length=max_length, required=False, help_text=help_text, widget=widget
    )


def anti_affinity_in(policies: dict, wanted: str, dc: str, there: str):
    """The anti-affinity policy ``wanted`` (an id, lower case) of ``policies`` (by id) if it is in the
    data center ``dc``; else the error a person reads: there is none such, or it is in another data
    center (``there`` says where the server is and what to do)."""
    policy = policies.get(wanted)
    if policy is None:
        raise forms.ValidationError(f"There is no anti-affinity policy {wanted[:64]} in your account.")
    if policy.location != dc:
        raise forms.ValidationError(
            f"The anti-affinity policy {policy.name} is in {policy.location}; {there}"
        )
    return policy


class ActionForm(forms.Form):
    selects: tuple[str, ...] = ()

    def __init__(self, data=None, *, resource=None, request=None, **kwargs):
        self.resource = resource
        self.request = request
        super().__init__(data, **kwargs)
        self.setup()

    def setup(self):
        """Set choices and initial values from the resource."""

    @cached_property
    def client(self):
        """The person's client (for the reads the form makes)."""
        return client_for_request(self.request)

    def read_or(self, read, default):
        """``read()``, or ``default`` when the cloud refuses it or has no answer but a sign-in to
        redo or an outage (those are the page's to say): a check the cloud makes again anyway."""
        try:
            return read()
        except errors.ClcError as exc:
            if isinstance(exc, errors.Unauthorized | errors.UpstreamUnavailable):
                raise
            return default

    def target_label(self, value: str) -> str:
        return value

    def payload(self) -> dict:
        """What the action's call gets as ``run.data`` (default: the cleaned data)."""
        return dict(self.cleaned_data)
