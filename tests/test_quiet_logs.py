"""The dispatcher runs twice a second: Celery's own lines about it (beat sending it, the worker
receiving it and finishing it) are not logged, so the quick start's output keeps its banner and real
errors in view; a dispatch logs one line when it changed something, nothing when it did not.
(tests/test_infra_quickstart.py checks the same on the quick start's real output.)"""

import logging

import pytest
from django.utils import timezone

from apps.accounts.models import User
from apps.activities import tasks
from apps.activities.models import Activity

TRACE = "Task %(name)s[%(id)s] succeeded in %(runtime)ss: %(return_value)s"


def routine_lines(caplog):
    return [r.getMessage() for r in caplog.records if r.name.startswith("celery")]


def test_celery_does_not_log_each_dispatch_but_keeps_other_tasks_and_warnings(caplog):
    caplog.set_level(logging.INFO)
    beat = logging.getLogger("celery.beat")
    trace = logging.getLogger("celery.app.trace")
    beat.info("Scheduler: Sending due task %s (%s)", "activities-dispatch", "activities.dispatch")
    trace.info(TRACE, {"name": "activities.dispatch", "id": "1", "runtime": 0.01, "return_value": "{}"})
    assert routine_lines(caplog) == []
    beat.info("Scheduler: Sending due task %s (%s)", "audit-prune", "audit.prune")
    trace.info(TRACE, {"name": "audit.prune", "id": "2", "runtime": 0.01, "return_value": "0"})
    beat.warning("Scheduler: task %s is late", "activities.dispatch")
    assert routine_lines(caplog) == [
        "Scheduler: Sending due task audit-prune (audit.prune)",
        "Task audit.prune[2] succeeded in 0.01s: 0",
        "Scheduler: task activities.dispatch is late",
    ]


@pytest.mark.django_db
def test_a_dispatch_logs_only_when_it_changed_something(caplog):
    caplog.set_level(logging.INFO, logger="apps.activities.tasks")
    tasks.dispatch.run()  # nothing due
    assert [r for r in caplog.records if r.name == "apps.activities.tasks"] == []
    user = User.objects.create(username="DEMO/x", cloud_username="x", account_alias="DEMO")
    # No status link: the first poll settles it as unknown (a status change, no upstream needed).
    Activity.objects.create(user=user, account_alias="DEMO", operation="reboot", next_poll_at=timezone.now())
    tasks.dispatch.run()
    lines = [r.getMessage() for r in caplog.records if r.name == "apps.activities.tasks"]
    assert lines == ["dispatch: 1 status change(s) (1 claimed, 0 polled)"]
    tasks.dispatch.run()  # nothing due any more: silent again
    assert len([r for r in caplog.records if r.name == "apps.activities.tasks"]) == 1
