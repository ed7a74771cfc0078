"""GET /api/v1/audit/ — the audit entries the caller may see (AccountAdmin: the account's; others:
their own), newest first, with the filters of the /audit/ page; ``format=csv`` streams CSV.

Paging: ``limit`` (1..500, default 100) and ``cursor`` (keyset, ``portal.keyset``): the answer's
``next`` is the query for the following page, or null. ``before`` (an entry id: the entries after
it) still works, as a starting point.
"""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    inline_serializer,
)
from rest_framework import serializers, status
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.accounts.reads import UNAUTHORIZED, answer_example
from portal import keyset
from portal.dataclass_serializers import IsoDateTimeField

from . import services
from .export import csv_response

MAX_LIMIT = 500


# An audit entry as the API answers it (and documents it: no docstring, it would be the schema's text).
class AuditEntrySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    at = IsoDateTimeField()
    person = serializers.CharField(source="username")
    account_alias = serializers.CharField()
    action = serializers.CharField()
    target_type = serializers.CharField()
    target_id = serializers.CharField()
    result = serializers.CharField()
    address = serializers.CharField(allow_null=True)
    channel = serializers.CharField()
    detail = serializers.JSONField()


AuditPage = inline_serializer(
    "AuditPage",
    {"results": AuditEntrySerializer(many=True), "next": serializers.CharField(allow_null=True)},
)
MESSAGE = inline_serializer("AuditMessage", {"message": serializers.CharField()})
_ENTRY = {
    "id": 1042,
    "at": "2026-01-05T10:00:00.412093+00:00",  # as IsoDateTimeField writes it
    "person": "demo",
    "account_alias": "DEMO",
    "action": "server.powerOff",
    "target_type": "server",
    "target_id": "WA1DEMOWEB01",
    "result": "success",
    "address": "192.0.2.10",
    "channel": "api",
    "detail": {"message": "Power off queued", "outcome": "queued", "activities": [42]},
}

CSV_EXAMPLE = (
    "at,person,account,action,target_type,target_id,result,address,channel,detail\r\n"
    f"{_ENTRY['at']},demo,DEMO,server.powerOff,server,WA1DEMOWEB01,success,192.0.2.10,api,"
    '"{""message"": ""Power off queued"", ""outcome"": ""queued"", ""activities"": [42]}"\r\n'
)


def _int(value, name, lo, hi, default):
    if value in (None, ""):
        return default
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise ValueError(f"{name}: must be an integer.")
    if not lo <= number <= hi:
        raise ValueError(f"{name}: must be between {lo} and {hi}.")
    return number


class _NoFormatOverride:
    URL_FORMAT_OVERRIDE = None


class FormatIsOurs(DefaultContentNegotiation):
    """``?format=csv`` is this endpoint's export switch, not DRF's renderer override."""

    settings = _NoFormatOverride()


class AuditListView(APIView):
    """The audit log the caller may see, newest first."""

    content_negotiation_class = FormatIsOurs

    @extend_schema(
        operation_id="audit_list",
        parameters=[
            OpenApiParameter("person", str, description="Cloud user name (exact, any case)."),
            OpenApiParameter("action", str, description="Action, e.g. sign_in or server.powerOff."),
            OpenApiParameter("target", str, description="Target id (substring), type, or type:id."),
            OpenApiParameter("result", str, description="success, failure or denied."),
            OpenApiParameter("since", str, description="YYYY-MM-DD or ISO date-time (inclusive)."),
            OpenApiParameter("until", str, description="YYYY-MM-DD (that day included) or ISO date-time."),
            OpenApiParameter("limit", int, description="1..500, default 100."),
            OpenApiParameter(
                "cursor", str, description="Where the page starts (from the previous answer's next)."
            ),
            OpenApiParameter("before", int, description="Only entries older than this entry id (paging)."),
            OpenApiParameter("format", str, enum=["json", "csv"], description="csv streams a CSV file."),
        ],
        responses={
            (200, "application/json"): AuditPage,
            (200, "text/csv"): OpenApiResponse(
                OpenApiTypes.STR,
                description="With format=csv: the same selection as a CSV file (a download).",
                examples=[answer_example("CSV", CSV_EXAMPLE, 200, media_type="text/csv")],
            ),
            (400, "application/json"): MESSAGE,
            (401, "application/json"): UNAUTHORIZED,
        },
        examples=[
            answer_example(
                "Entries",
                {"results": [_ENTRY], "next": "?limit=100&cursor=o1767607200412093.1042"},
                200,
                media_type="application/json",
            ),
            answer_example(
                "Bad input",
                {"message": "since: 'yesterday' is not a date (YYYY-MM-DD) or an ISO date-time."},
                400,
                media_type="application/json",
            ),
        ],
    )
    def get(self, request):
        params = request.query_params
        try:
            qs = services.filter_entries(services.visible_entries(request.user), params)
            limit = _int(params.get("limit"), "limit", 1, MAX_LIMIT, 100)
            before = _int(params.get("before"), "before", 1, 2**62, None)
        except ValueError as exc:
            return Response({"message": str(exc)}, status=status.HTTP_400_BAD_REQUEST)
        fmt = (params.get("format") or "json").lower()
        if fmt not in ("json", "csv"):
            return Response({"message": "format: must be json or csv."}, status=status.HTTP_400_BAD_REQUEST)
        if fmt == "csv":
            return csv_response(qs.filter(pk__lt=before) if before else qs, "audit.csv")
        cursor = params.get("cursor")
        if before and not cursor:  # the older paging parameter: from that entry on, by cursor
            at = qs.filter(pk=before).values_list("at", flat=True).first()
            if at is None:
                qs = qs.filter(pk__lt=before)
            else:
                cursor = keyset.encode("o", at, before)
        try:
            page = keyset.read(qs, "at", size=limit, cursor=cursor)
        except keyset.CursorError as exc:
            return Response({"message": str(exc)}, status=status.HTTP_400_BAD_REQUEST)
        next_query = keyset.next_query(params, page, drop=("before",), limit=str(limit))
        return Response({"results": AuditEntrySerializer(page.rows, many=True).data, "next": next_query})
