"""The base of every action's form (``registry.Action.form``).

A form gets the loaded resource (``resource``) and the request (``request``: for reads it needs,
through selectors). Pages bind it to ``request.POST``, the API to the JSON body, so one form
validates both. A form whose fields name one item of the resource (a snapshot, an address) lists
them in ``selects``: the page's GET preselects them from the query string, and the confirmation
question's ``{target}`` is ``target_label()`` of the first.
"""

from django import forms


class ActionForm(forms.Form):
    selects: tuple[str, ...] = ()

    def __init__(self, data=None, *, resource=None, request=None, **kwargs):
        self.resource = resource
        self.request = request
        super().__init__(data, **kwargs)
        self.setup()

    def setup(self):
        """Set choices and initial values from the resource."""

    def target_label(self, value: str) -> str:
        return value

    def payload(self) -> dict:
        """What the action's call gets as ``run.data`` (default: the cleaned data)."""
        return dict(self.cleaned_data)
