"""DRF authentication with a personal token: ``Authorization: Bearer clcp_…`` (or ``Token clcp_…``).

The request acts as the token's owner, with the owner's stored cloud token behind it, so the cloud's
roles still decide. Unknown, revoked or expired personal token -> 401 ``{"message"}``. The owner's cloud
token expired or invalid -> 401 ``{"message", "login"}`` telling them to sign in to the portal again
(the personal token itself stays valid and works again after that sign-in). Values are never logged.
The bodies are shaped by the API's exception handler (``apps.accounts.api_errors``).
"""

from django.urls import reverse
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header

from apps.accounts.middleware import CLOUD_EXPIRED_MESSAGE, INVALID_TOKEN_MESSAGE
from apps.accounts.services import CloudSessionExpired, cloud_client_for

from . import services

KEYWORDS = ("bearer", "token")
__all__ = ["CLOUD_EXPIRED_MESSAGE", "INVALID_TOKEN_MESSAGE", "PersonalTokenAuthentication", "TokenRefused"]


class TokenRefused(exceptions.AuthenticationFailed):
    """A refused personal token: 401 ``{"message"}`` (like every other API error)."""


class CloudSessionExpiredForToken(exceptions.AuthenticationFailed):
    default_detail = CLOUD_EXPIRED_MESSAGE
    default_code = "cloud_session_expired"

    def __init__(self):
        super().__init__()
        self.detail = {"message": CLOUD_EXPIRED_MESSAGE, "login": reverse("login")}


class PersonalTokenAuthentication(BaseAuthentication):
    www_authenticate_realm = "api"

    def authenticate(self, request):
        parts = get_authorization_header(request).split()
        if not parts or parts[0].lower().decode(errors="replace") not in KEYWORDS:
            return None
        if len(parts) != 2:
            raise TokenRefused("Invalid Authorization header: use 'Bearer <token>'.")
        try:
            value = parts[1].decode("ascii")
        except UnicodeDecodeError:
            raise TokenRefused("Invalid token.") from None
        if not value.startswith(services.PREFIX):
            return None  # someone else's bearer scheme: let the other authenticators decide
        token = services.find_active(value)
        if token is None:
            raise TokenRefused(INVALID_TOKEN_MESSAGE)
        user = token.user
        try:
            # Checked here (not only where a view calls the cloud) so every endpoint answers the same
            # 401; memoised like apps.accounts.services.client_for_request.
            request._clc_client = cloud_client_for(user)
        except CloudSessionExpired:
            raise CloudSessionExpiredForToken() from None
        services.touch(token)
        return user, token

    def authenticate_header(self, request):
        return f'Bearer realm="{self.www_authenticate_realm}"'
