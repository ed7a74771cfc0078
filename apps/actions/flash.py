"""Telling the person how an action went, on the next page (a Django message): queued → a link to
the activity (or to Activities for several), which ``static/js/live.js`` turns into the outcome once
they end; "already in that state" → a notice; an error → its message. Pages only: the API answers
with the ``Outcome`` itself (``services``)."""

from django.contrib import messages
from django.urls import reverse
from django.utils.html import format_html

from .services import ALREADY, Outcome

LIVE_BANNER_MAX = 200  # a "queued" banner follows at most this many activities live


def flash(request, outcome: Outcome) -> None:
    """A Django message for the outcome: queued → link(s) to Activities; notice; error."""
    label = outcome.label or "Action"
    counts = outcome.counts or {}
    bulk = sum(counts.values()) > 1
    if outcome.kind == "queued":
        queued = counts.get("queued", len(outcome.activity_ids))
        # The link names the activities (``data-queued``): static/js/live.js turns the banner into
        # their outcome once they end, so a "queued" banner never outlives its operation.
        live = " ".join(str(i) for i in outcome.activity_ids[:LIVE_BANNER_MAX])
        if len(outcome.activity_ids) > LIVE_BANNER_MAX:
            live = ""
        if len(outcome.activity_ids) == 1 and not bulk:
            text = format_html(
                '{} queued — <a href="{}" data-queued="{}" data-label="{}">follow it on Activities</a>',
                label,
                reverse("activity", args=[outcome.activity_ids[0]]),
                live,
                label,
            )
        else:
            text = format_html(
                '{} queued for {} server{} — <a href="{}" data-queued="{}" data-label="{}">follow '
                "them on Activities</a>",
                label,
                queued,
                "" if queued == 1 else "s",
                reverse("activities"),
                live,
                label,
            )
        messages.success(request, text)
        if counts.get("notice"):
            messages.info(request, f"{counts['notice']} already in that state (nothing to do).")
        for error in outcome.errors:
            messages.error(request, error)
    elif outcome.kind == "done":
        messages.success(request, outcome.message or f"{label}: done.")
    elif outcome.kind == "notice":
        messages.info(request, outcome.message or ALREADY)
    else:
        messages.error(
            request, f"{label} failed: {outcome.message}" if outcome.message else f"{label} failed."
        )
