"""Reads of the cloud's state through the person's client: ``page_read`` for a page (``?refresh=1``
reads the cloud again), and for the ``/api/v1/`` reads (networks, firewall policies, load
balancers...) a view base, ``read_view`` and the OpenAPI pieces those reads share, among them
``UNAUTHORIZED``: the 401 every API operation documents."""

from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    inline_serializer,
)
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from .middleware import API_EXPIRED_MESSAGE, CLOUD_EXPIRED_MESSAGE, INVALID_TOKEN_MESSAGE
from .services import client_for_request, cloud_client_for

FRESH = OpenApiParameter("fresh", bool, description="Bypass the short per-person cache.", required=False)


def own_client(user, client=None):
    """``client``, or the person's own (a selector called without one)."""
    return client if client is not None else cloud_client_for(user)


def url_part(value: str, pattern, what: str, error: type[Exception], clip: int = 40) -> str:
    """``value`` (stripped) when it matches ``pattern``, else ``error("No <what> '<value>'.")``: an
    id from the URL that can't be one is a 404, never sent upstream."""
    value = (value or "").strip()
    if not pattern.match(value):
        raise error(f"No {what} {value[:clip]!r}.")
    return value


def refresh_asked(request) -> bool:
    """A page's Refresh (``?refresh=1``): read the cloud again, not the short per-person cache."""
    return request.GET.get("refresh") == "1"


def read_for(request, selector, fresh: bool, *args, **kwargs):
    """``selector(user, *args, **kwargs, client=the person's, fresh=fresh)``: how a page, an API read
    and an action's ``load`` (``apps.actions.declare.fresh_load``) call a selector."""
    return selector(request.user, *args, **kwargs, client=client_for_request(request), fresh=fresh)


def page_read(request, selector, **kwargs):
    """``read_for`` a page: fresh when ``?refresh=1``."""
    return read_for(request, selector, refresh_asked(request), **kwargs)


class CloudLinkSerializer(serializers.Serializer):
    """A link the cloud returned (``apps.clc.links.Link``) and the verbs the caller may use on it."""

    rel = serializers.CharField()
    href = serializers.CharField()
    verbs = serializers.ListField(child=serializers.CharField(), source="allowed_verbs")


class ReadView(APIView):
    # Upstream errors are the API's one error handler's (``api_errors``); ``?fresh=1`` reads the
    # cloud again instead of the short per-person cache. (No docstring: a view's is its API summary.)
    # ``url``: its route and its URL's name (``apps.actions.routes.view_patterns``).
    url: tuple[str, str] | None = None

    def fresh(self, request) -> bool:
        return request.query_params.get("fresh", "").lower() in ("1", "true", "yes")

    def client(self, request):
        return client_for_request(request)

    def read(self, request, selector, *args, **kwargs):
        """``read_for`` this request: fresh when ``?fresh=1``."""
        return read_for(request, selector, self.fresh(request), *args, **kwargs)


def serialized(serializer, found):
    """``serializer``'s data of ``found``; ``serializer`` is a class, or a ``many=True`` instance (what
    a schema documents for a list answer), whose child's class then lists ``found``."""
    if isinstance(serializer, serializers.ListSerializer):
        return type(serializer.child)(found, many=True).data
    return serializer(found).data


def read_view(
    schema,
    selector,
    shape=None,
    doc: str = "",
    url: tuple[str, str] | None = None,
    *,
    first=None,
    query: dict | None = None,
) -> type[ReadView]:
    """A GET of ``url`` (its route and name) answering ``selector(user, **the URL's kwargs, ...)``
    (through ``shape``, if given) with the serializer ``schema`` documents (``schema``:
    ``read_schemas(...)(operation_id, summary, serializer, example)``); ``doc`` is its description.
    ``first``: a selector read before, with the URL's kwargs (``servers/<server_id>/...``: the
    server); ``selector`` is then given its answer instead, ``selector(user, <first's>, ...)``.
    Both read fresh on ``?fresh=1``. ``query``: more keywords for ``selector``, each read from the
    query string before anything is read (``{"group_id": reader}``, ``reader(request.query_params)``;
    a reader raises DRF's ``ParseError`` for a 400 ``{"message"}``)."""
    serializer = schema.serializer
    readers = dict(query or {})

    class Read(ReadView):
        @schema
        def get(self, request, **kwargs):
            asked = {name: reader(request.query_params) for name, reader in readers.items()}
            if first is None:
                found = self.read(request, selector, **kwargs, **asked)
            else:
                found = self.read(request, selector, self.read(request, first, **kwargs), **asked)
            return Response(serialized(serializer, shape(found) if shape else found))

    Read.__doc__ = doc or None
    Read.url = url
    return Read


def answer_example(name: str, body, code: int = 200, media_type: str | None = None) -> OpenApiExample:
    """An example of an answer (``code``'s), for the schema's ``examples``."""
    return OpenApiExample(name, body, response_only=True, status_codes=[str(code)], media_type=media_type)


def message_answer(serializer, description: str, name: str, body: dict) -> OpenApiResponse:
    """A documented error answer: ``serializer`` (``{"message"}``...) with one example."""
    return OpenApiResponse(serializer, description=description, examples=[OpenApiExample(name, body)])


# The API's one 401, as it is sent: by the session middleware when the cloud session expired
# (``{"message", "login"}``), by the personal token's authentication when the token's owner must sign
# in again (the same) or the token is bad (``{"message"}``, like no credentials at all: DRF's text).
# Its component keeps the name most operations documented it under before it was defined once.
UNAUTHORIZED = OpenApiResponse(
    inline_serializer(
        "ActivityUnauthorized",
        {
            "message": serializers.CharField(),
            "login": serializers.CharField(
                required=False, help_text="Where to sign in again (when the cloud session expired)."
            ),
        },
    ),
    description='A bad or missing personal token (`{"message"}`), or the cloud session expired '
    '(`{"message", "login"}`: sign in to the portal again).',
    examples=[
        OpenApiExample("Cloud session expired", {"message": API_EXPIRED_MESSAGE, "login": "/login/"}),
        OpenApiExample(
            "Cloud session expired for a token", {"message": CLOUD_EXPIRED_MESSAGE, "login": "/login/"}
        ),
        OpenApiExample("Bad token", {"message": INVALID_TOKEN_MESSAGE}),
    ],
)


def message_errors(name: str, answers: dict) -> dict:
    """An app's documented error answers: ``{code: (description, example message)}`` ->
    ``{code: message_answer(...)}`` with one ``{"message"}`` serializer named ``name``, and the API's
    401 (``UNAUTHORIZED``, not one of ``answers``), in the order of the codes."""
    serializer = inline_serializer(name, {"message": serializers.CharField()})
    documented = {
        code: message_answer(serializer, d, str(code), {"message": m}) for code, (d, m) in answers.items()
    }
    return dict(sorted({**documented, 401: UNAUTHORIZED}.items()))


def read_schemas(tag: str, errors: dict, example: str = "Example", parameters: list | None = None):
    """``schema(operation_id, summary, serializer, example)``: the schema of one GET of ``tag``,
    its 200 answer with the example, and the ``errors`` answers. For a list answer (a ``many=True``
    serializer) the example is one item: drf-spectacular shows it in a list."""

    def schema(operation_id: str, summary: str, serializer, body: dict):
        decorator = extend_schema(
            operation_id=operation_id,
            summary=summary,
            tags=[tag],
            parameters=parameters,
            responses={200: serializer, **errors},
            examples=[answer_example(example, body)],
        )
        decorator.serializer = serializer  # what ``read_view`` answers with
        return decorator

    return schema
