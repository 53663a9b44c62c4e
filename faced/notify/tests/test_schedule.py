"""Periodic tasks stay on the database queue exactly once."""

import datetime
import io
import logging

import pytest
from django.core.mail import EmailMessage, get_connection
from django.core.management import call_command
from django.test import override_settings
from django.utils import timezone
from django_tasks import task
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from faced.notify import schedule
from faced.notify.schedule import keep_scheduled

DATABASE_QUEUE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
EVERY = datetime.timedelta(minutes=15)


@task()
def tick() -> None:
    """A periodic task of the tests' own, as a deadline check would be."""
    keep_scheduled(tick, EVERY)


def waiting() -> list[DBTaskResult]:
    return list(
        DBTaskResult.objects.filter(
            task_path=tick.module_path, status=TaskResultStatus.READY
        )
    )


class KeepScheduledTests:
    @pytest.fixture(autouse=True)
    def database_queue(self):
        with override_settings(TASKS=DATABASE_QUEUE):
            yield

    def test_it_queues_the_next_run(self, db):
        before = timezone.now()
        result = keep_scheduled(tick, EVERY)
        assert result is not None
        (row,) = waiting()
        assert row.run_after >= before + EVERY
        assert row.run_after <= timezone.now() + EVERY

    def test_it_does_not_queue_a_second_run(self, db):
        """Given a run already waiting, when the task is kept scheduled
        again (a second server starting), then nothing more is queued."""
        keep_scheduled(tick, EVERY)
        assert keep_scheduled(tick, EVERY) is None
        assert keep_scheduled(tick, EVERY) is None
        assert len(waiting()) == 1

    def test_a_run_reschedules_itself(self, db):
        """While a run is in progress (no longer waiting), its call at
        the end queues the next one."""
        keep_scheduled(tick, EVERY)
        (row,) = waiting()
        row.status = TaskResultStatus.RUNNING
        row.save()
        tick.call()
        assert len(waiting()) == 1
        assert waiting()[0].pk != row.pk

    def test_a_finished_run_does_not_count(self, db):
        keep_scheduled(tick, EVERY)
        DBTaskResult.objects.update(status=TaskResultStatus.SUCCESSFUL)
        assert keep_scheduled(tick, EVERY) is not None
        assert len(waiting()) == 1

    def test_the_command_schedules_every_periodic_task(self, db, monkeypatch):
        monkeypatch.setattr(schedule, "PERIODIC", [(tick.module_path, EVERY)])
        out = io.StringIO()
        call_command("schedule", stdout=out)
        call_command("schedule", stdout=out)
        assert len(waiting()) == 1
        assert "next run after 0:15:00" in out.getvalue()
        assert "already waiting" in out.getvalue()


class ImmediateBackendTests:
    def test_it_does_nothing_without_a_queue(self, db):
        """The suite's immediate backend would run the task at once, and
        the task would schedule itself again forever."""
        assert keep_scheduled(tick, EVERY) is None
        assert DBTaskResult.objects.count() == 0

    def test_the_command_queues_nothing(self, db, monkeypatch):
        monkeypatch.setattr(
            schedule,
            "PERIODIC",
            [*schedule.PERIODIC, (tick.module_path, EVERY)],
        )
        out = io.StringIO()
        call_command("schedule", stdout=out)
        assert "keeps no queue" in out.getvalue()
        assert DBTaskResult.objects.count() == 0


class MailNotConfiguredTests:
    @pytest.fixture
    def backend(self, settings):
        settings.EMAIL_BACKEND = (
            "faced.notify.backends.MailNotConfiguredBackend"
        )
        return get_connection()

    def test_it_drops_mail_and_warns_once_without_addresses(
        self, backend, caplog
    ):
        messages = [
            EmailMessage("s", "b", to=[f"canary{n}@example.org"])
            for n in range(3)
        ]
        with caplog.at_level(logging.DEBUG):
            for message in messages:
                assert backend.send_messages([message]) == 0
        warnings = [r for r in caplog.records if r.levelno >= logging.WARNING]
        assert len(warnings) == 1
        assert "not configured" in warnings[0].getMessage()
        assert "canary" not in caplog.text
