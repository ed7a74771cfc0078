"""The OpenAPI pieces of the action API, derived from the registry (one definition per action):
a request serializer built from the action's form, the answer's shape, and examples."""

from django import forms
from drf_spectacular.utils import OpenApiExample, inline_serializer
from rest_framework import serializers

from apps.activities.api_common import EXAMPLE_ACTIVITY
from apps.activities.serializers import ActivitySerializer
from apps.activities.services import UNCERTAIN

from .registry import target

_FIELD_TYPES = (
    (forms.IntegerField, serializers.IntegerField),
    (forms.BooleanField, serializers.BooleanField),
    (forms.MultipleChoiceField, None),
    (forms.ChoiceField, serializers.CharField),
    (forms.CharField, serializers.CharField),
)


# Request members a form takes from the API besides its fields (``ActionForm.api_extra``).
API_EXTRA = {
    "custom_fields": lambda: serializers.DictField(
        child=serializers.CharField(allow_blank=True),
        required=False,
        help_text="Custom field values by the field's id or name (the account's custom field definitions); "
        'fields left out keep their value, "" unsets one.',
    ),
    "additional_disks": lambda: serializers.ListField(
        child=serializers.DictField(),
        required=False,
        max_length=8,
        help_text='Extra disks: [{"size_gb": 1-1024, "path": "/data" or a drive letter (optional: raw)}].',
    ),
}


def _serializer_field(field: forms.Field):
    if hasattr(field, "api_field"):  # a field with a structured value (e.g. a pool's node list)
        return field.api_field()
    kwargs = {"required": field.required, "help_text": str(field.help_text or field.label or "")}
    if isinstance(field.widget, forms.PasswordInput):
        kwargs["style"] = {"input_type": "password"}
    if isinstance(field, forms.MultipleChoiceField):
        return serializers.ListField(child=serializers.CharField(), **kwargs)
    for form_type, serializer_type in _FIELD_TYPES:
        if isinstance(field, form_type) and serializer_type is not None:
            if serializer_type is serializers.IntegerField:
                kwargs.update(min_value=field.min_value, max_value=field.max_value)
            if serializer_type is serializers.CharField and getattr(field, "max_length", None):
                kwargs["max_length"] = field.max_length
            if not field.required and serializer_type is serializers.CharField:
                kwargs["allow_blank"] = True
            return serializer_type(**kwargs)
    return serializers.CharField(**kwargs)


def _component(action) -> str:
    return "".join(
        part[:1].upper() + part[1:] for part in f"{action.target} {action.name}".replace("-", " ").split()
    )


def request_serializer(action):
    """A serializer with the action's form fields (and ``ids`` for actions on many servers)."""
    fields = {}
    if action.form is not None:
        fields = {name: _serializer_field(field) for name, field in action.form.base_fields.items()}
        fields.update({name: API_EXTRA[name]() for name in getattr(action.form, "api_extra", ())})
    if target(action.target).many:
        fields["ids"] = serializers.ListField(child=serializers.CharField(max_length=64), min_length=1)
    return inline_serializer(f"{_component(action)}Request", fields) if fields else None


class ItemSerializer(serializers.Serializer):
    resource = serializers.CharField()
    outcome = serializers.CharField(help_text="queued, notice (nothing to do) or error")
    message = serializers.CharField()
    activity = ActivitySerializer(allow_null=True)


class ActionResultSerializer(serializers.Serializer):
    action = serializers.CharField()
    outcome = serializers.CharField(help_text="queued, done (at once), notice (nothing to do) or error")
    message = serializers.CharField()
    activities = ActivitySerializer(many=True)
    results = ItemSerializer(many=True)
    replayed = serializers.BooleanField()


_CLOUD = "When the cloud refused: as in a result, with outcome error (the status is the cloud's)."
# Every refusal: before anything is sent ({message} with reason or errors) or by the cloud (the
# result's members too, outcome "error", with the cloud's status: 400, 403, 404, 409, 503...).
REFUSAL = inline_serializer(
    "ActionRefusal",
    {
        "message": serializers.CharField(),
        "reason": serializers.CharField(required=False, help_text="403 before sending: the role or state"),
        "errors": serializers.DictField(required=False, help_text="400 before sending: the form's, by field"),
        "action": serializers.CharField(required=False, help_text=_CLOUD),
        "outcome": serializers.CharField(required=False, help_text=_CLOUD),
        "activities": ActivitySerializer(many=True, required=False, help_text=_CLOUD),
        "results": ItemSerializer(many=True, required=False, help_text=_CLOUD),
        "replayed": serializers.BooleanField(required=False, help_text=_CLOUD),
    },
)


def _result(action, outcome: str, message: str) -> dict:
    return {
        "action": action.audit_action,
        "outcome": outcome,
        "message": message,
        "activities": [],
        "results": [],
        "replayed": False,
    }


def examples(action) -> list:
    """A request example and one example per documented answer."""

    def answer(name, body, code):
        return OpenApiExample(name, body, response_only=True, status_codes=[str(code)])

    return [
        OpenApiExample(action.label, dict(action.example), request_only=True),
        answer(
            "Queued",
            {**_result(action, "queued", f"{action.label} queued"), "activities": [EXAMPLE_ACTIVITY]},
            202,
        ),
        answer(
            "Done",
            _result(action, "done" if not action.queues else "notice", action.done or "Nothing to do."),
            200,
        ),
        answer(
            "Invalid input",
            {"message": "A field is invalid.", "errors": {"field": ["A field is invalid."]}},
            400,
        ),
        answer(
            "Refused",
            {
                "message": f"You can't {action.label.lower()} this: needs Server Administrator.",
                "reason": "needs Server Administrator",
            },
            403,
        ),
        answer("Not found", {"message": "Not found."}, 404),
        answer("Key reused", {"message": "This form was already used for a different action."}, 409),
        answer("Cloud refused", _result(action, "error", "The cloud refused this request."), 409),
        answer("Cloud did not answer", {"message": UNCERTAIN}, 503),
    ]
