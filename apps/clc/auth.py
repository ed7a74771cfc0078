"""POST /v2/authentication/login."""

from . import errors
from .client import ClcClient
from .entities import LoginResult


def login(username: str, password: str, *, base_url: str | None = None) -> LoginResult:
    """Exchange cloud credentials for a bearer token.

    Raises ``BadRequest`` (with the upstream's message) for wrong credentials and
    ``UpstreamUnavailable`` when the API cannot be reached. Sent exactly once (a POST).
    """
    client = ClcClient(None, base_url=base_url)
    body = client.request(
        "POST",
        "/v2/authentication/login",
        json={"username": username, "password": password},
        authenticated=False,
    )
    if not isinstance(body, dict) or not body.get("bearerToken"):
        raise errors.UpstreamUnavailable(
            "The cloud API sent an unexpected sign-in answer.", method="POST", path="/v2/authentication/login"
        )
    return LoginResult(
        user_name=str(body.get("userName") or username),
        account_alias=str(body.get("accountAlias") or "").upper(),
        location_alias=str(body.get("locationAlias") or "").upper(),
        roles=tuple(str(r) for r in body.get("roles") or ()),
        bearer_token=str(body["bearerToken"]),
    )
