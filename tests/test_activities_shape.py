"""The public shape of an activity (``apps.activities.serializers``): the JSON the API answers and the
event stream carries is what ``ActivitySerializer`` documents, written as it always was."""

import datetime as dt
import json

import pytest
from rest_framework import serializers

from apps.accounts.models import User
from apps.activities.models import Activity
from apps.activities.serializers import ActivitySerializer, activity_json
from apps.activities.streams import event_payload
from portal.dataclass_serializers import plain

UTC = dt.UTC
STARTED = dt.datetime(2026, 1, 5, 10, 0, 5, 123456, tzinfo=UTC)


def running(**changes) -> Activity:
    demo = User(pk=7, username="demo", cloud_username="demo.cloud", account_alias="DEMO")
    values = {
        "pk": 42,
        "user": demo,
        "account_alias": "DEMO",
        "operation": "powerOff",
        "resource_ids": ["WA1DEMOWEB01", "WA1DEMOWEB02"],
        "status": "running",
        "upstream_status": "executing",
        "status_id": "wa1-123456",
        "created_at": dt.datetime(2026, 1, 5, 10, 0, tzinfo=UTC),
        "started_at": STARTED,
        "last_polled_at": STARTED,
        "polls": 3,
        "origin": "portal",
    }
    return Activity(**{**values, **changes})


def test_an_activity_is_written_field_by_field_as_its_serializer_documents_it():
    data = activity_json(running())
    assert list(data) == list(ActivitySerializer().fields)
    assert json.dumps(data, separators=(",", ":")) == (
        '{"id":42,"operation":"powerOff","resource_type":"server",'
        '"resource_ids":["WA1DEMOWEB01","WA1DEMOWEB02"],"status":"running","upstream_status":"executing",'
        '"status_id":"wa1-123456","error_message":"","account_alias":"DEMO","user_id":7,"user":"demo.cloud",'
        '"created_at":"2026-01-05T10:00:00+00:00","started_at":"2026-01-05T10:00:05.123456+00:00",'
        '"finished_at":null,"last_polled_at":"2026-01-05T10:00:05.123456+00:00","polls":3,'
        '"origin":"portal","actor":"","summary":""}'
    )
    assert ActivitySerializer(running()).data == data
    assert event_payload(running(), "queued")["activity"] == data


def test_an_external_activity_without_a_person_says_null_for_who():
    reported = {"origin": "external", "actor": "bob@example.com", "summary": "Group created"}
    data = activity_json(
        running(
            user=None, resource_ids=None, started_at=None, finished_at=STARTED, status="succeeded", **reported
        )
    )
    assert (data["user_id"], data["user"], data["resource_ids"]) == (None, None, [])
    assert (data["started_at"], data["finished_at"]) == (None, "2026-01-05T10:00:05.123456+00:00")
    assert (data["actor"], data["summary"]) == ("bob@example.com", "Group created")


def test_plain_refuses_a_getter_for_a_field_the_serializer_does_not_declare():
    class Pair(serializers.Serializer):
        left = serializers.CharField()

    with pytest.raises(TypeError, match="no field rigth"):
        plain(Pair, getters={"rigth": str})
