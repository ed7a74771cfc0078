"""Keeps bearer tokens out of every log line, exceptions included."""

import logging
import re

# A JWT-like or long opaque bearer token, and anything after "Bearer ".
_BEARER = re.compile(r"(?i)(bearer\s+|token\s+(?=[A-Za-z0-9._\-+/=]{20,}))[A-Za-z0-9._\-+/=]+")
_PERSONAL_TOKEN = re.compile(r"\bclcp_[A-Za-z0-9_\-]+")
_LONG_TOKEN = re.compile(r"\b[A-Za-z0-9_\-]{20,}\.[A-Za-z0-9_\-]{10,}\.[A-Za-z0-9_\-]{10,}\b")
_FIELD = re.compile(r"(?i)(['\"]?bearerToken['\"]?\s*[:=]\s*['\"]?)[^'\"\s,}]+")

REDACTED = "[redacted]"


def redact(text: str) -> str:
    text = _BEARER.sub(lambda m: m.group(1) + REDACTED, text)
    text = _FIELD.sub(lambda m: m.group(1) + REDACTED, text)
    text = _PERSONAL_TOKEN.sub(REDACTED, text)
    return _LONG_TOKEN.sub(REDACTED, text)


class RedactTokensFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message)
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True
