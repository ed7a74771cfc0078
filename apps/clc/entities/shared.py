"""What several entities share: lenient parsing of upstream values, change info, custom fields."""

from dataclasses import dataclass, fields
from datetime import datetime
from functools import cache
from typing import Any


def parse_time(value: Any) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None


def as_float(value: Any, default: float = 0) -> float:
    """``value`` as a float; ``default`` when it is missing or not a number."""
    try:
        return float(value)
    except (TypeError, ValueError):
        return default


def as_int(value: Any, default: int = 0) -> int:
    """``value`` as an int; ``default`` when it is missing or not a number."""
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


def each(parse, items: Any, *args) -> tuple:
    """``parse(item, *args)`` for each object (``dict``) of a list the cloud answered (``None`` and
    anything else in it ignored)."""
    return tuple(parse(item, *args) for item in items or () if isinstance(item, dict))


def as_dict(value: Any) -> dict:
    """``value`` when the cloud answered an object, else ``{}``."""
    return value if isinstance(value, dict) else {}


@dataclass(frozen=True)
class ChangeInfo:
    created_by: str = ""
    created_date: datetime | None = None
    modified_by: str = ""
    modified_date: datetime | None = None

    @classmethod
    def from_api(cls, raw: dict | None) -> "ChangeInfo":
        raw = raw or {}
        return cls(
            created_by=raw.get("createdBy") or "",
            created_date=parse_time(raw.get("createdDate")),
            modified_by=raw.get("modifiedBy") or "",
            modified_date=parse_time(raw.get("modifiedDate")),
        )


@dataclass(frozen=True)
class CustomField:
    id: str
    name: str
    value: Any
    display_value: str

    @classmethod
    def from_api(cls, raw: dict) -> "CustomField":
        return cls(
            id=raw.get("id", ""),
            name=raw.get("name", ""),
            value=raw.get("value"),
            display_value=str(raw.get("displayValue", raw.get("value", "")) or ""),
        )


@cache
def field_names(shape: type) -> tuple[str, ...]:
    """The names of a dataclass's fields, in order."""
    return tuple(f.name for f in fields(shape))


def values_of(shape: type, source: Any) -> dict[str, Any]:
    """``source``'s values of the fields ``shape`` (a dataclass) declares: how a shape that shares
    fields with an entity (a row and ``ServerSummary``) takes them without naming each again."""
    return {name: getattr(source, name) for name in field_names(shape)}
