"""``/api/v1/<target route>actions/<name>/``: every registered action, for scripts.

POST with the action's fields as JSON (the same form validates pages and the API), optional
``Idempotency-Key`` header (a retry with the same key replays the first answer and sends nothing):

    202 {"action", "outcome": "queued", "message", "activities": [...], "results": [...], "replayed"}
    200 the same shape for an immediate change ("done") or nothing to do ("notice")
    400 {"message", "errors"}     invalid input: nothing was sent upstream
    403 {"message", "reason"}     the person's role or the resource's state (nothing sent)
    404 {"message"}               unknown resource, or another account's
    409 / 503 {"message"}         the key was used for something else / the cloud did not answer
    4xx / 503 the result's shape, "outcome": "error", when the cloud refused (its status)

One view class per action (``views_for``), so the schema documents each with its own request.
"""

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.accounts.api_errors import first_error
from apps.accounts.reads import UNAUTHORIZED
from apps.activities.api_common import IDEMPOTENCY
from apps.activities.models import Activity
from apps.activities.serializers import activity_json

from . import registry, schema, services


def outcome_json(action, outcome) -> dict:
    activities = {
        a.pk: a for a in Activity.objects.select_related("user").filter(pk__in=outcome.activity_ids)
    }
    return {
        "action": action.audit_action,
        "outcome": outcome.kind,
        "message": outcome.message,
        "activities": [activity_json(activities[i]) for i in outcome.activity_ids if i in activities],
        "results": [
            {
                **item,
                "activity": activity_json(activities[item["activity"]])
                if item.get("activity") in activities
                else None,
            }
            for item in outcome.items
        ],
        "replayed": outcome.replayed,
    }


def status_of(outcome) -> int:
    if outcome.kind == "queued":
        return status.HTTP_202_ACCEPTED
    if outcome.kind in ("done", "notice"):
        return status.HTTP_200_OK
    return outcome.status or status.HTTP_400_BAD_REQUEST


class ActionAPIView(APIView):
    """Runs one registered action (``action`` is set per generated class)."""

    action: registry.Action = None

    def post(self, request, **ids):
        act = self.action
        kind = registry.target(act.target)
        key = (request.headers.get("Idempotency-Key") or "").strip()[:200] or None
        done = services.replay(request, act, key)
        if done is not None:  # a retry: the first answer, nothing sent again
            return Response(outcome_json(act, done), status=status_of(done))
        try:
            resource = kind.load(request, **ids)
        except ValueError as exc:
            return Response({"message": str(exc)}, status=status.HTTP_400_BAD_REQUEST)
        verdict = act.allowed(request.user, resource)
        if not verdict:
            services.deny(request, act, resource, verdict.reason)
            return Response(
                {
                    "message": f"You can't {act.label.lower()} {kind.title(resource)}: {verdict.reason}.",
                    "reason": verdict.reason,
                },
                status=status.HTTP_403_FORBIDDEN,
            )
        data = request.data if isinstance(request.data, dict) else {}
        form = act.form(data, resource=resource, request=request) if act.form is not None else None
        if form is not None and not form.is_valid():
            return Response(
                {"message": first_error(form.errors), "errors": {k: list(v) for k, v in form.errors.items()}},
                status=status.HTTP_400_BAD_REQUEST,
            )
        outcome = services.run(request, act, resource, form, key=key)
        return Response(outcome_json(act, outcome), status=status_of(outcome))


def view_for(action):
    """An ``ActionAPIView`` subclass for ``action``, documented with its own request and examples."""
    name = f"{action.target.title().replace('-', '')}{action.name[:1].upper()}{action.name[1:]}APIView"

    def post(self, request, **ids):  # a function of its own: the schema decorator marks it
        return ActionAPIView.post(self, request, **ids)

    post = extend_schema(
        operation_id=f"{action.target}_{action.name}".replace("-", "_"),
        summary=action.label,
        description=action.description or f"{action.label} ({action.target}).",
        tags=[f"{action.target} actions"],
        request=schema.request_serializer(action),
        parameters=[IDEMPOTENCY],
        responses={
            200: schema.ActionResultSerializer,
            202: schema.ActionResultSerializer,
            400: schema.REFUSAL,
            401: UNAUTHORIZED,
            403: schema.REFUSAL,
            404: schema.REFUSAL,
            409: schema.REFUSAL,
            503: schema.REFUSAL,
        },
        examples=schema.examples(action),
    )(post)
    return type(name, (ActionAPIView,), {"action": action, "post": post, "__doc__": action.label})
