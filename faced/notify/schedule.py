"""Periodic tasks, kept on the task queue without a separate scheduler.

A periodic task calls `keep_scheduled` on itself when it ends; `faced
schedule` (run by `faced serve` and `faced demo` as they start) puts each
one on the queue once, so that the chain starts and restarts after an
outage. Two copies that slip in (two servers starting at once, or a start
while a run is in progress) merge by themselves: the first to run finds the
other waiting and does not add a third.
"""

import datetime
import hashlib

from django.db import connections, router, transaction
from django.utils import timezone
from django_tasks.base import Task, TaskResult, TaskResultStatus

# Every periodic task, as (dotted path of the task, how often it runs).
PERIODIC: list[tuple[str, datetime.timedelta]] = [
    # Missed deadlines of cases and measure notices.
    ("faced.cases.tasks.check_deadlines", datetime.timedelta(hours=1)),
    # Matches found since the last run: ledger entries, counselors told.
    ("faced.matching.tasks.publish_matches", datetime.timedelta(minutes=15)),
]


def keep_scheduled(task: Task, every: datetime.timedelta) -> TaskResult | None:
    """Queue TASK to run EVERY from now, unless a run of it is already
    waiting. Returns the new result, or None when nothing was queued.

    Only the database backend keeps a queue to look in; with any other
    (the immediate backend of the tests, for one) nothing is queued, since
    running the task at once would run it forever.
    """
    # Imported here so that a tasks module can import this one before
    # the app registry is ready.
    from django_tasks_db.backend import DatabaseBackend
    from django_tasks_db.models import DBTaskResult

    backend = task.get_backend()
    if not isinstance(backend, DatabaseBackend):
        return None
    using = router.db_for_write(DBTaskResult)
    with transaction.atomic(using=using):
        # SQLite's IMMEDIATE transactions already let one writer in at a
        # time; PostgreSQL would let two starting servers both find no
        # waiting run, so they take a lock named after the task first.
        _lock(using, task.module_path)
        waiting = DBTaskResult.objects.using(using).filter(
            task_path=task.module_path,
            backend_name=backend.alias,
            status=TaskResultStatus.READY,
        )
        if waiting.exists():
            return None
        return task.using(run_after=timezone.now() + every).enqueue()


def _lock(using: str, name: str) -> None:
    connection = connections[using]
    if connection.vendor != "postgresql":
        return
    key = int.from_bytes(
        hashlib.blake2b(name.encode(), digest_size=8).digest(),
        "big",
        signed=True,
    )
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [key])
