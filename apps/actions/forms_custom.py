"""Custom field values in a form: one field per definition of the account (``GET
/v2/accounts/{alias}/customFields``), typed as defined, required where the account requires it.

Pages post one input per field (``cf_<field id>``: text, a checkbox, a select) and so always send
the complete list. The API sends ``{"custom_fields": {"<field id or name>": value}}``: fields it
does not name keep their current value; ``""`` or ``null`` unsets one. Either way the action sends
the complete list of ``{"id", "value"}`` pairs the cloud wants (a field left out is unset).
"""

from django import forms
from django.http import QueryDict

from . import selectors

PREFIX = "cf_"
API_KEY = "custom_fields"
MAX_VALUE = 1000


def field_name(definition) -> str:
    return PREFIX + definition.id


def _checkbox(value) -> bool:
    return str(value).strip().lower() in ("true", "1", "yes", "on")


def _form_field(definition, current):
    label = definition.name
    help_text = "Required by your account." if definition.is_required else ""
    if definition.type == "checkbox":
        return forms.BooleanField(
            label=label, required=False, initial=_checkbox(current), help_text=help_text
        )
    common = {
        "label": label,
        "required": definition.is_required,
        "initial": current or "",
        "help_text": help_text,
    }
    required = {"required": f"{label} is required."}
    if definition.type == "option":
        choices = [("", "—")] + [(o.value, o.name) for o in definition.options]
        invalid = {"invalid_choice": f"Pick one of the options of {label}."}
        return forms.ChoiceField(choices=choices, error_messages=required | invalid, **common)
    return forms.CharField(max_length=MAX_VALUE, error_messages=required, **common)


class CustomFieldsMixin:
    """For an ``ActionForm``: ``add_custom_fields(current)`` in ``setup()``; ``custom_field_values()``
    in ``payload()``. ``current``: ``{field id: value}`` set now on the resource."""

    custom_definitions: tuple = ()
    api_extra: tuple[str, ...] = (API_KEY,)

    def add_custom_fields(self, current: dict | None = None) -> None:
        current = {str(k).lower(): v for k, v in (current or {}).items()}
        self.custom_definitions = tuple(selectors.custom_field_definitions(self.request))
        self._unknown_custom = []
        for definition in self.custom_definitions:
            value = current.get(definition.id.lower())
            self.fields[field_name(definition)] = _form_field(definition, value)
        if self.is_bound and not isinstance(self.data, QueryDict):
            self.data = self._flatten_api(self.data, current)

    def _flatten_api(self, data, current: dict) -> dict:
        given = data.get(API_KEY) if isinstance(data, dict) else None
        out = dict(data) if isinstance(data, dict) else {}
        if given is not None and not isinstance(given, dict):
            self._unknown_custom.append(f"{API_KEY} must be an object of field ids (or names) and values.")
            given = {}
        by_key = {}
        for d in self.custom_definitions:
            by_key[d.id.lower()] = d
            by_key.setdefault(d.name.lower(), d)
        values = {d.id: current.get(d.id.lower()) for d in self.custom_definitions}
        for key, value in (given or {}).items():
            definition = by_key.get(str(key).strip().lower())
            if definition is None:
                self._unknown_custom.append(f"'{key}' is not one of the account's custom fields.")
                continue
            values[definition.id] = value
        for definition in self.custom_definitions:
            value = values[definition.id]
            name = field_name(definition)
            if definition.type == "checkbox":
                out[name] = _checkbox(value) if value is not None else False
            elif definition.type == "option" and value not in (None, ""):
                match = next(
                    (
                        o.value
                        for o in definition.options
                        if str(value).lower() in (o.value.lower(), o.name.lower())
                    ),
                    str(value),
                )
                out[name] = match
            else:
                out[name] = "" if value is None else str(value)
        return out

    def clean_custom_fields(self) -> None:
        """Call from ``clean()``: reports what the API named wrongly."""
        for problem in getattr(self, "_unknown_custom", ()):
            self.add_error(None, problem)
        for definition in self.custom_definitions:
            name = field_name(definition)
            value = self.cleaned_data.get(name)
            if definition.type == "text" and isinstance(value, str) and any(ord(ch) < 32 for ch in value):
                self.add_error(name, f"{definition.name} may not contain control characters.")

    def custom_field_values(self) -> list[dict]:
        """``[{"id", "value"}]`` of every field with a value (checkboxes: "true"/"false")."""
        out = []
        for definition in self.custom_definitions:
            value = self.cleaned_data.get(field_name(definition))
            if definition.type == "checkbox":
                out.append({"id": definition.id, "value": "true" if value else "false"})
            elif value not in (None, ""):
                out.append({"id": definition.id, "value": str(value)})
        return out

    def custom_bound_fields(self) -> list:
        """The bound fields of the custom fields, for templates."""
        return [self[field_name(d)] for d in self.custom_definitions]


class CustomFieldValuesMixin(CustomFieldsMixin):
    """The form of an action setting a resource's custom field values (``payload()["values"]``: the
    complete list); ``holder`` names the form's attribute holding the resource (its ``custom_fields``)."""

    holder = ""

    def setup(self):
        held = getattr(getattr(self, self.holder), "custom_fields", ()) or ()
        self.add_custom_fields({f.id: f.value for f in held})

    def clean(self):
        data = super().clean()
        self.clean_custom_fields()
        return data

    def payload(self) -> dict:
        return {"values": self.custom_field_values()}
