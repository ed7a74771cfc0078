"""Recording and reading the audit log. Every action taken through the portal calls ``record``.

    from apps.audit.services import record
    record(request=request, action="server.powerOff", target_type="server",
           target_id="WA1DEMOWEB01", result="success", detail={"activity": 42})

``record(*, request=None, user=None, action, target_type, target_id, result, detail="", address=None,
channel=None, username=None, account_alias=None)``
- ``user``: who acted; defaults to ``request.user`` when authenticated (DRF requests too, so a
  personal-token call is recorded as its person). An ``AnonymousUser`` for an act nobody signed in
  made, even on a signed-in person's request (a failed sign-in).
- ``username`` / ``account_alias``: the entry's person and account when no person acted (the name as
  typed at a failed sign-in; the account a refused webhook delivery was for); by default the user's.
- ``action``: a short dotted name, e.g. ``sign_in``, ``sign_out``, ``server.powerOff``,
  ``group.delete``, ``recipe.launch``, ``token.create``.
- ``result``: ``"success"``, ``"failure"`` or ``"denied"`` (``Result``); any short string is kept.
- ``detail``: a message (str) or a JSON-able dict; never put secrets (tokens, passwords) in it.
- A call made with a personal API token gets ``detail["token"]`` = ``"<token name> (clcp_<id>…)"``
  (a str detail becomes ``{"message": ...}`` then).
- ``address``: defaults to ``portal.client_address.client_address(request)``: the peer of the
  connection, or what the proxies listed in ``TRUSTED_PROXIES`` forwarded (never what a client wrote).
- ``channel``: ``api`` for ``/api/...`` paths, ``web`` for other requests, ``system`` without a
  request; given when the act came another way (``webhook``: the cloud's deliveries).
Returns the ``AuditEntry``, or ``None`` if it could not be written: recording never breaks the
action it records (the failure is logged). It runs in a savepoint, so a failed insert does not
poison the caller's transaction. Entries are append-only (see ``models``).

``visible_entries(user)``: an AccountAdmin sees the entries of their account (same alias), anyone
else only their own. ``filter_entries(qs, params)`` applies the page/API filters (``ValueError``
with a message on bad input).
"""

import logging
from datetime import datetime, time, timedelta

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime

from apps.accounts.models import User
from portal.client_address import client_address, parse_ip

from .models import AuditEntry, Result

log = logging.getLogger(__name__)

__all__ = ["Result", "record", "client_address", "visible_entries", "filter_entries", "is_account_admin"]

ADMIN_ROLE = "AccountAdmin"


def _valid_ip(value: str) -> str | None:
    ip = parse_ip(value)
    return str(ip) if ip is not None else None


def _channel(request) -> str:
    if request is None:
        return "system"
    path = getattr(request, "path", "") or ""
    return "api" if path.startswith("/api/") else "web"


def _clip(value, n: int) -> str:
    return str(value if value is not None else "")[:n]


def token_label(request) -> str | None:
    """``"<name> (clcp_<public id>…)"`` when a personal API token authenticated the request (DRF's
    ``request.auth``), else None. Only the public part: the secret is never known here."""
    token = getattr(request, "auth", None) if request is not None else None
    prefix = getattr(token, "display_prefix", None)
    if not prefix:
        return None
    return f"{_clip(getattr(token, 'name', ''), 100)} ({prefix})"


def _with_token(request, detail):
    """The detail with ``token`` naming the personal token that made the call (scripts' actions stay
    traceable to the script, not only to its person)."""
    label = token_label(request)
    if label is None:
        return detail
    if isinstance(detail, str):
        detail = {"message": detail} if detail else {}
    return {**detail, "token": label}


def record(
    *,
    request=None,
    user=None,
    action: str,
    target_type: str,
    target_id: str,
    result: str,
    detail: str | dict = "",
    address: str | None = None,
    channel: str | None = None,
    username: str | None = None,
    account_alias: str | None = None,
):
    """Append one audit entry (see the module docstring). Never raises."""
    try:
        if user is None and request is not None:
            candidate = getattr(request, "user", None)
            if getattr(candidate, "is_authenticated", False):
                user = candidate
        if user is not None and not getattr(user, "is_authenticated", False):
            user = None
        if address is None:
            address = client_address(request)
        else:
            address = _valid_ip(address)
        if not isinstance(detail, (str, dict)):
            detail = str(detail)
        detail = _with_token(request, detail)
        if username is None:
            username = (getattr(user, "cloud_username", "") or getattr(user, "username", "")) if user else ""
        if account_alias is None:
            account_alias = (getattr(user, "account_alias", "") or "") if user else ""
        entry = AuditEntry(
            user=user,
            username=_clip(username, 150),
            account_alias=_clip(account_alias.upper(), 16),
            action=_clip(action, 64),
            target_type=_clip(target_type, 32),
            target_id=_clip(target_id, 200),
            result=_clip(result, 16),
            detail=detail,
            address=address,
            channel=_clip(channel, 16) if channel else _channel(request),
        )
        with transaction.atomic():
            entry.save()
        return entry
    except Exception:
        log.exception("could not record the audit entry %s %s:%s", action, target_type, target_id)
        return None


def record_failed_sign_in(request, username: str, reason: str = "", result: str = Result.FAILURE):
    """A failed sign-in (``denied``: refused by the sign-in throttle before the cloud was asked): no
    person acted; attributed to the account of the unique local match."""
    name = (username or "").strip()
    try:
        matches = list(
            User.objects.filter(cloud_username__iexact=name).values_list("account_alias", flat=True)[:2]
        )
    except Exception:
        log.exception("could not record a failed sign-in")
        return None
    return record(
        request=request,
        user=AnonymousUser(),
        username=name,
        account_alias=(matches[0] or "") if len(matches) == 1 else "",
        action="sign_in",
        target_type="user",
        target_id=name,
        result=result,
        detail=reason or "",
    )


# --- reading ------------------------------------------------------------------------------------


def is_account_admin(user) -> bool:
    return ADMIN_ROLE in (getattr(user, "roles", None) or ())


def visible_entries(user):
    """AccountAdmin: the account's entries (same alias); anyone else: their own."""
    qs = AuditEntry.objects.select_related(None)
    alias = (getattr(user, "account_alias", "") or "").upper()
    if is_account_admin(user) and alias:
        return qs.filter(account_alias=alias)
    return qs.filter(user_id=user.pk)


def _moment(value: str, *, end: bool):
    value = value.strip()
    parsed = None
    try:
        parsed = parse_datetime(value)
    except ValueError:
        parsed = None
    if parsed is None:
        try:
            day = parse_date(value)
        except ValueError:
            day = None
        if day is None:
            raise ValueError(f"{value!r} is not a date (YYYY-MM-DD) or an ISO date-time.")
        parsed = datetime.combine(day + timedelta(days=1) if end else day, time.min)
    if timezone.is_naive(parsed):
        parsed = timezone.make_aware(parsed, timezone.get_current_timezone())
    return parsed


def _named(name: str, value: str, *, end: bool):
    try:
        return _moment(value, end=end)
    except ValueError as exc:
        raise ValueError(f"{name}: {exc}")


FILTERS = ("person", "action", "target", "result", "since", "until")


def filter_entries(qs, params):
    """Filters: person (user name), action, target (type or id; ``server:WA1X`` for both),
    result, since / until (date or ISO date-time; ``until`` as a date includes that day)."""
    for key in FILTERS:
        value = params.get(key) or ""
        if "\x00" in value or len(value) > 200:
            raise ValueError(f"{key}: too long or invalid.")
    person = (params.get("person") or "").strip()
    if person:
        qs = qs.filter(username__iexact=person)
    action = (params.get("action") or "").strip()
    if action:
        qs = (
            qs.filter(action__iexact=action)
            if "." in action or "_" in action
            else qs.filter(action__istartswith=action)
        )
    target = (params.get("target") or "").strip()
    if target:
        if ":" in target:
            ttype, tid = target.split(":", 1)
            qs = qs.filter(target_type__iexact=ttype.strip())
            if tid.strip():
                qs = qs.filter(target_id__iexact=tid.strip())
        else:
            from django.db.models import Q

            qs = qs.filter(Q(target_id__icontains=target) | Q(target_type__iexact=target))
    result = (params.get("result") or "").strip()
    if result:
        qs = qs.filter(result__iexact=result)
    since = (params.get("since") or "").strip()
    if since:
        qs = qs.filter(at__gte=_named("since", since, end=False))
    until = (params.get("until") or "").strip()
    if until:
        moment = _named("until", until, end=True)
        qs = qs.filter(at__lt=moment) if parse_date_safe(until) else qs.filter(at__lte=moment)
    return qs


def parse_date_safe(value: str):
    try:
        return parse_date(value.strip())
    except ValueError:
        return None


def retention_cutoff(now=None):
    days = int(getattr(settings, "AUDIT_RETENTION_DAYS", 365))
    return (now or timezone.now()) - timedelta(days=days)


def prune(now=None) -> int:
    """Delete entries older than ``AUDIT_RETENTION_DAYS``: the only deletion path."""
    from django.db import connection

    cutoff = retention_cutoff(now)
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT set_config('audit.allow_prune', 'on', true)")
        deleted = AuditEntry.objects.filter(at__lt=cutoff)._prune_delete()
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT set_config('audit.allow_prune', 'off', true)")
    return deleted
