"""What the ``/api/v1/`` views that answer with activities share (``apps.activities.api``,
``apps.actions.api``, ``apps.recipes.api``): the result serializer (around the activity's, from
``serializers``), schema pieces and examples, and the ``{"message"}`` answer.
"""

from drf_spectacular.utils import OpenApiExample, OpenApiParameter, inline_serializer
from rest_framework import serializers, status
from rest_framework.response import Response

from apps.accounts.reads import answer_example

from .serializers import ActivitySerializer

NO_POWER_ROLE = (
    "Your roles don't allow power operations (ServerOperator, ServerAdmin or AccountAdmin needed)."
)


# --- serializers and schema pieces ------------------------------------------------------------
class ResultSerializer(serializers.Serializer):
    server = serializers.CharField()
    outcome = serializers.ChoiceField(choices=["queued", "notice", "error"])
    message = serializers.CharField()
    activity = ActivitySerializer(allow_null=True)
    replayed = serializers.BooleanField()


MESSAGE = inline_serializer("ActivityMessage", {"message": serializers.CharField()})
IDEMPOTENCY = OpenApiParameter("Idempotency-Key", str, OpenApiParameter.HEADER, required=False)
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
    "created_at": "2026-01-05T10:00:00.412093+00:00",
    "started_at": None,
    "finished_at": None,
    "last_polled_at": None,
    "polls": 0,
    "origin": "portal",
    "actor": "",
    "summary": "",
}
EXAMPLES = [
    OpenApiExample("Power off", {"operation": "powerOff"}, request_only=True),
    answer_example(
        "Queued",
        {
            "server": "WA1DEMOWEB01",
            "outcome": "queued",
            "message": "",
            "activity": EXAMPLE_ACTIVITY,
            "replayed": False,
        },
        202,
    ),
    answer_example("Bad input", {"message": 'operation: "explode" is not a valid choice.'}, 400),
    answer_example("Role", {"message": "Your roles don't allow power operations."}, 403),
]


# --- answers ----------------------------------------------------------------------------------
def message_response(message, code=status.HTTP_400_BAD_REQUEST, **extra) -> Response:
    """``{"message": ...}`` (and ``extra``) with ``code``: every refusal of these APIs."""
    return Response({"message": message, **extra}, status=code)


def first_error(errors) -> str:
    """A serializer's first error as ``"field: text"`` (the 400's message). Not the API's
    ``apps.accounts.api_errors.first_error``: it names the field of a non-field error too
    (``"non_field_errors: Invalid data. Expected a dictionary, but got list."``) and leaves out a
    list item's index (``"servers: Ensure this field..."``, not ``"servers: 0: Ensure..."``), which
    the operation endpoints' 400s have always said."""
    for field, messages in errors.items():
        text = messages[0] if isinstance(messages, list) and messages else messages
        if isinstance(text, dict):
            text = next(iter(text.values()), "")
            text = text[0] if isinstance(text, list) and text else text
        return f"{field}: {text}"
    return "The request is invalid."
