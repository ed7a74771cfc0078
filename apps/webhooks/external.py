"""What a delivery says about a change, for people: who made it and what it was (as far as the
payload tells), and whether the portal started it (then it is that tracked activity's, not an
external one).

The payloads carry no operation id (Webhooks FAQ). A server change is the portal's when one of its
activities on that server is running or ended within ``WINDOW`` (a new server: its name; a group
operation: its group, or its person making the change); otherwise it happened elsewhere (another
client, the Control Portal, the cloud itself) and becomes an external activity.
"""

from datetime import timedelta

from django.db.models import Q
from django.utils import timezone

from apps.activities.models import Activity, Origin

WINDOW = timedelta(seconds=120)


def _text(value, limit: int = 80) -> str:
    return str(value if value is not None else "")[:limit]


def server_snapshot(payload: dict) -> dict:
    """The parts of a server people notice, to compare with its next change."""
    details = payload.get("details") if isinstance(payload.get("details"), dict) else {}
    ips = []
    for item in details.get("ipAddresses") or ():
        if isinstance(item, dict):
            ips += [str(v) for k, v in item.items() if k in ("internal", "public") and v]
    return {
        "status": _text(payload.get("status")),
        "power": _text(details.get("powerState")),
        "maintenance": bool(details.get("inMaintenanceMode")),
        "cpu": details.get("cpu"),
        "memoryGB": round((details.get("memoryMB") or 0) / 1024, 2)
        if isinstance(details.get("memoryMB"), int | float)
        else None,
        "storageGB": details.get("storageGB"),
        "group": _text(payload.get("groupId"), 64),
        "description": _text(payload.get("description"), 120),
        "ips": sorted(ips)[:10],
    }


LABELS = {
    "status": "status",
    "power": "power",
    "maintenance": "maintenance",
    "cpu": "CPU",
    "memoryGB": "memory GB",
    "storageGB": "storage GB",
    "group": "group",
    "description": "description",
    "ips": "IP addresses",
}


def _show(key: str, value) -> str:
    if key == "maintenance":
        return "on" if value else "off"
    if key == "ips":
        return ", ".join(value) or "none"
    if value in (None, ""):
        return "—"
    return str(value)


def describe_server(event: str, payload: dict, before: dict | None) -> str:
    snap = server_snapshot(payload)
    if event == "Server.Deleted":
        return "deleted"
    if event == "Server.Created":
        parts = [
            f"{snap['cpu']} vCPU" if snap["cpu"] else "",
            f"{snap['memoryGB']:g} GB memory" if snap["memoryGB"] else "",
        ]
        os_type = _text(payload.get("osType"), 60)
        return "created" + (
            ": " + ", ".join(p for p in [*parts, os_type] if p) if any(parts) or os_type else ""
        )
    if before:
        changes = [
            f"{LABELS[key]} {_show(key, before.get(key))} → {_show(key, value)}"
            for key, value in snap.items()
            if key in before and before.get(key) != value
        ]
        if changes:
            return "; ".join(changes)[:500]
        return "updated (nothing the portal shows changed)"
    return f"updated: {snap['status'] or 'status unknown'}, power {snap['power'] or 'unknown'}, {snap['cpu']} vCPU, {snap['memoryGB']} GB"


def describe_other(event: str, payload: dict) -> str:
    family, _, what = event.partition(".")
    if family == "User":
        who = _text(payload.get("userName"), 100)
        mail = _text(payload.get("emailAddress"), 100)
        status = _text(payload.get("status"), 20)
        return (
            f"user {who}{f' ({mail})' if mail else ''} {what.lower()}{f', status {status}' if status else ''}"
        )
    if family == "Account":
        name = _text(payload.get("businessName"), 100)
        status = _text(payload.get("status"), 20)
        return f"account {what.lower()}{f': {name}' if name else ''}{f', status {status}' if status else ''}"
    return event


def actor_of(event: str, payload: dict) -> str:
    info = payload.get("changeInfo") if isinstance(payload.get("changeInfo"), dict) else {}
    if event == "Server.Created":
        return _text(info.get("createdBy") or info.get("modifiedBy"), 200)
    return _text(info.get("modifiedBy"), 200)


def tracked_activity(alias: str, event: str, payload: dict) -> Activity | None:
    """The portal's own activity this change comes from, or None (it happened elsewhere)."""
    if not event.startswith("Server."):
        return None
    server_id = str(payload.get("id") or payload.get("name") or "").upper()
    group = str(payload.get("groupId") or "").lower()
    actor = actor_of(event, payload).lower()
    now = timezone.now()
    recent = (
        Activity.objects.filter(
            account_alias=alias.upper(), origin=Origin.PORTAL, created_at__gte=now - timedelta(days=1)
        )
        .filter(Q(finished_at__isnull=True) | Q(finished_at__gte=now - WINDOW))
        .select_related("user")
        .order_by("-created_at")[:200]
    )
    for activity in recent:
        ids = [str(i).upper() for i in activity.resource_ids or ()]
        if activity.resource_type == "server":
            if server_id in ids:
                return activity
            if activity.operation == "createServer" and event == "Server.Created":
                if any(server_id[3:].startswith(f"{alias.upper()}{name}") for name in ids):
                    return activity
        elif activity.resource_type == "group":
            person = (activity.user.cloud_username if activity.user else "").lower()
            if (group and group in (i.lower() for i in ids)) or (actor and person == actor):
                return activity
    return None
