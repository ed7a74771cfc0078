"""Typed errors of the upstream client.

Messages carry the HTTP method, the path (which never holds a token) and the upstream's
``message``; never a header, never the bearer token.
"""


class ClcError(Exception):
    """Any failure talking to the cloud API."""

    status: int | None = None
    default_message = "The cloud API answered with an error."

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


class BadRequest(ClcError):
    """400: the upstream refused the input; ``message`` is the upstream's own text."""

    status = 400
    default_message = "The cloud API rejected the request."


class Unauthorized(ClcError):
    """401: the token is missing, expired or revoked; the person must sign in again."""

    status = 401
    default_message = "Your cloud session expired — sign in again."


class Forbidden(ClcError):
    """403: the person's roles do not allow this."""

    status = 403
    default_message = "You do not have permission to perform this action."


class NotFound(ClcError):
    """404: no such resource (or it belongs to another account)."""

    status = 404
    default_message = "The requested resource does not exist."


class Conflict(ClcError):
    """409 and other 4xx answers the portal does not special-case."""

    default_message = "The cloud API could not perform the request."


class UpstreamUnavailable(ClcError):
    """5xx, connection refused/reset, or a timeout: the cloud API cannot be reached right now."""

    default_message = "The cloud API is unavailable."


class UpstreamTimeout(UpstreamUnavailable):
    default_message = "The cloud API did not answer in time."


class UnreadableAnswer(UpstreamUnavailable):
    """A success status with a body that is not JSON: the request may well have been carried out."""

    default_message = "The cloud API sent an unreadable answer."


def error_for_status(status: int, message: str | None, *, method: str, path: str) -> ClcError:
    cls = {400: BadRequest, 401: Unauthorized, 403: Forbidden, 404: NotFound}.get(status)
    if cls is None:
        cls = UpstreamUnavailable if status >= 500 else Conflict
    # A 401's upstream text ("Authorization has been denied") is less useful than ours.
    if cls is Unauthorized:
        message = None
    return cls(message, status=status, method=method, path=path)
