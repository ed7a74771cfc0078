"""The public shape of an activity, declared once: ``ActivitySerializer`` documents it (the API's
schema) and writes it; ``activity_json`` is that writer, for the API answers and the event stream's
entries (``streams.event_payload``).

It is on the hot path (every status change is published; a list answers up to 500 rows), so the
serializer's ``to_representation`` is compiled from its fields (``portal.dataclass_serializers.plain``):
one dict display, as quick as the one written by hand it replaces.
"""

from rest_framework import serializers

from portal.dataclass_serializers import IsoDateTimeField, plain

from .models import Origin, Status


def _username(activity):
    user = activity.user if activity.user_id else None
    return getattr(user, "cloud_username", None) if user else None


# No docstring: it would be the schema's text.
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
    created_at = IsoDateTimeField()
    started_at = IsoDateTimeField(allow_null=True)
    finished_at = IsoDateTimeField(allow_null=True)
    last_polled_at = IsoDateTimeField(allow_null=True)
    polls = serializers.IntegerField()
    origin = serializers.ChoiceField(
        choices=Origin.choices, help_text="portal: started here; external: reported by the cloud"
    )
    actor = serializers.CharField(help_text="external: who made the change, as far as the cloud said")
    summary = serializers.CharField(help_text="external: what changed, as far as the cloud said")


# Every other field is the activity's attribute of that name, as it is.
plain(
    ActivitySerializer,
    getters={
        "resource_ids": lambda activity: list(activity.resource_ids or ()),
        "user": _username,
    },
)

# activity -> the dict the API answers and the stream carries.
activity_json = ActivitySerializer().to_representation
