"""Recipes: who may do what, the launch (one upstream create per idempotency key), audit.

``launch(request, recipe, name, key)`` is shared by the page and the API. The recipe fixes every
field of the create-server call; the request only names the server. The password is generated here
(strong, never shown; the person reads it from the server's credentials later). Launches are
ordinary ``createServer`` activities, run through ``apps.actions.services.perform`` (one upstream
call per key, error mapping, audit of ``server.createServer``); a ``recipe.launch`` audit entry
ties the launch to its recipe.
"""

import logging
import re
import secrets
import string
from dataclasses import dataclass
from datetime import UTC, timedelta

from django.utils import timezone

from apps.accounts.services import client_for_request
from apps.actions import idempotency
from apps.actions.services import Outcome, perform
from apps.activities.models import Activity
from apps.audit.models import AuditEntry
from apps.audit.services import record
from apps.clc import servers as clc_servers

from .models import CREATE_ROLES, Recipe

log = logging.getLogger(__name__)

NAME_RE = re.compile(r"^[A-Za-z0-9-]+$")
MAX_KEY = 200
PASSWORD_LENGTH = 20
SYMBOLS = "!@#$%^*-_=+"
MAX_ID = 2**63 - 1


class Refused(Exception):
    """A launch (or an admin action) refused before anything is sent: ``status`` + ``message``."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status
        self.message = message


@dataclass
class LaunchResult:
    outcome: Outcome
    server_id: str
    activity: object = None
    ttl: str | None = None  # when the cloud deletes the server (the ``ttl`` sent upstream), or None


# --- who may do what ---------------------------------------------------------------------------
def is_admin(user) -> bool:
    return "AccountAdmin" in (getattr(user, "roles", None) or ())


def may_create_servers(user) -> bool:
    return bool(set(getattr(user, "roles", None) or ()) & set(CREATE_ROLES))


def allows(recipe: Recipe, user) -> bool:
    """The recipe's audience includes this person (their roles or their name)."""
    roles = set(getattr(user, "roles", None) or ())
    if roles & set(recipe.allowed_roles or ()):
        return True
    name = (getattr(user, "cloud_username", "") or "").lower()
    return bool(name) and name in {u.lower() for u in recipe.allowed_users or ()}


def may_launch(recipe: Recipe, user) -> bool:
    return may_create_servers(user) and allows(recipe, user)


def why_not(recipe: Recipe, user) -> str | None:
    if not may_create_servers(user):
        return "Your roles may not create servers (AccountAdmin, ServerAdmin or ServerOperator needed)."
    if not allows(recipe, user):
        return "This recipe is not offered to you: ask an account admin to add your role or your name."
    return None


def visible_recipes(user):
    """The recipes of the person's account (another account's are never visible)."""
    return Recipe.objects.filter(account_alias=(getattr(user, "account_alias", "") or "").upper())


def recipe_for(user, recipe_id) -> Recipe | None:
    try:
        recipe_id = int(recipe_id)
    except (TypeError, ValueError):
        return None
    if not 0 < recipe_id <= MAX_ID:
        return None
    return visible_recipes(user).filter(pk=recipe_id).first()


# --- names, passwords, the spec ------------------------------------------------------------------
def name_limit(alias: str) -> int:
    return max(1, min(8, 10 - len(alias or "")))


def name_problem(alias: str, name) -> str | None:
    """Why the cloud would refuse this server name (documented rules), or None."""
    if not isinstance(name, str) or not name.strip():
        return "A name is required."
    name = name.strip()
    limit = name_limit(alias)
    if not NAME_RE.match(name):
        return "Use only letters, digits and dashes in the name."
    if len(name) > limit:
        return (
            f"At most {limit} characters for account {alias} (alias + name ≤ 10); “{name}” has {len(name)}."
        )
    return None


def generate_password(length: int = PASSWORD_LENGTH) -> str:
    """Upper, lower, digit and symbol, each at least once; from ``secrets``."""
    pools = [string.ascii_uppercase, string.ascii_lowercase, string.digits, SYMBOLS]
    chars = [secrets.choice(pool) for pool in pools]
    everything = "".join(pools)
    chars += [secrets.choice(everything) for _ in range(length - len(chars))]
    secrets.SystemRandom().shuffle(chars)
    return "".join(chars)


def ttl_timestamp(hours: int, now=None) -> str:
    moment = (now or timezone.now()) + timedelta(hours=hours)
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def spec_for(recipe: Recipe, name: str, *, now=None) -> dict:
    """The POST /v2/servers/{alias} body: the recipe's fields, the name and a fresh password."""
    spec = {
        "name": name,
        "description": recipe.description,
        "groupId": recipe.group_id,
        "sourceServerId": recipe.template,
        "cpu": recipe.cpu,
        "memoryGB": recipe.memory_gb,
        "type": "standard",
        "storageType": recipe.storage_type,
        "password": generate_password(),
    }
    if recipe.network_id:
        spec["networkId"] = recipe.network_id
    if recipe.ttl_hours:
        spec["ttl"] = ttl_timestamp(recipe.ttl_hours, now)
    return spec


# --- audit ---------------------------------------------------------------------------------------
def audit(request, action: str, recipe_id, result: str, detail=None) -> None:
    """One ``recipe.<action>`` entry (``apps.audit.services.record``, which never raises)."""
    record(
        request=request,
        action=f"recipe.{action}",
        target_type="recipe",
        target_id=str(recipe_id or ""),
        result=result,
        detail=detail or {},
    )


# --- launch --------------------------------------------------------------------------------------
def check_key(raw) -> str | None:
    """An Idempotency-Key header / form key: None when absent; Refused(400) when unusable."""
    if raw is None or raw == "":
        return None
    if not isinstance(raw, str) or len(raw) > MAX_KEY or not raw.isprintable() or not raw.strip():
        raise Refused(400, f"The idempotency key must be 1 to {MAX_KEY} printable characters.")
    return raw.strip()


def launch(request, recipe: Recipe, name, key: str | None) -> LaunchResult:
    """Create one server from the recipe (at most once per key). Raises ``Refused`` (403 / 400)
    before anything is sent; upstream refusals come back as an error ``Outcome``."""
    user = request.user
    alias = (user.account_alias or "").upper()
    reason = why_not(recipe, user)
    if reason:
        audit(request, "launch", recipe.pk, "denied", {"recipe": recipe.name, "message": reason})
        raise Refused(403, reason)
    problem = name_problem(alias, name)
    if problem:
        raise Refused(400, problem)
    name = name.strip()
    client = client_for_request(request)
    spec = spec_for(recipe, name)
    dc = recipe.datacenter.upper()
    outcome = perform(
        request,
        "createServer",
        "server",
        f"{dc}:{name.upper()}",
        lambda: clc_servers.with_server_id(client, clc_servers.create_server(client, spec)),
        key=key,
        label=f"Create server {name.upper()} from recipe {recipe.name}",
        resource_ids=[name.upper()],
    )
    activity = None
    if outcome.activity_ids:
        activity = Activity.objects.filter(pk=outcome.activity_ids[0]).first()
    server_id = activity.resource_ids[0] if activity and activity.resource_ids else name.upper()
    ttl = spec.get("ttl") if outcome.ok else None
    if outcome.replayed:
        ttl = _first_ttl(user, recipe, outcome.activity_ids)
    else:
        result = "success" if outcome.ok else ("denied" if outcome.status == 403 else "failure")
        detail = {"recipe": recipe.name, "server": server_id, "outcome": outcome.kind}
        if outcome.activity_ids:
            detail["activities"] = list(outcome.activity_ids)
        if ttl:
            detail["ttl"] = ttl
        if outcome.message and not outcome.ok:
            detail["message"] = outcome.message
        audit(request, "launch", recipe.pk, result, detail)
    return LaunchResult(outcome, server_id, activity, ttl)


def _first_ttl(user, recipe: Recipe, activity_ids) -> str | None:
    """A replayed launch sends nothing: its ``ttl`` is the one the first launch sent (its audit entry)."""
    if not activity_ids:
        return None
    entries = AuditEntry.objects.filter(
        user_id=user.pk, action="recipe.launch", target_id=str(recipe.pk), result="success"
    ).values_list("detail", flat=True)[:50]
    for detail in entries:
        if isinstance(detail, dict) and set(detail.get("activities") or ()) & set(activity_ids):
            return detail.get("ttl")
    return None


new_key = idempotency.new_key
