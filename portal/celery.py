"""The Celery app: broker and results in Redis, tasks discovered in every installed app.

Routine periodic tasks (``QUIET_TASKS``: the dispatcher, twice a second) are not logged when they
are sent, received and finished: at INFO, beat and the worker would otherwise write several lines a
second and bury the quick start's banner and real errors. Such a task logs by itself when it did
something; warnings and errors about it are always logged.
"""

import logging
import os

from celery import Celery
from celery.signals import after_setup_logger, after_setup_task_logger

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.development")

app = Celery("portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

QUIET_TASKS: set[str] = set()  # task names (``portal.beat.register(..., quiet=True)`` adds them)
ROUTINE_LOGGERS = ("celery.beat", "celery.worker.strategy", "celery.app.trace", "celery.worker.request")


class QuietRoutine(logging.Filter):
    """Drops INFO (and lower) records of Celery's own about a task in ``QUIET_TASKS``."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno > logging.INFO or not QUIET_TASKS:
            return True
        args = record.args
        if isinstance(args, dict):
            values = [args.get("name")]
        elif isinstance(args, tuple):
            values = [a for a in args if isinstance(a, str)]
        else:
            values = []
        return not any(v in QUIET_TASKS for v in values)


_quiet = QuietRoutine()


def quiet_routine_logs(**_kwargs) -> None:
    for name in ROUTINE_LOGGERS:
        logger = logging.getLogger(name)
        if _quiet not in logger.filters:
            logger.addFilter(_quiet)


quiet_routine_logs()
after_setup_logger.connect(quiet_routine_logs, weak=False)
after_setup_task_logger.connect(quiet_routine_logs, weak=False)
