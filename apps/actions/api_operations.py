"""The operation endpoints scripts already call, answered by the registry's power actions:

POST /api/v1/servers/<id>/operations/   {"operation": "powerOff"}
    202 {"server", "outcome": "queued", "message", "activity", "replayed"}; 200 "notice" (already in that
    state); 400 the cloud refused it (with the failed activity)
POST /api/v1/servers/operations/        {"operation", "servers": [...]}   -> {"results": [...]}
POST /api/v1/groups/<id>/operations/    {"operation"}  every active server below the group
    -> {"group", "results": [...]} (200 with a message when it has no active server)

Each is the ``servers`` (or ``group``) action of that name run through ``services.run``: the same
role check (403 before anything is sent), 404 for a server the account cannot read, one upstream
call, ``Idempotency-Key`` replay and audit as every other action (``api.py``).
"""

from drf_spectacular.utils import OpenApiExample, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.accounts.reads import UNAUTHORIZED, answer_example
from apps.accounts.services import client_for_request
from apps.activities.api_common import (
    EXAMPLES,
    IDEMPOTENCY,
    MESSAGE,
    ResultSerializer,
    first_error,
)
from apps.activities.models import Activity
from apps.activities.serializers import activity_json
from apps.activities.services import UNCERTAIN
from apps.clc.operations import POWER_OPERATIONS
from apps.inventory import selectors

from . import registry, services
from .group_actions import NO_ACTIVE
from .server_actions import MAX_BULK, Selection

NO_POWER_ROLE = (
    "Your roles don't allow power operations (ServerOperator, ServerAdmin or AccountAdmin needed)."
)
GROUP_OPERATIONS = tuple(a.name for a in registry.actions("group") if a.placement == "power")


class OperationSerializer(serializers.Serializer):
    operation = serializers.ChoiceField(choices=POWER_OPERATIONS)


class BulkOperationSerializer(OperationSerializer):
    servers = serializers.ListField(
        child=serializers.CharField(max_length=64), allow_empty=False, max_length=500
    )


class GroupOperationSerializer(serializers.Serializer):
    operation = serializers.ChoiceField(choices=GROUP_OPERATIONS)


OperationResults = inline_serializer("OperationResults", {"results": ResultSerializer(many=True)})
GroupOperationResults = inline_serializer(
    "GroupOperationResults",
    {
        "group": serializers.CharField(),
        "message": serializers.CharField(required=False),
        "results": ResultSerializer(many=True),
    },
)


def _message(text, code=status.HTTP_400_BAD_REQUEST) -> Response:
    return Response({"message": text}, status=code)


def _operation_schema(operation_id: str, request, result, examples: list, refused=MESSAGE):
    """A POST starting an operation: 202 queued, 200 nothing to do, 400 ``refused``."""
    return extend_schema(
        operation_id=operation_id,
        request=request,
        parameters=[IDEMPOTENCY],
        responses={202: result, 200: result, 400: refused, **_COMMON},
        examples=examples,
    )


def _validated(serializer, request) -> tuple[dict, Response | None]:
    """The request body's values by ``serializer``, or the 400 saying what is wrong with it."""
    form = serializer(data=request.data)
    if form.is_valid():
        return form.validated_data, None
    return {}, _message(first_error(form.errors))


def _results(outcome) -> list[dict]:
    activities = Activity.objects.select_related("user").in_bulk(
        [i["activity"] for i in outcome.items if i.get("activity")]
    )
    return [
        {
            "server": item["resource"],
            "outcome": item["outcome"],
            "message": item["message"],
            "activity": activity_json(activities[item["activity"]])
            if item.get("activity") in activities
            else None,
            "replayed": outcome.replayed,
        }
        for item in outcome.items
    ]


def _run(request, action, resource):
    """(outcome, None) or (None, the refusal Response)."""
    key = (request.headers.get("Idempotency-Key") or "").strip()[:200] or None
    done = services.replay(request, action, key)
    if done is not None:  # a retry: the first answer (the same status too), nothing sent again
        return _answered(done)
    verdict = action.allowed(request.user, resource)
    if not verdict:
        services.deny(request, action, resource, verdict.reason)
        text = (
            NO_POWER_ROLE
            if verdict.kind == "role"
            else f"You can't {action.label.lower()} this: {verdict.reason}."
        )
        return None, _message(text, status.HTTP_403_FORBIDDEN)
    return _answered(services.run(request, action, resource, None, key=key))


def _answered(outcome):
    """An error the cloud gave no per-server answer for (uncertain: 503; refused: 4xx) is a message
    with its status, the first time and when a retry replays it."""
    if outcome.kind == "error" and not outcome.items:
        return None, _message(outcome.message, outcome.status or 400)
    return outcome, None


def _servers(request, operation, ids):
    action = registry.get("servers", operation)
    if not action.allowed(request.user, None):  # roles first: nothing is read or sent
        return _run(request, action, Selection(tuple(str(i).upper() for i in ids)))
    try:
        ids = selectors.checked_server_ids(ids, limit=MAX_BULK)
    except ValueError as exc:
        return None, _message(str(exc))
    selectors.require_visible_servers(client_for_request(request), ids)  # 404 through the handler
    return _run(request, action, Selection(tuple(ids)))


def _code(outcome) -> int:
    if any(i["outcome"] == "queued" for i in outcome.items):
        return status.HTTP_202_ACCEPTED
    return status.HTTP_200_OK


_COMMON = {401: UNAUTHORIZED, 403: MESSAGE, 404: MESSAGE, 409: MESSAGE, 503: MESSAGE}
_REFUSALS = [
    answer_example("Not found", {"message": "Not found: WA1DEMONOPE01."}, 404),
    answer_example("Key reused", {"message": "This form was already used for a different action."}, 409),
    answer_example("Cloud did not answer", {"message": UNCERTAIN}, 503),
]


class ServerOperationView(APIView):
    """Start a power operation on one server."""

    url = ("servers/<str:server_id>/operations/", "api-server-operation")

    @_operation_schema(
        "server_operation_start",
        OperationSerializer,
        ResultSerializer,
        [*EXAMPLES, *_REFUSALS],
        ResultSerializer,
    )
    def post(self, request, server_id):
        data, refusal = _validated(OperationSerializer, request)
        if refusal is not None:
            return refusal
        outcome, refusal = _servers(request, data["operation"], [server_id])
        if refusal is not None:
            return refusal
        [result] = _results(outcome) or [
            {
                "server": server_id.upper(),
                "outcome": "error",
                "message": outcome.message,
                "activity": None,
                "replayed": outcome.replayed,
            }
        ]
        code = {"queued": 202, "notice": 200}.get(result["outcome"], 400)
        return Response(result, status=code)


class BulkOperationView(APIView):
    """Start a power operation on several servers with one upstream call."""

    url = ("servers/operations/", "api-server-operations")

    @_operation_schema(
        "servers_operation_start",
        BulkOperationSerializer,
        OperationResults,
        [
            OpenApiExample(
                "Power off two",
                {"operation": "powerOff", "servers": ["WA1DEMOWEB01", "WA1DEMOWEB02"]},
                request_only=True,
            ),
            *EXAMPLES[2:],
            *_REFUSALS,
        ],
    )
    def post(self, request):
        data, refusal = _validated(BulkOperationSerializer, request)
        if refusal is not None:
            return refusal
        outcome, refusal = _servers(request, data["operation"], data["servers"])
        if refusal is not None:
            return refusal
        return Response({"results": _results(outcome)}, status=_code(outcome))


class GroupOperationView(APIView):
    """Start a power operation on every active server of a group and its sub-groups (one upstream call)."""

    url = ("groups/<str:group_id>/operations/", "api-group-operations")

    @_operation_schema(
        "group_operation_start",
        GroupOperationSerializer,
        GroupOperationResults,
        [
            OpenApiExample("Power off a group", {"operation": "powerOff"}, request_only=True),
            *EXAMPLES[2:],
            *_REFUSALS,
        ],
    )
    def post(self, request, group_id):
        data, refusal = _validated(GroupOperationSerializer, request)
        if refusal is not None:
            return refusal
        action = registry.get("group", data["operation"])
        group = registry.target("group").load(request, group_id=group_id)
        nothing = Response({"group": group.group.id, "message": NO_ACTIVE, "results": []})
        if group.group.status == "active" and not group.group.server_count:
            return nothing
        outcome, refusal = _run(request, action, group)
        if refusal is not None:
            return nothing if refusal.data.get("message") == NO_ACTIVE else refusal
        return Response({"group": group.group.id, "results": _results(outcome)}, status=_code(outcome))
