"""What every ``/api/v1/`` view that starts power operations shares (this app's own views,
``apps.actions.api``, ``apps.recipes.api``): the result serializers and schema pieces, the
``{"message"}`` answer, and ``OperationView.start`` (role check, one upstream call through
``services.start_server_operation``, ``Idempotency-Key`` replay, audit).
"""

from drf_spectacular.utils import OpenApiExample, OpenApiParameter, inline_serializer
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.clc import errors as clc_errors

from . import services
from .models import Status
from .streams import activity_json

NO_POWER_ROLE = (
    "Your roles don't allow power operations (ServerOperator, ServerAdmin or AccountAdmin needed)."
)


# --- serializers and schema pieces ------------------------------------------------------------
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


class ResultSerializer(serializers.Serializer):
    server = serializers.CharField()
    outcome = serializers.ChoiceField(choices=["queued", "notice", "error"])
    message = serializers.CharField()
    activity = ActivitySerializer(allow_null=True)
    replayed = serializers.BooleanField()


MESSAGE = inline_serializer("ActivityMessage", {"message": serializers.CharField()})
IDEMPOTENCY = OpenApiParameter("Idempotency-Key", str, OpenApiParameter.HEADER, required=False)
UNAUTHORIZED = inline_serializer(
    "ActivityUnauthorized",
    {"message": serializers.CharField(), "login": serializers.CharField(required=False)},
)
EXAMPLE_ACTIVITY = {
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
            "activity": EXAMPLE_ACTIVITY,
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


# --- answers ----------------------------------------------------------------------------------
def message_response(message, code=status.HTTP_400_BAD_REQUEST, **extra) -> Response:
    """``{"message": ...}`` (and ``extra``) with ``code``: every refusal of these APIs."""
    return Response({"message": message, **extra}, status=code)


def first_error(errors) -> str:
    """A serializer's first error as ``"field: text"`` (the 400's message)."""
    for field, messages in errors.items():
        text = messages[0] if isinstance(messages, list) and messages else messages
        if isinstance(text, dict):
            text = next(iter(text.values()), "")
            text = text[0] if isinstance(text, list) and text else text
        return f"{field}: {text}"
    return "The request is invalid."


def result_json(result) -> dict:
    """One server's result of ``services.start_server_operation`` (``ResultSerializer``'s shape)."""
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


def _servers_not_visible(request, server_ids) -> list[str]:
    """The ids the caller's account cannot read (one concurrent GET per server, the caller's token)."""
    from apps.accounts.services import client_for_request
    from apps.clc import servers as clc_servers

    ids = [str(s).upper() for s in server_ids]
    found = clc_servers.get_servers(client_for_request(request), ids, return_exceptions=True)
    hidden = (clc_errors.NotFound, clc_errors.BadRequest, clc_errors.Forbidden)
    unseen = [i for i, got in zip(ids, found, strict=True) if isinstance(got, hidden)]
    for got in found:  # 401, upstream down: the middleware answers as for any other call
        if isinstance(got, Exception) and not isinstance(got, hidden):
            raise got
    return unseen


class OperationView(APIView):
    """Base of the views that start a power operation on servers."""

    def start(self, request, operation, server_ids):
        """``(results, None)``, or ``(None, the refusal Response)``; audited either way."""
        try:
            results, error = self._start_unaudited(request, operation, server_ids)
        except Exception as exc:  # 401 / upstream unavailable: answered by the middleware
            _audit(request, operation, server_ids, None, message_response(type(exc).__name__, 500))
            raise
        _audit(request, operation, server_ids, results, error)
        return results, error

    def _start_unaudited(self, request, operation, server_ids):
        if not services.allowed(request.user, operation):
            return None, message_response(NO_POWER_ROLE, status.HTTP_403_FORBIDDEN)
        unseen = _servers_not_visible(request, server_ids)
        if unseen:
            # Another account's server (or none at all): 404 before anything is sent upstream.
            return None, message_response(f"Not found: {', '.join(unseen)}.", status.HTTP_404_NOT_FOUND)
        try:
            results = services.start_server_operation(
                request.user, operation, server_ids, idempotency_key=request.headers.get("Idempotency-Key")
            )
        except ValueError as exc:
            return None, message_response(str(exc))
        except services.IdempotencyConflict as exc:
            return None, message_response(exc.message, status.HTTP_409_CONFLICT)
        except clc_errors.BadRequest as exc:
            return None, message_response(exc.message or "The cloud refused the request.")
        except clc_errors.Forbidden as exc:
            return None, message_response(
                exc.message or "The cloud refused: your roles don't allow this.", 403
            )
        except clc_errors.NotFound:
            return None, message_response("Not found.", status.HTTP_404_NOT_FOUND)
        return results, None
