"""Every periodic job is on the beat schedule at once: one app's entries never replace another's."""

from portal.celery import app


def test_beat_schedule_holds_dispatcher_audit_prune_and_notification_retries():
    app.loader.import_default_modules()  # what `celery beat` does before reading the schedule
    schedule = app.conf.beat_schedule
    tasks = {entry["task"]: entry for entry in schedule.values()}
    assert {"activities.dispatch", "audit.prune", "notifications.retry_pending"} <= set(tasks)
    for name in tasks:
        assert name in app.tasks, f"beat would send {name}, which no worker knows"
    assert tasks["audit.prune"]["schedule"] == 24 * 3600.0
    assert tasks["notifications.retry_pending"]["schedule"] == 300.0
    assert tasks["activities.dispatch"]["schedule"] <= 1.0
