"""``/api/v1/`` operations and activities (DRF, session auth). Thin: the logic is in ``services``.

POST /api/v1/servers/<id>/operations/  {"operation": "powerOff"}
    202 {"outcome": "queued", "activity": {...}}      accepted, tracked
    200 {"outcome": "notice", "message": ...}          already in that state
    400 {"message": <upstream errorMessage>, "activity": {...failed}}
    403 {"message"}  the person's roles can't (checked locally), or the cloud said 403
POST /api/v1/servers/operations/  {"operation": ..., "servers": [...]}
    202 when anything was queued, else 200: {"results": [{"server", "outcome", "message", "activity"}]}
GET  /api/v1/activities/?status=&operation=&mine=1&limit=   the account's activities, newest first
GET  /api/v1/activities/<id>/                              with its history; another account's: 404
The ``Idempotency-Key`` header makes a retry replay the first answer without calling the cloud.
"""

from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.clc import errors as clc_errors
from apps.clc.operations import POWER_OPERATIONS

from . import services
from .models import Status
from .streams import activity_json

MAX_SERVERS = 500


class OperationSerializer(serializers.Serializer):
    operation = serializers.ChoiceField(choices=POWER_OPERATIONS)


class BulkOperationSerializer(OperationSerializer):
    servers = serializers.ListField(
        child=serializers.CharField(max_length=64), allow_empty=False, max_length=MAX_SERVERS
    )


class ActivitySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    operation = serializers.CharField()
    resource_type = serializers.CharField()
    resource_ids = serializers.ListField(child=serializers.CharField())
    status = serializers.ChoiceField(choices=Status.choices)
    upstream_status = serializers.CharField()
    status_id = serializers.CharField()
    error_message = serializers.CharField()
    account_alias = serializers.CharField()
    user_id = serializers.IntegerField(allow_null=True)
    user = serializers.CharField(allow_null=True)
    created_at = serializers.DateTimeField()
    started_at = serializers.DateTimeField(allow_null=True)
    finished_at = serializers.DateTimeField(allow_null=True)
    last_polled_at = serializers.DateTimeField(allow_null=True)
    polls = serializers.IntegerField()


class HistorySerializer(serializers.Serializer):
    at = serializers.DateTimeField()
    to = serializers.CharField()
    upstream_status = serializers.CharField()
    message = serializers.CharField()


class ActivityDetailSerializer(ActivitySerializer):
    history = HistorySerializer(many=True)


class ResultSerializer(serializers.Serializer):
    server = serializers.CharField()
    outcome = serializers.ChoiceField(choices=["queued", "notice", "error"])
    message = serializers.CharField()
    activity = ActivitySerializer(allow_null=True)
    replayed = serializers.BooleanField()


MESSAGE = inline_serializer("ActivityMessage", {"message": serializers.CharField()})
OperationResults = inline_serializer("OperationResults", {"results": ResultSerializer(many=True)})
IDEMPOTENCY = OpenApiParameter("Idempotency-Key", str, OpenApiParameter.HEADER, required=False)
UNAUTHORIZED = inline_serializer(
    "ActivityUnauthorized",
    {"message": serializers.CharField(), "login": serializers.CharField(required=False)},
)
_ACTIVITY = {
    "id": 42,
    "operation": "powerOff",
    "resource_type": "server",
    "resource_ids": ["WA1DEMOWEB01"],
    "status": "queued",
    "upstream_status": "notStarted",
    "status_id": "wa1-123456",
    "error_message": "",
    "account_alias": "DEMO",
    "user_id": 7,
    "user": "demo",
    "created_at": "2026-01-05T10:00:00Z",
    "started_at": None,
    "finished_at": None,
    "last_polled_at": None,
    "polls": 0,
}
EXAMPLES = [
    OpenApiExample("Power off", {"operation": "powerOff"}, request_only=True),
    OpenApiExample(
        "Queued",
        {
            "server": "WA1DEMOWEB01",
            "outcome": "queued",
            "message": "",
            "activity": _ACTIVITY,
            "replayed": False,
        },
        response_only=True,
        status_codes=["202"],
    ),
    OpenApiExample(
        "Bad input",
        {"message": 'operation: "explode" is not a valid choice.'},
        response_only=True,
        status_codes=["400"],
    ),
    OpenApiExample(
        "Role",
        {"message": "Your roles don't allow power operations."},
        response_only=True,
        status_codes=["403"],
    ),
    OpenApiExample(
        "Cloud session expired",
        {"message": "Your cloud session expired — sign in again.", "login": "/login/"},
        response_only=True,
        status_codes=["401"],
    ),
]


def _bad(message, code=status.HTTP_400_BAD_REQUEST, **extra):
    return Response({"message": message, **extra}, status=code)


def _first_error(errors) -> str:
    for field, messages in errors.items():
        text = messages[0] if isinstance(messages, list) and messages else messages
        if isinstance(text, dict):
            text = next(iter(text.values()), "")
            text = text[0] if isinstance(text, list) and text else text
        return f"{field}: {text}"
    return "The request is invalid."


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


def _result_json(result) -> dict:
    return {
        "server": result.resource_id,
        "outcome": result.outcome,
        "message": result.message,
        "activity": activity_json(result.activity) if result.activity else None,
        "replayed": result.replayed,
    }


def _audit(request, operation, server_ids, results, error) -> None:
    """Audit entries for an operation started through the API (apps.audit; never raises)."""
    try:
        from apps.audit import services as audit

        if results is not None:
            audit.record_operation_results(request, operation, results)
        elif error is not None:
            message = (getattr(error, "data", None) or {}).get("message", "")
            audit.record_refused(request, operation, server_ids, message, denied=error.status_code == 403)
    except Exception:
        pass


class _OperationBase(APIView):
    def _start(self, request, operation, server_ids):
        try:
            results, error = self._start_unaudited(request, operation, server_ids)
        except Exception as exc:  # 401 / upstream unavailable: answered by the middleware
            _audit(request, operation, server_ids, None, _bad(type(exc).__name__, 500))
            raise
        _audit(request, operation, server_ids, results, error)
        return results, error

    def _start_unaudited(self, request, operation, server_ids):
        if not services.allowed(request.user, operation):
            return None, _bad(
                "Your roles don't allow power operations (ServerOperator, ServerAdmin or AccountAdmin needed).",
                status.HTTP_403_FORBIDDEN,
            )
        try:
            results = services.start_server_operation(
                request.user, operation, server_ids, idempotency_key=request.headers.get("Idempotency-Key")
            )
        except ValueError as exc:
            return None, _bad(str(exc))
        except services.IdempotencyConflict as exc:
            return None, _bad(exc.message, status.HTTP_409_CONFLICT)
        except clc_errors.BadRequest as exc:
            return None, _bad(exc.message or "The cloud refused the request.")
        except clc_errors.Forbidden as exc:
            return None, _bad(exc.message or "The cloud refused: your roles don't allow this.", 403)
        except clc_errors.NotFound:
            return None, _bad("Not found.", status.HTTP_404_NOT_FOUND)
        return results, None


class ServerOperationView(_OperationBase):
    """Start a power operation on one server."""

    serializer_class = OperationSerializer

    @extend_schema(
        operation_id="server_operation_start",
        request=OperationSerializer,
        parameters=[IDEMPOTENCY],
        responses={
            202: ResultSerializer,
            200: ResultSerializer,
            400: ResultSerializer,
            401: UNAUTHORIZED,
            403: MESSAGE,
            404: MESSAGE,
        },
        examples=EXAMPLES,
    )
    def post(self, request, server_id):
        form = OperationSerializer(data=request.data)
        if not form.is_valid():
            return _bad(_first_error(form.errors))
        results, error = self._start(request, form.validated_data["operation"], [server_id])
        if error is not None:
            return error
        [result] = results
        body = _result_json(result)
        if result.outcome == "queued":
            return Response(body, status=status.HTTP_202_ACCEPTED)
        if result.outcome == "notice":
            return Response(body, status=status.HTTP_200_OK)
        return Response(body, status=status.HTTP_400_BAD_REQUEST)


class BulkOperationView(_OperationBase):
    """Start a power operation on several servers with one upstream call."""

    serializer_class = BulkOperationSerializer

    @extend_schema(
        operation_id="servers_operation_start",
        request=BulkOperationSerializer,
        parameters=[IDEMPOTENCY],
        responses={
            202: OperationResults,
            200: OperationResults,
            400: MESSAGE,
            401: UNAUTHORIZED,
            403: MESSAGE,
        },
        examples=[
            OpenApiExample(
                "Power off two",
                {"operation": "powerOff", "servers": ["WA1DEMOWEB01", "WA1DEMOWEB02"]},
                request_only=True,
            ),
            *EXAMPLES[2:],
        ],
    )
    def post(self, request):
        form = BulkOperationSerializer(data=request.data)
        if not form.is_valid():
            return _bad(_first_error(form.errors))
        data = form.validated_data
        results, error = self._start(request, data["operation"], data["servers"])
        if error is not None:
            return error
        code = status.HTTP_202_ACCEPTED if any(r.outcome == "queued" for r in results) else status.HTTP_200_OK
        return Response({"results": [_result_json(r) for r in results]}, status=code)


class ActivityListView(APIView):
    """The account's activities, newest first. Filters: status, operation, mine=1, limit (<= 500)."""

    @extend_schema(
        operation_id="activities_list",
        parameters=[
            OpenApiParameter("status", str, description="comma-separated statuses"),
            OpenApiParameter("operation", str),
            OpenApiParameter("mine", str, description="1: only mine"),
            OpenApiParameter("limit", int),
        ],
        responses={
            200: inline_serializer("ActivityList", {"results": ActivitySerializer(many=True)}),
            400: MESSAGE,
            401: UNAUTHORIZED,
        },
        examples=[
            OpenApiExample("Activities", {"results": [_ACTIVITY]}, response_only=True, status_codes=["200"]),
            OpenApiExample(
                "Unknown status",
                {"message": "Unknown status 'x'; use one of queued, running, succeeded, failed."},
                response_only=True,
                status_codes=["400"],
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
                return _bad(f"Unknown status {sorted(unknown)[0]!r}; use one of {', '.join(Status.values)}.")
            qs = qs.filter(status__in=statuses)
        if request.query_params.get("operation"):
            qs = qs.filter(operation__iexact=request.query_params["operation"].strip())
        if request.query_params.get("mine") in ("1", "true", "yes"):
            qs = qs.filter(user_id=request.user.pk)
        try:
            limit = int(request.query_params.get("limit", 100))
        except ValueError:
            return _bad("limit must be a number.")
        limit = max(1, min(limit, 500))
        return Response({"results": [activity_json(a) for a in qs[:limit]]})


class ActivityDetailView(APIView):
    """One activity with every status change; another account's answers 404."""

    @extend_schema(
        operation_id="activity_detail",
        responses={200: ActivityDetailSerializer, 401: UNAUTHORIZED, 404: MESSAGE},
        examples=[
            OpenApiExample(
                "Succeeded",
                {
                    **_ACTIVITY,
                    "status": "succeeded",
                    "upstream_status": "succeeded",
                    "history": [
                        {
                            "at": "2026-01-05T10:00:05Z",
                            "to": "succeeded",
                            "upstream_status": "succeeded",
                            "message": "",
                        }
                    ],
                },
                response_only=True,
                status_codes=["200"],
            ),
            OpenApiExample("Not found", {"message": "Not found."}, response_only=True, status_codes=["404"]),
        ],
    )
    def get(self, request, activity_id):
        activity = services.visible_activities(request.user).filter(pk=activity_id).first()
        if activity is None:
            return _bad("Not found.", status.HTTP_404_NOT_FOUND)
        return Response(_activity_detail(activity, with_history=True))
