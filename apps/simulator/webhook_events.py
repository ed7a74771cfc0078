"""Webhook events: the payloads of the Webhooks FAQ and one emit helper per kind of change.

Call these where a change *takes effect* (an operation's effect, an immediate PATCH), whoever caused
it (an API call, a schedule, autoscale, a ttl expiry):

- ``server_created(world, server)``: a server build completed (``createServer`` effect).
- ``server_updated(world, server)``: anything the FAQ lists under "server changes" happened: archive,
  restore, disks, CPU, memory, group, description, custom fields, public IPs added/changed/removed,
  power on/off/shutdown/pause, maintenance on/off.
- ``server_deleted(world, server)``: the server is gone (``factory.remove_server``, so deleting a
  server and deleting its group both announce it).
- ``account_changed(world, event, alias)`` and ``user_changed(world, event, user)``: the simulator has
  no call that creates, changes or deletes accounts or users, so nothing calls them except
  ``POST /control/webhooks/emit`` (tests); they exist so such a call emits the documented payload.
- ``Alert.Notification`` is emitted by the alert policies (FAQ payload: accountAlias, serverName,
  triggers) with ``world.emit`` directly; delivery treats every event alike.

Payloads are the FAQ's, built from what ``GET`` shows at the moment of the change (the world's clock
is frozen at that moment while an effect runs). Server payloads also carry ``accountAlias`` (the
FAQ's note on deletions implies it). A deleted server's payload holds only ``accountAlias`` and
``name``, as the FAQ says. ``webhook_delivery`` adds ``event``, ``eventId`` and ``eventTime`` to every
body it sends (see docs/simulator.md, "Webhooks").
"""

from .state import World

# Deliveries are not a user's view: links carry every verb, as for an account administrator.
_PAYLOAD_ROLES = ("AccountAdmin",)


# --- payloads --------------------------------------------------------------------------------
def server_payload(world: World, server) -> dict:
    from .serializers_server import server_json  # it imports factory, which imports this module

    body = server_json(world, server, _PAYLOAD_ROLES)
    body["accountAlias"] = server.alias.upper()
    return body


def deleted_server_payload(server) -> dict:
    return {"accountAlias": server.alias.upper(), "name": server.name}


def account_payload(world: World, alias: str, *, status: str = "Active") -> dict:
    from .routes.server_extras import account_json

    account = world.account(alias)
    body = account_json(world, account)
    code = account.alias.upper()
    parent = getattr(account, "parent_alias", None)  # the simulator has no sub-accounts (yet)
    links = [{"rel": "self", "href": f"/v2/accounts/{code}"}]
    if parent:
        links.append({"rel": "parentAccount", "href": f"/v2/accounts/{parent.upper()}"})
    body.update({"status": status, "parentAlias": parent, "links": links})
    return body


def user_payload(user, *, status: str = "Active") -> dict:
    """The simulator's users have only a name, an account and roles: the rest is made up from them."""
    alias = user.alias.upper()
    return {
        "uri": f"/v2/users/{user.username}",
        "accountUri": f"/v2/accounts/{alias}",
        "accountAlias": alias,
        "userName": user.username,
        "emailAddress": f"{user.username.lower()}@{alias.lower()}.example.com",
        "firstName": user.username.capitalize(),
        "lastName": "User",
        "status": status,
    }


# --- emit helpers (one call per change point) ------------------------------------------------
def server_created(world: World, server) -> None:
    world.emit("Server.Created", server.alias, server_payload(world, server))


def server_updated(world: World, server) -> None:
    world.emit("Server.Updated", server.alias, server_payload(world, server))


def server_deleted(world: World, server) -> None:
    world.emit("Server.Deleted", server.alias, deleted_server_payload(server))


def account_changed(world: World, event: str, alias: str) -> None:
    """``Account.Created`` / ``Account.Updated`` / ``Account.Deleted`` (status ``Deleted``)."""
    status = "Deleted" if event == "Account.Deleted" else "Active"
    world.emit(event, alias, account_payload(world, alias, status=status))


def user_changed(world: World, event: str, user) -> None:
    """``User.Created`` / ``User.Updated`` / ``User.Deleted`` (status ``Deleted``, as a recorded real
    delivery showed)."""
    status = "Deleted" if event == "User.Deleted" else "Active"
    world.emit(event, user.alias, user_payload(user, status=status))
