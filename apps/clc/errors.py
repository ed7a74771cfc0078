"""Typed errors of the upstream client.

Messages carry the HTTP method, the path (which never holds a token) and the upstream's
``message``; never a header, never the bearer token.
"""

_BY_STATUS: dict[int, type["ClcError"]] = {}


class ClcError(Exception):
    """Any failure talking to the cloud API. A subclass says its HTTP status (``status=``: the
    answers of that status raise it) and its message when the upstream gives none (``default=``)."""

    status: int | None = None
    default_message = "The cloud API answered with an error."

    def __init_subclass__(cls, *, status: int | None = None, default: str = "", **kwargs):
        super().__init_subclass__(**kwargs)
        if status is not None:
            cls.status = status
            _BY_STATUS[status] = cls
        if default:
            cls.default_message = default

    def __init__(
        self, message: str | None = None, *, status: int | None = None, method: str = "", path: str = ""
    ):
        self.message = message or self.default_message
        if status is not None:
            self.status = status
        self.method = method
        self.path = path
        super().__init__(self.message)

    def __str__(self) -> str:
        where = f" ({self.method} {self.path})" if self.method else ""
        return f"{self.message}{where}"

    def __repr__(self) -> str:
        return f"{type(self).__name__}(status={self.status!r}, message={self.message!r}, path={self.path!r})"


class BadRequest(ClcError, status=400, default="The cloud API rejected the request."):
    """400: the upstream refused the input; ``message`` is the upstream's own text."""


class Unauthorized(ClcError, status=401, default="Your cloud session expired — sign in again."):
    """401: the token is missing, expired or revoked; the person must sign in again."""


class Forbidden(ClcError, status=403, default="You do not have permission to perform this action."):
    """403: the person's roles do not allow this."""


class NotFound(ClcError, status=404, default="The requested resource does not exist."):
    """404: no such resource (or it belongs to another account)."""


class Conflict(ClcError, default="The cloud API could not perform the request."):
    """409 and other 4xx answers the portal does not special-case."""


class UpstreamUnavailable(ClcError, default="The cloud API is unavailable."):
    """5xx, connection refused/reset, or a timeout: the cloud API cannot be reached right now."""


class UpstreamTimeout(UpstreamUnavailable, default="The cloud API did not answer in time."):
    pass


class UnreadableAnswer(UpstreamUnavailable, default="The cloud API sent an unreadable answer."):
    """A success status with a body that is not JSON: the request may well have been carried out."""


def error_for_status(status: int, message: str | None, *, method: str, path: str) -> ClcError:
    cls = _BY_STATUS.get(status)
    if cls is None:
        cls = UpstreamUnavailable if status >= 500 else Conflict
    # A 401's upstream text ("Authorization has been denied") is less useful than ours.
    if cls is Unauthorized:
        message = None
    return cls(message, status=status, method=method, path=path)
