"""The account's custom field definitions: ``GET /v2/accounts/{alias}/customFields``.

Each definition says its type (``text``: free text, ``checkbox``: true/false, ``option``: one of
``options``) and whether a value is required. Setting values on a server or a group sends the
complete list of ``{"id", "value"}`` pairs (``servers.set_custom_fields``,
``groups.set_custom_fields``): a field left out is unset, a required one may not be left out.
"""

from dataclasses import dataclass

from .client import ClcClient
from .entities import each

TYPES = ("text", "checkbox", "option")


@dataclass(frozen=True)
class CustomFieldOption:
    name: str  # shown to people ("Production")
    value: str  # stored ("prod")


@dataclass(frozen=True)
class CustomFieldDefinition:
    id: str
    name: str
    type: str  # "text" | "checkbox" | "option"
    is_required: bool = False
    options: tuple[CustomFieldOption, ...] = ()

    @classmethod
    def from_api(cls, raw: dict) -> "CustomFieldDefinition":
        kind = str(raw.get("type") or "text").lower()
        return cls(
            id=str(raw.get("id") or ""),
            name=str(raw.get("name") or raw.get("id") or ""),
            type=kind if kind in TYPES else "text",
            is_required=bool(raw.get("isRequired")),
            options=each(
                lambda o: CustomFieldOption(
                    name=str(o.get("name") or o.get("value") or ""), value=str(o.get("value") or "")
                ),
                raw.get("options"),
            ),
        )


def get_custom_fields(client: ClcClient) -> list[CustomFieldDefinition]:
    """The account's definitions, in the account's order (any role of the account may read them)."""
    body = client.get("/v2/accounts/{alias}/customFields") or ()
    return [
        CustomFieldDefinition.from_api(item) for item in body if isinstance(item, dict) and item.get("id")
    ]
