"""POST /v2/authentication/login: JSON or form body, user name in any case."""

from .. import errors
from ..router import route


@route("POST", "/v2/authentication/login", auth=False)
def login(req):
    body = req.json_object()
    username = req.field(body, "username")
    password = req.field(body, "password")
    if not isinstance(username, str) or not isinstance(password, str) or not username:
        raise errors.bad_request("The request is invalid: username and password are required.")
    user = req.world.users.get(username.lower())
    if user is None or user.password != password:
        raise errors.bad_request(errors.BAD_CREDENTIALS_MESSAGE)
    token = req.world.issue_token(user)
    return {
        "userName": user.username,
        "accountAlias": user.alias,
        "locationAlias": user.location,
        "roles": list(user.roles),
        "bearerToken": token.value,
    }
