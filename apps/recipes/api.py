"""``/api/v1/recipes/``: the account's server recipes and launching one with only a name.

GET  /api/v1/recipes/                 {"results": [recipe, ...]}  (with ``can_launch`` for the caller)
GET  /api/v1/recipes/<id>/            one recipe; another account's: 404
POST /api/v1/recipes/<id>/launch/     {"name": "web"}  (optional header ``Idempotency-Key``)
    202 {"server", "outcome": "queued", "message", "activity", "replayed", "ttl"}  (activities' result
        shape; ``ttl``: when the cloud deletes the server, the value sent upstream, or null)
    400 {"message"}  bad name, any field besides ``name`` (the recipe fixes the rest), the cloud refused
    403 {"message"}  roles may not create servers / the recipe is not offered to the caller / cloud 403
    404 {"message"}  no such recipe in the caller's account
    409 {"message"}  the same Idempotency-Key was used for another launch
    503 {"message"}  the cloud did not answer: whether the server is being built is unknown
"""

from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.accounts.reads import UNAUTHORIZED, answer_example
from apps.activities import api_common as activities_api
from apps.activities.serializers import activity_json
from apps.activities.services import UNCERTAIN

from . import services
from .models import CREATE_ROLES, STORAGE_TYPES


class MayLaunchField(serializers.BooleanField):
    """Whether the person asking (the serializer's ``context["user"]``) may launch the recipe."""

    def __init__(self, **kwargs):
        super().__init__(source="*", **kwargs)

    def to_representation(self, recipe):
        return services.may_launch(recipe, self.context["user"])


# A recipe as the API answers it (and documents it: no docstring, it would be the schema's text).
class RecipeSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    description = serializers.CharField()
    datacenter = serializers.CharField()
    group_id = serializers.CharField()
    group_name = serializers.CharField()
    template = serializers.CharField()
    cpu = serializers.IntegerField()
    memory_gb = serializers.IntegerField()
    network_id = serializers.CharField()
    network_name = serializers.CharField()
    storage_type = serializers.ChoiceField(choices=[s for s, _ in STORAGE_TYPES])
    ttl_hours = serializers.IntegerField(allow_null=True)
    allowed_roles = serializers.ListField(child=serializers.ChoiceField(choices=list(CREATE_ROLES)))
    allowed_users = serializers.ListField(child=serializers.CharField())
    can_launch = MayLaunchField()
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()


class RecipeListSerializer(serializers.Serializer):
    results = RecipeSerializer(many=True)


class LaunchResultSerializer(activities_api.ResultSerializer):
    ttl = serializers.DateTimeField(
        allow_null=True,
        help_text="When the cloud deletes the server (the recipe's time to live, sent upstream as `ttl`); "
        "null when the recipe keeps servers until deleted.",
    )


class LaunchSerializer(serializers.Serializer):
    name = serializers.CharField(
        max_length=8,
        help_text="Letters, digits and dashes; account alias + name at most 10 characters. "
        "No other field is accepted: the recipe fixes everything else.",
    )


_RECIPE = {
    "id": 3,
    "name": "Small web server",
    "description": "Ubuntu web node",
    "datacenter": "WA1",
    "group_id": "wa1-demo-web",
    "group_name": "Web",
    "template": "UBUNTU-22-64-TEMPLATE",
    "cpu": 2,
    "memory_gb": 4,
    "network_id": "",
    "network_name": "",
    "storage_type": "standard",
    "ttl_hours": 24,
    "allowed_roles": ["AccountAdmin", "ServerAdmin", "ServerOperator"],
    "allowed_users": [],
    "can_launch": True,
    "created_at": "2026-01-05T10:00:00Z",
    "updated_at": "2026-01-05T10:00:00Z",
}
_LAUNCHED = {
    "server": "WA1DEMOWEB03",
    "outcome": "queued",
    "message": "",
    "activity": {
        **activities_api.EXAMPLE_ACTIVITY,
        "operation": "createServer",
        "resource_ids": ["WA1DEMOWEB03"],
    },
    "replayed": False,
    "ttl": "2026-01-06T10:00:00Z",
}
NOT_FOUND = answer_example("Not found", {"message": "Not found."}, 404)


def _message(message, code):
    return Response({"message": message}, status=code)


class RecipeListView(APIView):
    """The server recipes of the caller's account."""

    @extend_schema(
        operation_id="recipes_list",
        responses={200: RecipeListSerializer, 401: UNAUTHORIZED},
        examples=[
            answer_example("Recipes", {"results": [_RECIPE]}),
        ],
    )
    def get(self, request):
        recipes = services.visible_recipes(request.user)
        return Response(RecipeListSerializer({"results": recipes}, context={"user": request.user}).data)


class RecipeDetailView(APIView):
    """One recipe of the caller's account (another account's: 404)."""

    @extend_schema(
        operation_id="recipe_detail",
        responses={200: RecipeSerializer, 401: UNAUTHORIZED, 404: activities_api.MESSAGE},
        examples=[
            answer_example("Recipe", _RECIPE),
            NOT_FOUND,
        ],
    )
    def get(self, request, recipe_id):
        recipe = services.recipe_for(request.user, recipe_id)
        if recipe is None:
            return _message("Not found.", status.HTTP_404_NOT_FOUND)
        return Response(RecipeSerializer(recipe, context={"user": request.user}).data)


class RecipeLaunchView(APIView):
    """Launch a server from a recipe: only its name is chosen; the recipe fixes the rest."""

    serializer_class = LaunchSerializer

    @extend_schema(
        operation_id="recipe_launch",
        request=LaunchSerializer,
        parameters=[
            OpenApiParameter(
                "Idempotency-Key",
                str,
                OpenApiParameter.HEADER,
                required=False,
                description="Retrying with the same key replays the first answer: one server at most.",
            )
        ],
        responses={
            202: LaunchResultSerializer,
            400: activities_api.MESSAGE,
            401: UNAUTHORIZED,
            403: activities_api.MESSAGE,
            404: activities_api.MESSAGE,
            409: activities_api.MESSAGE,
            503: activities_api.MESSAGE,
        },
        examples=[
            OpenApiExample("Launch", {"name": "web"}, request_only=True),
            answer_example("Queued", _LAUNCHED, 202),
            answer_example("Bad name", {"message": "Use only letters, digits and dashes in the name."}, 400),
            answer_example(
                "Bounds", {"message": "A recipe's launch takes only a name; unexpected field(s): cpu."}, 400
            ),
            answer_example(
                "Not allowed",
                {
                    "message": "Your roles may not create servers (AccountAdmin, ServerAdmin or ServerOperator needed)."
                },
                403,
            ),
            NOT_FOUND,
            answer_example(
                "Key reused", {"message": "This form was already used for a different action."}, 409
            ),
            answer_example("No answer", {"message": UNCERTAIN}, 503),
        ],
    )
    def post(self, request, recipe_id):
        recipe = services.recipe_for(request.user, recipe_id)
        if recipe is None:
            return _message("Not found.", status.HTTP_404_NOT_FOUND)
        data = request.data
        if not isinstance(data, dict):
            return _message('Send a JSON object: {"name": "web"}.', status.HTTP_400_BAD_REQUEST)
        extra = sorted(str(k) for k in data if k != "name")
        if extra:
            return _message(
                f"A recipe's launch takes only a name; unexpected field(s): {', '.join(extra)[:200]}.",
                status.HTTP_400_BAD_REQUEST,
            )
        name = data.get("name")
        if isinstance(name, list):  # form-encoded bodies give lists
            name = name[0] if len(name) == 1 else None
        try:
            key = services.check_key(request.headers.get("Idempotency-Key"))
            result = services.launch(request, recipe, name, key)
        except services.Refused as exc:
            return _message(exc.message, exc.status)
        outcome = result.outcome
        if outcome.kind == "error":
            return _message(outcome.message or "The cloud refused this launch.", outcome.status)
        body = {
            "server": result.server_id,
            "outcome": "queued" if outcome.kind == "queued" else outcome.kind,
            "message": "" if outcome.kind == "queued" else outcome.message,
            "activity": activity_json(result.activity) if result.activity else None,
            "replayed": outcome.replayed,
            "ttl": result.ttl,
        }
        return Response(body, status=status.HTTP_202_ACCEPTED)
