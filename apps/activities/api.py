"""``/api/v1/activities/`` (DRF, session or personal token). Thin: the logic is in ``services``.
(Starting operations is the action registry's: ``apps.actions.api`` / ``api_operations``.)

GET  /api/v1/activities/?status=&operation=&mine=1&limit=&cursor=   the account's activities, newest
     first; ``next`` is the query of the following page (keyset: ``portal.keyset``), or null
GET  /api/v1/activities/<id>/                              with its history; another account's: 404
"""

from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.accounts.reads import UNAUTHORIZED, answer_example
from portal import keyset

from . import services
from .api_common import (
    EXAMPLE_ACTIVITY,
    MESSAGE,
    ActivitySerializer,
    message_response,
)
from .models import Status
from .selectors import with_operation
from .serializers import activity_json

# One status change of an activity, as the detail's history lists it (``_activity_detail``). Built
# with type(): "from" is a Python keyword, so it can't be a class attribute. (No docstring: it would
# be the schema's text.)
HistorySerializer = type(
    "HistorySerializer",
    (serializers.Serializer,),
    {
        "at": serializers.DateTimeField(),
        "from": serializers.CharField(
            allow_null=True,
            help_text="The status before this change; null on the first entry (the activity as it "
            "was created, or as the cloud reported it)",
        ),
        "to": serializers.CharField(help_text="The status after this change"),
        "upstream_status": serializers.CharField(),
        "message": serializers.CharField(),
    },
)


# Documents what _activity_detail writes (it inherits ActivitySerializer's compiled writer, which
# knows no history: not for writing).
class ActivityDetailSerializer(ActivitySerializer):
    history = HistorySerializer(many=True)


def _activity_detail(activity, with_history=False) -> dict:
    data = activity_json(activity)
    if with_history:
        data["history"] = [
            {
                "at": e.at.isoformat(),
                "from": e.from_status or None,
                "to": e.to_status,
                "upstream_status": e.upstream_status,
                "message": e.message,
            }
            for e in activity.events.all()
        ]
    return data


class ActivityListView(APIView):
    """The account's activities, newest first. Filters: status, operation, mine=1; limit (<= 500), cursor."""

    @extend_schema(
        operation_id="activities_list",
        parameters=[
            OpenApiParameter("status", str, description="comma-separated statuses"),
            OpenApiParameter("operation", str),
            OpenApiParameter("mine", str, description="1: only mine"),
            OpenApiParameter("limit", int, description="1..500, default 100"),
            OpenApiParameter(
                "cursor", str, description="where the page starts: the cursor in the previous answer's next"
            ),
        ],
        responses={
            200: inline_serializer(
                "ActivityList",
                {
                    "results": ActivitySerializer(many=True),
                    "next": serializers.CharField(
                        allow_null=True, help_text="query of the next (older) page"
                    ),
                },
            ),
            400: MESSAGE,
            401: UNAUTHORIZED,
        },
        examples=[
            answer_example(
                "Activities",
                {"results": [EXAMPLE_ACTIVITY], "next": "?limit=100&cursor=o1767607200412093.42"},
            ),
            answer_example(
                "Unknown status",
                {"message": "Unknown status 'x'; use one of queued, running, succeeded, failed."},
                400,
            ),
        ],
    )
    def get(self, request):
        qs = services.visible_activities(request.user)
        wanted = request.query_params.get("status")
        if wanted:
            statuses = [s.strip() for s in wanted.split(",") if s.strip()]
            unknown = set(statuses) - set(Status.values)
            if unknown:
                return message_response(
                    f"Unknown status {sorted(unknown)[0]!r}; use one of {', '.join(Status.values)}."
                )
            qs = qs.filter(status__in=statuses)
        if request.query_params.get("operation"):
            qs = with_operation(qs, request.user.account_alias, request.query_params["operation"])
        if request.query_params.get("mine") in ("1", "true", "yes"):
            qs = qs.filter(user_id=request.user.pk)
        try:
            limit = int(request.query_params.get("limit", 100))
        except ValueError:
            return message_response("limit must be a number.")
        limit = max(1, min(limit, 500))
        try:
            page = keyset.read(qs, "created_at", size=limit, cursor=request.query_params.get("cursor"))
        except keyset.CursorError as exc:
            return message_response(str(exc))
        next_query = keyset.next_query(request.query_params, page)
        return Response({"results": [activity_json(a) for a in page.rows], "next": next_query})


class ActivityDetailView(APIView):
    """One activity with every status change; another account's answers 404."""

    @extend_schema(
        operation_id="activity_detail",
        responses={200: ActivityDetailSerializer, 401: UNAUTHORIZED, 404: MESSAGE},
        examples=[
            answer_example(
                "Succeeded",
                {
                    **EXAMPLE_ACTIVITY,
                    "status": "succeeded",
                    "upstream_status": "succeeded",
                    "started_at": "2026-01-05T10:00:02.318204+00:00",
                    "finished_at": "2026-01-05T10:00:05.904117+00:00",
                    "last_polled_at": "2026-01-05T10:00:05.904117+00:00",
                    "polls": 2,
                    "history": [
                        {
                            "at": "2026-01-05T10:00:00.413517+00:00",
                            "from": None,
                            "to": "queued",
                            "upstream_status": "notStarted",
                            "message": "",
                        },
                        {
                            "at": "2026-01-05T10:00:02.318204+00:00",
                            "from": "queued",
                            "to": "running",
                            "upstream_status": "executing",
                            "message": "",
                        },
                        {
                            "at": "2026-01-05T10:00:05.904117+00:00",
                            "from": "running",
                            "to": "succeeded",
                            "upstream_status": "succeeded",
                            "message": "",
                        },
                    ],
                },
            ),
            answer_example("Not found", {"message": "Not found."}, 404),
        ],
    )
    def get(self, request, activity_id):
        activity = services.visible_activities(request.user).filter(pk=activity_id).first()
        if activity is None:
            return message_response("Not found.", status.HTTP_404_NOT_FOUND)
        return Response(_activity_detail(activity, with_history=True))
