"""Error texts quote at most ``MAX_TEXT`` characters of anything: ``apps.api.renderers`` applies
``clip_all`` to every error answer of the API, ``apps.accounts.middleware`` to the messages of
upstream errors. Imports nothing (the renderer is loaded while DRF reads its settings)."""

MAX_TEXT = 300


def clip(text, limit: int = MAX_TEXT) -> str:
    text = str(text)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def clip_all(value):
    if isinstance(value, dict):
        return {key: clip_all(item) for key, item in value.items()}
    if isinstance(value, list):
        return [clip_all(item) for item in value]
    if isinstance(value, str):
        return clip(value)
    return value
