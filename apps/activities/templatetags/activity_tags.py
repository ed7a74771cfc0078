"""``{% activity_counts as counts %}`` (header) and ``{% latest_activities 5 as rows %}`` (dashboard)."""

from django import template

from .. import selectors, streams
from ..display import decorate

register = template.Library()


@register.simple_tag(takes_context=True)
def activity_counts(context):
    user = getattr(context.get("request"), "user", None) or context.get("user")
    if user is None or not user.is_authenticated:
        return {"running": 0, "failed": 0}
    try:
        return selectors.header_counts(user)
    except Exception:  # the header never breaks a page
        return {"running": 0, "failed": 0}


@register.simple_tag(takes_context=True)
def latest_activities(context, limit=5):
    user = getattr(context.get("request"), "user", None) or context.get("user")
    if user is None or not user.is_authenticated:
        return []
    return [decorate(a) for a in selectors.latest_for(user, int(limit))]


@register.simple_tag(takes_context=True)
def stream_position(context):
    """The id of the newest entry of the person's event stream when the page was rendered: live.js
    resumes ``/events/`` from there, so a change between render and connect is never missed.
    ``0-0`` when the stream is empty; ``""`` when Redis does not answer (start from now)."""
    user = getattr(context.get("request"), "user", None) or context.get("user")
    if user is None or not user.is_authenticated or not user.account_alias:
        return ""
    return streams.newest_id(user.account_alias)
