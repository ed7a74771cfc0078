"""GET /v2/accounts/{alias}/customFields, and the validation of custom field values.

``resolve_custom_fields`` turns the ``[{id, value}]`` pairs a client sends (create group, set
group custom fields; servers may use it too) into the stored ``[{id, name, value, displayValue}]``,
checking ids against the account's definitions, option values, checkboxes and required fields.
"""

from .. import errors
from ..router import route

MAX_VALUE_LENGTH = 1000


@route("GET", "/v2/accounts/{alias}/customFields")
def list_custom_fields(req, alias):
    # Account metadata: every role of the account may read it (the portal needs it for forms).
    account = req.world.account(alias)
    return [
        {
            "id": f["id"],
            "name": f["name"],
            "isRequired": bool(f.get("isRequired", False)),
            "type": f.get("type", "text"),
            "options": [dict(o) for o in f.get("options", [])],
        }
        for f in account.custom_fields
    ]


def _display(definition: dict, raw) -> tuple[str, str]:
    kind = definition.get("type", "text")
    name = definition["name"]
    if kind == "checkbox":
        if isinstance(raw, bool):
            value = "true" if raw else "false"
        elif isinstance(raw, str) and raw.strip().lower() in ("true", "false"):
            value = raw.strip().lower()
        else:
            raise errors.bad_request(f"The value of custom field '{name}' must be true or false.")
        return value, value
    if isinstance(raw, bool) or not isinstance(raw, str | int | float):
        raise errors.bad_request(f"The value of custom field '{name}' must be a string.")
    text = str(raw)
    if len(text) > MAX_VALUE_LENGTH:
        raise errors.bad_request(
            f"The value of custom field '{name}' must be at most {MAX_VALUE_LENGTH} characters."
        )
    if kind == "option":
        for option in definition.get("options", []):
            if text.lower() in (str(option.get("value", "")).lower(), str(option.get("name", "")).lower()):
                return str(option.get("value", "")), str(option.get("name", ""))
        allowed = ", ".join(str(o.get("value", "")) for o in definition.get("options", []))
        raise errors.bad_request(f"The value of custom field '{name}' must be one of: {allowed}.")
    return text, text


def resolve_custom_fields(req, account, pairs) -> list[dict]:
    """Validate ``[{id, value}]`` against the account's definitions (the complete list, per the doc)."""
    if pairs is None:
        pairs = []
    if not isinstance(pairs, list):
        raise errors.bad_request("The request is invalid: customFields must be a list of {id, value}.")
    definitions = {f["id"].lower(): f for f in account.custom_fields}
    resolved: dict[str, dict] = {}
    for pair in pairs:
        if not isinstance(pair, dict):
            raise errors.bad_request("The request is invalid: customFields must be a list of {id, value}.")
        field_id = req.field(pair, "id")
        if not isinstance(field_id, str) or field_id.lower() not in definitions:
            raise errors.bad_request(f"The custom field '{field_id}' is not defined for this account.")
        definition = definitions[field_id.lower()]
        raw = req.field(pair, "value")
        if raw is None or (isinstance(raw, str) and raw == ""):
            continue  # leaving a field out (or empty) unsets it
        value, display = _display(definition, raw)
        resolved[definition["id"]] = {
            "id": definition["id"],
            "name": definition["name"],
            "value": value,
            "displayValue": display,
        }
    for definition in account.custom_fields:
        if definition.get("isRequired") and definition["id"] not in resolved:
            raise errors.bad_request(f"The custom field '{definition['name']}' is required.")
    order = [f["id"] for f in account.custom_fields]
    return [resolved[i] for i in order if i in resolved]


# --- test aid: the account's definitions -----------------------------------------------------------
@route("POST", "/control/custom-fields", auth=False)
def define_custom_fields(req):
    """``{"alias": "DEMO", "fields": [{id, name, type, isRequired, options}]}`` replaces the account's
    definitions (tests and demos of required, checkbox and option fields; not part of the API).
    Values already set on servers and groups are kept as they are."""
    body = req.json_object()
    alias = req.field(body, "alias")
    account = req.world.accounts.get(alias.upper()) if isinstance(alias, str) else None
    if account is None:
        raise errors.bad_request("alias must name an account.")
    fields = req.field(body, "fields")
    if not isinstance(fields, list):
        raise errors.bad_request("fields must be a list of custom field definitions.")
    account.custom_fields = [_definition(req, item) for item in fields]
    return [dict(f) for f in account.custom_fields]


def _definition(req, item) -> dict:
    if not isinstance(item, dict):
        raise errors.bad_request("Each custom field must be an object.")
    field_id, name = req.field(item, "id"), req.field(item, "name")
    if not isinstance(field_id, str) or not field_id.strip() or not isinstance(name, str) or not name.strip():
        raise errors.bad_request("Each custom field needs an id and a name.")
    kind = req.field(item, "type", "text")
    if kind not in ("text", "checkbox", "option"):
        raise errors.bad_request("type must be text, checkbox or option.")
    options = req.field(item, "options") or []
    if kind == "option" and (
        not isinstance(options, list)
        or not options
        or not all(isinstance(o, dict) and o.get("name") and o.get("value") for o in options)
    ):
        raise errors.bad_request("An option field needs options [{name, value}].")
    return {
        "id": field_id.strip(),
        "name": name.strip(),
        "isRequired": bool(req.field(item, "isRequired", False)),
        "type": kind,
        "options": [{"name": str(o["name"]), "value": str(o["value"])} for o in options]
        if kind == "option"
        else [],
    }
