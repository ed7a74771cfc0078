"""What the activity pages and the dashboard's template tags show of an activity."""

from django.urls import reverse
from django.utils import timezone

from .models import TERMINAL


def duration_text(seconds: float) -> str:
    seconds = max(0, int(seconds))
    if seconds < 60:
        return f"{seconds} s"
    if seconds < 3600:
        return f"{seconds // 60} min {seconds % 60:02d} s"
    return f"{seconds // 3600} h {seconds % 3600 // 60:02d} min"


def decorate(activity, now=None):
    """Display fields the templates use (elapsed, resource links; the data center is the row's own
    ``datacenter``, the copy the ``dc`` filter and the CSV read)."""
    now = now or timezone.now()
    end = activity.finished_at or now
    activity.elapsed = duration_text((end - activity.created_at).total_seconds())
    activity.terminal = activity.status in TERMINAL
    ids = list(activity.resource_ids or ())
    page = activity.resource_type if activity.resource_type in ("server", "group") else ""  # URL names
    activity.resources = [
        {"id": rid, "href": reverse(page, args=[rid.lower()]) if page and rid else ""} for rid in ids
    ]
    return activity
