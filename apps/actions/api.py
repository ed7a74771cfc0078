"""``/api/v1/groups/<id>/operations/``: a power operation on every active server of a group's subtree.

POST {"operation": "powerOff"}  (optional header ``Idempotency-Key``)
    202 {"group", "results": [{"server", "outcome", "message", "activity", "replayed"}]}  something queued
    200 the same shape when nothing was queued (already in that state), or no active servers
    400 {"message"}  unknown operation / the cloud refused the call
    403 {"message"}  the person's roles can't (checked locally), or the group offers no such action
    404 {"message"}  unknown group, or another account's

One upstream call with all the ids (``apps.activities.services.start_server_operation``): the same
shape, checks, audit and replay as ``POST /api/v1/servers/operations/``.
"""

from drf_spectacular.utils import OpenApiExample, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.response import Response

from apps.accounts.services import client_for_request
from apps.activities import api_common
from apps.activities import services as activity_services
from apps.clc import errors as clc_errors
from apps.inventory import selectors

from .forms_group import GROUP_POWER_OPERATIONS
from .views_group import fetch_group, may_power


class GroupOperationSerializer(serializers.Serializer):
    operation = serializers.ChoiceField(choices=list(GROUP_POWER_OPERATIONS))


GroupOperationResults = inline_serializer(
    "GroupOperationResults",
    {
        "group": serializers.CharField(),
        "message": serializers.CharField(required=False),
        "results": api_common.ResultSerializer(many=True),
    },
)

_bad = api_common.message_response


class GroupOperationView(api_common.OperationView):
    """Start a power operation on every active server of a group and its sub-groups (one upstream call)."""

    serializer_class = GroupOperationSerializer

    @extend_schema(
        operation_id="group_operation_start",
        request=GroupOperationSerializer,
        parameters=[api_common.IDEMPOTENCY],
        responses={
            202: GroupOperationResults,
            200: GroupOperationResults,
            400: api_common.MESSAGE,
            401: api_common.UNAUTHORIZED,
            403: api_common.MESSAGE,
            404: api_common.MESSAGE,
        },
        examples=[
            OpenApiExample("Power off a group", {"operation": "powerOff"}, request_only=True),
            *api_common.EXAMPLES[2:],
            OpenApiExample("Not found", {"message": "Not found."}, response_only=True, status_codes=["404"]),
        ],
    )
    def post(self, request, group_id):
        form = GroupOperationSerializer(data=request.data)
        if not form.is_valid():
            return _bad(api_common.first_error(form.errors))
        operation = form.validated_data["operation"]
        try:
            group = fetch_group(client_for_request(request), group_id)
        except selectors.NotFound:
            return _bad("Not found.", status.HTTP_404_NOT_FOUND)
        except clc_errors.Forbidden:
            return _bad("Your role may not read this group.", status.HTTP_403_FORBIDDEN)
        if not activity_services.allowed(request.user, operation):
            return _bad(api_common.NO_POWER_ROLE, status.HTTP_403_FORBIDDEN)
        if not may_power(group):
            return _bad(
                "This group offers no power operations (archived, or not allowed for your role).", 403
            )
        view = selectors.datacenter_view(request.user, group.location_id, group.id)
        ids = [r.id for r in view.servers if r.status == "active" and not r.error]
        if not ids:
            return Response(
                {"group": group.id, "message": "No active servers in this group.", "results": []},
                status=status.HTTP_200_OK,
            )
        results, error = self.start(request, operation, ids)
        if error is not None:
            return error
        code = status.HTTP_202_ACCEPTED if any(r.outcome == "queued" for r in results) else status.HTTP_200_OK
        return Response(
            {"group": group.id, "results": [api_common.result_json(r) for r in results]}, status=code
        )
