"""Request fields checked the same way by several routes; bad input answers 400 ``{"message"}``."""

from . import errors

INVALID = "The request is invalid: "


def boolean(value, name: str, prefix: str = INVALID) -> bool:
    """``true``/``false`` sent as JSON or as text (any case)."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true"
    raise errors.bad_request(f"{prefix}{name} must be true or false.")


def identifier(value, what: str) -> str:
    """A required id: a non-blank string, stripped."""
    if not isinstance(value, str) or not value.strip():
        raise errors.bad_request(f"{INVALID}{what} is required.")
    return value.strip()


def text(value, what: str, limit: int, *, required: bool, allow_empty: bool = False) -> str:
    """A string field, stripped; ``required`` fields must be present (and not blank unless
    ``allow_empty``); at most ``limit`` characters, no control characters."""
    if value is None:
        if required:
            raise errors.bad_request(f"{INVALID}{what} is required.")
        return ""
    if not isinstance(value, str):
        raise errors.bad_request(f"{INVALID}{what} must be a string.")
    value = value.strip()
    if required and not value and not allow_empty:
        raise errors.bad_request(f"{INVALID}{what} is required.")
    if len(value) > limit:
        raise errors.bad_request(f"{INVALID}{what} must be at most {limit} characters.")
    if any(ord(ch) < 32 for ch in value):
        raise errors.bad_request(f"{INVALID}{what} may not contain control characters.")
    return value


def whole_number(value, low: int, high: int, message: str) -> int:
    """An integer (or its digits as text) from ``low`` to ``high``; else 400 with ``message``."""
    if isinstance(value, bool):
        value = None
    try:
        number = int(value) if isinstance(value, int | str) else None
    except ValueError:
        number = None
    if number is None or not low <= number <= high:
        raise errors.bad_request(message)
    return number
