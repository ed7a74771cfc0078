"""Errors the simulated API answers with, always as ``{"message": ...}`` bodies."""

NOT_FOUND_MESSAGE = "The requested resource does not exist."
BAD_CREDENTIALS_MESSAGE = "We didn't recognize the username or password you entered. Please try again."
UNAUTHORIZED_MESSAGE = "Authorization has been denied for this request."
FORBIDDEN_MESSAGE = "You do not have permission to perform this action."


class ApiError(Exception):
    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status
        self.message = message


def bad_request(message: str) -> ApiError:
    return ApiError(400, message)


def not_found(message: str = NOT_FOUND_MESSAGE) -> ApiError:
    return ApiError(404, message)


def found(value, message: str = NOT_FOUND_MESSAGE):
    """``value``, or a 404 when there is none (``None``)."""
    if value is None:
        raise not_found(message)
    return value


def forbidden(message: str = FORBIDDEN_MESSAGE) -> ApiError:
    return ApiError(403, message)


def unauthorized() -> ApiError:
    return ApiError(401, UNAUTHORIZED_MESSAGE)
