"""The activity screen (``/activities/``: list, detail, CSV, the rows fragment) and ``/events/``.

``/events/``: Server-Sent Events from the person's account stream (see ``streams``).

Each SSE message: ``id: <stream id>``, ``event: activity``, ``data: <json>`` (the JSON carries the
activity, its previous status and ``mine``: whether it is the viewer's own). Resume: the
``Last-Event-ID`` header, or ``?lastEventId=`` for EventSource polyfills. When that id is older than
the stream's first entry (trimmed), or the stream is gone (Redis flushed), or the id is ahead of
it (another Redis), a ``resync`` event is sent first: reload the fragment from the database. The
same while streaming: when the stream vanishes or restarts past the last id delivered (Redis
flushed or restarted), ``resync`` is sent and reading goes on from the new stream's beginning.
A comment line ``: heartbeat`` every ``ACTIVITY_SSE_HEARTBEAT_SECONDS`` (15 s). The stream ends
(an ``end`` event) once the session is over or the cloud token unusable, checked on every heartbeat
and at most every second while events flow; a person holds at most ``ACTIVITY_SSE_MAX_STREAMS``
streams (429 beyond): see ``stream_guard``.
"""

import asyncio
import json
import logging
import re

import redis.asyncio as aioredis
from django.contrib.auth.decorators import login_required
from django.core.handlers.asgi import ASGIRequest
from django.http import HttpResponse, JsonResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache

from portal import keyset, row_cache
from portal.csv_cells import column, copy_rows, copy_supported, safe_cell, sql_iso, sql_safe, written

from . import conf, selectors, stream_guard
from .display import decorate, duration_text
from .models import TERMINAL, Activity
from .streams import stream_key

log = logging.getLogger(__name__)
# What Redis takes as an entry id: ASCII digits (``\d`` also matches other scripts' digits), each part
# under 2**64 (19 digits always are); anything else is unreadable.
STREAM_ID = re.compile(r"^[0-9]{1,19}(-[0-9]{1,19})?$")


def _parse(entry_id: str) -> tuple[int, int]:
    ms, _, seq = entry_id.partition("-")
    return int(ms), int(seq or 0)


def _text(value) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


def _message(event: str, data: dict, entry_id: str | None = None) -> bytes:
    lines = []
    if entry_id:
        lines.append(f"id: {entry_id}")
    lines.append(f"event: {event}")
    lines.append("data: " + json.dumps(data, separators=(",", ":")))
    return ("\n".join(lines) + "\n\n").encode()


async def _start_position(client, key: str, last_id: str | None):
    """(id to read after, resync reason or None)."""
    try:
        info = await client.xinfo_stream(key)
    except aioredis.ResponseError:  # no such stream (never written, or flushed)
        info = None
    if last_id is None:
        return (_text(info["last-generated-id"]) if info else "0-0"), None
    if last_id in ("0", "0-0"):
        return "0-0", None
    if info is None:
        return "0-0", "The event stream was reset."
    first = info.get("first-entry")
    last_generated = _text(info["last-generated-id"])
    if _parse(last_id) > _parse(last_generated):
        return last_generated, "The event stream was reset."
    if first is not None and _parse(last_id) < _parse(_text(first[0])):
        # Entries after last_id may have been trimmed: the page must reload from the database.
        return last_generated, "Events were missed."
    return last_id, None


async def _lost_since(client, key: str, position: str) -> str | None:
    """Why entries after ``position`` (an id this reader delivered) may be gone, or None.

    The stream vanished (Redis flushed or restarted empty), or its first entry is now past
    ``position`` (recreated after a flush, or trimmed past a reader that fell behind).
    """
    if position == "0-0":
        return None
    try:
        info = await client.xinfo_stream(key)
    except aioredis.ResponseError:
        return "The event stream was reset."
    first = info.get("first-entry")
    if first is not None and _parse(_text(first[0])) > _parse(position):
        return "The event stream was reset."
    return None


async def _events(user, key: str, last_id: str | None, client, slots, session_key):
    heartbeat_ms = max(100, int(conf.heartbeat_seconds() * 1000))
    loop = asyncio.get_running_loop()
    checked = loop.time()
    try:
        seen = await stream_guard.generation(client, user.pk)
        position, reason = await _start_position(client, key, last_id)
        yield b"retry: 3000\n\n"
        if reason:
            yield _message("resync", {"reason": reason}, position if position != "0-0" else None)
        while True:
            answer = await client.xread({key: position}, block=heartbeat_ms, count=100)
            # The session (signed out? expired?) and the cloud token: on every heartbeat, at most
            # every ACTIVITY_SSE_SESSION_CHECK_SECONDS while events flow, and before any event
            # once the person's access generation moved (a sign-out). Gone: say so, close.
            due = not answer or loop.time() - checked >= conf.session_check_seconds()
            if answer and not due:
                current = await stream_guard.generation(client, user.pk)
                due, seen = current != seen, current
            if due:
                checked = loop.time()
                if not await stream_guard.may_continue(session_key, user.pk):
                    yield _message("end", {"reason": "Your session ended: sign in again."})
                    return
            # A flush mid-stream: tell the page to reload from the database, then go on reading
            # the stream from its (new) beginning.
            reason = await _lost_since(client, key, position)
            if reason:
                position = "0-0"
                yield _message("resync", {"reason": reason})
            if not answer:
                await slots.refresh()
                yield b": heartbeat\n\n"
                continue
            for _stream, entries in answer:
                for entry_id, fields in entries:
                    position = _text(entry_id)
                    try:
                        data = json.loads(_text(fields.get(b"data") or fields.get("data") or "{}"))
                    except ValueError:
                        continue
                    activity = data.get("activity") or {}
                    data["mine"] = activity.get("user_id") == user.pk
                    yield _message("activity", data, position)
    finally:
        try:
            await slots.release()
        finally:
            await client.aclose()


TOO_MANY_STREAMS = "Too many open event streams (one per tab): close some tabs, or this page polls instead.\n"


async def events(request):
    user = await request.auser()
    if not user.is_authenticated:
        return HttpResponse("Sign in to receive events.\n", status=401, content_type="text/plain")
    if not isinstance(request, ASGIRequest):
        # Under WSGI (runserver, the test live server) Django buffers an async stream forever:
        # 204 tells EventSource to stop, and the page polls instead.
        return HttpResponse(status=204)
    if not user.account_alias:
        return HttpResponse("No cloud account.\n", status=403, content_type="text/plain")
    last_id = (request.headers.get("Last-Event-ID") or request.GET.get("lastEventId") or "").strip()
    if last_id and not STREAM_ID.match(last_id):
        last_id = "1-0"  # unreadable: treat as very old, the page resyncs
    client = aioredis.Redis.from_url(conf.stream_redis_url())
    slots = stream_guard.Slots(client, user.pk)
    try:
        admitted = await slots.acquire()
    except Exception:  # Redis down: no stream to read anyway; the page polls instead
        log.warning("event stream unavailable for %s", user, exc_info=True)
        await client.aclose()
        response = HttpResponse("Live updates are unavailable.\n", status=503, content_type="text/plain")
        response["Retry-After"] = "30"
        return response
    if not admitted:
        await client.aclose()
        response = HttpResponse(TOO_MANY_STREAMS, status=429, content_type="text/plain")
        response["Retry-After"] = str(int(conf.heartbeat_seconds() * 3 + 5))
        return response
    stream = _events(
        user, stream_key(user.account_alias), last_id or None, client, slots, request.session.session_key
    )
    response = StreamingHttpResponse(stream, content_type="text/event-stream")
    response["Cache-Control"] = "no-cache, no-transform"
    response["X-Accel-Buffering"] = "no"
    return response


# --- the activity screen (synchronous views) -----------------------------------------------------
PAGE_SIZE = 50
COUNT_CAP = 1000  # the figure above the table counts at most this many ("1000+ activities")
CSV_COLUMNS = [
    "id", "created_at", "person", "operation", "resource_type", "resources", "data_center", "status",
    "upstream_status", "started_at", "finished_at", "polls", "status_id", "error", "origin", "summary",
]  # fmt: skip
CSV_FIELDS = [
    "pk", "created_at", "person", "operation", "resource_type", "resource_ids", "datacenter", "status",
    "upstream_status", "started_at", "finished_at", "polls", "status_id", "error_message", "origin",
    "summary",
]  # fmt: skip
CSV_CHUNK = 5000  # rows a database round trip (a server-side cursor on PostgreSQL) and a write


CSV_SQL = [
    column(Activity, "id"),
    sql_iso(column(Activity, "created_at")),
    sql_safe(column(Activity, "person")),
    sql_safe(column(Activity, "operation")),
    sql_safe(column(Activity, "resource_type")),
    sql_safe(
        f"array_to_string(ARRAY(SELECT jsonb_array_elements_text({column(Activity, 'resource_ids')})), ' ')"
    ),
    column(Activity, "datacenter"),
    column(Activity, "status"),
    sql_safe(column(Activity, "upstream_status")),
    sql_iso(column(Activity, "started_at")),
    sql_iso(column(Activity, "finished_at")),
    column(Activity, "polls"),
    sql_safe(column(Activity, "status_id")),
    sql_safe(column(Activity, "error_message")),
    sql_safe(column(Activity, "origin")),
    sql_safe(column(Activity, "summary")),
]


def _csv_rows(queryset):
    """The CSV, streamed: on PostgreSQL written by the database (COPY); elsewhere plain tuples from
    the cursor, one yield per ``CSV_CHUNK`` rows."""
    if copy_supported(queryset):
        yield from copy_rows(queryset.select_related(None), CSV_COLUMNS, CSV_SQL)
        return
    values = queryset.values_list(*CSV_FIELDS).iterator(chunk_size=CSV_CHUNK)
    yield from written(CSV_COLUMNS, map(_csv_cells, values), CSV_CHUNK)


def _csv_cells(row) -> list:
    pk, created, person, op, rtype, ids, dc, status, upstream, started, finished, *rest = row
    return [
        pk,
        created.isoformat(),
        safe_cell(person),
        safe_cell(op),
        safe_cell(rtype),
        safe_cell(" ".join(ids or ())),
        dc,
        status,
        safe_cell(upstream),
        started.isoformat() if started else "",
        finished.isoformat() if finished else "",
        *map(safe_cell, rest),
    ]


@never_cache
@login_required
def activity_list(request):
    if request.GET.get("activity"):  # old links: /activities/?activity=<id>
        return redirect("activity", request.GET["activity"].strip()[:20])
    fmt = (request.GET.get("format") or "").lower()
    fragment = (request.GET.get("fragment") or "").lower()
    if fragment == "counts":  # the header's figures (live.js after a resync)
        return JsonResponse(selectors.header_counts(request.user))
    try:
        filters = selectors.ActivityFilters.from_query(request.GET, request.user)
        if request.GET.get("cursor"):
            keyset.decode(request.GET["cursor"])
    except (selectors.FilterError, keyset.CursorError) as exc:
        if fmt == "csv" or fragment:
            return JsonResponse({"message": str(exc)}, status=400)
        filters = selectors.ActivityFilters(scope=selectors.ActivityFilters.default_scope(request.user))
        return _render_list(request, filters, error=str(exc), status=400)
    if fmt == "csv":
        stamp = timezone.now().strftime("%Y%m%d-%H%M")
        response = StreamingHttpResponse(
            _csv_rows(selectors.filtered_activities(request.user, filters)),
            content_type="text/csv; charset=utf-8",
        )
        response["Content-Disposition"] = f'attachment; filename="activities-{stamp}.csv"'
        return response
    if fmt and fmt != "html":
        return JsonResponse({"message": "format: use csv (or leave it out)."}, status=400)
    return _render_list(request, filters, fragment=fragment)


def _render_list(request, filters, *, error="", status=200, fragment=""):
    """One page by cursor (``?cursor=``, the pager's links) or by number (``?page=N``, as before);
    the total is counted up to ``COUNT_CAP`` only."""
    # The account's operations: the form's choices and the operation filter's spellings, read once.
    operations = None if fragment else selectors.account_operations(request.user.account_alias)
    queryset = (
        selectors.filtered_activities(request.user, filters, operations)
        if not error
        else Activity.objects.none()
    )
    query = request.GET.copy()
    if error:  # the cursor may be what was wrong
        query.pop("cursor", None)
    page, number = keyset.asked(queryset, "created_at", query, PAGE_SIZE)
    if number and not page.older and (page.rows or number == 1):  # the last page: the total is known
        total = (number - 1) * PAGE_SIZE + len(page.rows)
        total = total if total <= COUNT_CAP else None
    else:
        total = keyset.capped_count(queryset, COUNT_CAP)
    now = timezone.now()
    rows = row_cache.rendered(
        "activities/_row.html",
        "a",
        page.rows,
        key=lambda a: f"{a.pk}.{a.created_at.timestamp()}.{a.version}.{a.status}"
        if a.status in TERMINAL and a.finished_at
        else None,
        prepare=lambda a: decorate(a, now),
    )
    pages = -(-total // PAGE_SIZE) if total is not None else None
    context = {
        "rows": rows,
        "page": page,
        "number": number,
        "pages": pages,
        "total": total,
        "total_text": f"{total}" if total is not None else f"{COUNT_CAP}+",
        "count_cap": COUNT_CAP,
        "filters": filters,
        "error": error,
    }
    if fragment == "rows":
        response = render(request, "activities/_rows.html", context, status=status)
        response["X-Total-Count"] = context["total_text"]
        return response
    if fragment:
        return JsonResponse({"message": "fragment: use rows."}, status=400)
    context["choices"] = selectors.filter_choices(request.user, operations)
    context["ranges"] = [
        ("", "Any time"),
        ("1h", "Last hour"),
        ("24h", "Last 24 hours"),
        ("7d", "Last 7 days"),
    ]
    return render(request, "activities/list.html", context, status=status)


@never_cache
@login_required
def activity_detail(request, activity_id):
    activity = selectors.detail_for(request.user, activity_id)
    if activity is None:
        return render(
            request,
            "activities/not_found.html",
            {"message": f"No activity {str(activity_id)[:20]} in your account."},
            status=404,
        )
    decorate(activity)
    history = list(activity.events.all())
    previous = activity.created_at
    for event in history:
        event.after = duration_text((event.at - previous).total_seconds())
        previous = event.at
    return render(request, "activities/detail.html", {"activity": activity, "history": history})
