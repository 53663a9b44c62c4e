"""Contentless update notices: one separate e-mail per person, after the
commit, saying nothing of what the update is about."""

import logging
import smtplib

import pytest
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend
from django.db import transaction
from django.test import override_settings
from django_tasks_db.models import DBTaskResult

from faced.accounts.contact import contact_address_set
from faced.accounts.models import ContactAddress
from faced.notify.services import notify
from faced.notify.tasks import send_pending_notices, send_update_notices

DATABASE_QUEUE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
SURVIVOR_ADDRESS = "canary.survivor@example.org"
MEMBER_ADDRESS = "canary.member@example.org"


def pend_and_send(user_ids):
    """Mark notices pending, as notify does, and run the sender on them."""
    ContactAddress.objects.filter(user_id__in=user_ids).update(
        notice_pending=True
    )
    return send_update_notices(user_ids)


@pytest.fixture
def addresses(personas):
    """The survivor and committee1 gave addresses; committee2 did not."""
    contact_address_set(user=personas["survivor"], email=SURVIVOR_ADDRESS)
    contact_address_set(user=personas["committee1"], email=MEMBER_ADDRESS)
    return personas


class NotifyTests:
    def test_it_sends_one_email_per_person_with_an_address(
        self, addresses, django_capture_on_commit_callbacks
    ):
        """Given two people with addresses and one without, when all three
        (and a duplicate, and nobody) are notified, then each of the two
        gets one e-mail of their own and the third gets none."""
        people = [
            addresses["survivor"],
            addresses["committee1"],
            addresses["committee2"],
            addresses["survivor"],
            None,
        ]
        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            notify(people)
        assert len(callbacks) == 1
        assert [m.to for m in mail.outbox] == [
            [SURVIVOR_ADDRESS],
            [MEMBER_ADDRESS],
        ]
        for message in mail.outbox:
            assert message.cc == []
            assert message.bcc == []
            assert message.subject == "There is an update in faced"

    def test_it_queues_nothing_when_nobody_has_an_address(
        self, personas, django_capture_on_commit_callbacks
    ):
        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            notify([personas["committee2"], personas["leadership"], None])
            notify([])
        assert callbacks == []
        assert mail.outbox == []

    def test_it_queues_one_task_that_names_nobody(
        self, addresses, django_capture_on_commit_callbacks
    ):
        """On the database queue, one task is stored, with no arguments:
        the queue never says whom a change concerns; the pending marks
        (set in the change's transaction) do."""
        with (
            override_settings(TASKS=DATABASE_QUEUE),
            django_capture_on_commit_callbacks(execute=True),
        ):
            notify([addresses["committee1"], addresses["survivor"]])
        (row,) = DBTaskResult.objects.all()
        assert row.task_path == send_pending_notices.module_path
        assert row.args_kwargs == {"args": [], "kwargs": {}}
        assert mail.outbox == []
        assert set(
            ContactAddress.objects.filter(notice_pending=True).values_list(
                "user_id", flat=True
            )
        ) == {addresses["survivor"].pk, addresses["committee1"].pk}

    def test_it_sends_nothing_when_the_change_is_rolled_back(
        self, addresses, django_capture_on_commit_callbacks
    ):
        """Given a notice asked for inside a transaction, when the
        transaction is rolled back, then nobody is told anything."""
        with (
            django_capture_on_commit_callbacks(execute=True) as callbacks,
            pytest.raises(RuntimeError),
            transaction.atomic(),
        ):
            notify([addresses["survivor"]])
            raise RuntimeError("the change failed")
        assert callbacks == []
        assert mail.outbox == []

    def test_it_waits_for_the_commit(
        self, addresses, django_capture_on_commit_callbacks
    ):
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            with transaction.atomic():
                notify([addresses["survivor"]])
            assert mail.outbox == []
        assert len(callbacks) == 1
        callbacks[0]()
        assert [m.to for m in mail.outbox] == [[SURVIVOR_ADDRESS]]


class NoticeContentTests:
    def test_the_notice_names_nothing(self, addresses, survivor_record):
        """Given a survivor with a case in Demo Collective, the notice
        names no case, organization, person or username."""
        survivor = addresses["survivor"]
        pend_and_send([str(survivor.pk)])
        (message,) = mail.outbox
        text = f"{message.subject}\n{message.body}".casefold()
        forbidden = [
            "demo collective",
            "other collective",
            "demo",
            str(survivor_record["case_id"]),
            "case",
            "report",
            "committee",
            *(user.username for user in addresses.values()),
        ]
        for word in forbidden:
            assert word.casefold() not in text, word
        assert message.attachments == []

    def test_it_says_where_to_sign_in_and_how_to_stop(
        self, addresses, settings
    ):
        settings.PUBLIC_URL = "https://faced.example.org"
        pend_and_send([str(addresses["survivor"].pk)])
        body = mail.outbox[0].body
        assert "There is an update for you in faced." in body
        assert "sign in at:\nhttps://faced.example.org" in body
        assert "never sends any details by e-mail" in body
        assert "remove the address" in body

    def test_without_a_public_url_it_says_to_sign_in_as_usual(
        self, addresses, settings
    ):
        settings.PUBLIC_URL = None
        pend_and_send([str(addresses["survivor"].pk)])
        assert "sign in to faced as usual" in mail.outbox[0].body

    def test_it_skips_people_who_left_or_removed_their_address(
        self, addresses
    ):
        """Between the queueing and the sending, one person removed their
        address and another's account was closed: neither gets mail."""
        ContactAddress.objects.filter(user=addresses["survivor"]).delete()
        member = addresses["committee1"]
        member.is_active = False
        member.save()
        sent = pend_and_send(
            [str(addresses["survivor"].pk), str(member.pk), "999999"]
        )
        assert sent == 0
        assert mail.outbox == []


class FailingBackend(EmailBackend):
    """Refuses the survivor's address as a mail server would, with the
    address in the exception's text."""

    def send_messages(self, messages):
        for message in messages:
            if SURVIVOR_ADDRESS in message.to:
                raise smtplib.SMTPRecipientsRefused(
                    {SURVIVOR_ADDRESS: (550, b"no such user")}
                )
        return super().send_messages(messages)


class SendFailureTests:
    def test_one_failure_does_not_stop_the_others(
        self, addresses, settings, caplog
    ):
        """Given a mail server that refuses the survivor's address, when
        both are notified, then the member still gets the notice, and the
        log names the survivor by number only, never by address."""
        settings.EMAIL_BACKEND = f"{__name__}.FailingBackend"
        survivor = addresses["survivor"]
        member = addresses["committee1"]
        with caplog.at_level(logging.DEBUG):
            sent = pend_and_send([str(survivor.pk), str(member.pk)])
        assert sent == 1
        assert [m.to for m in mail.outbox] == [[MEMBER_ADDRESS]]
        # Kept pending, so that the next run tries again.
        assert ContactAddress.objects.get(user=survivor).notice_pending
        assert not ContactAddress.objects.get(user=member).notice_pending
        assert f"person {survivor.pk}" in caplog.text
        for record in caplog.records:
            assert record.exc_info is None
        assert "canary" not in caplog.text
        assert "example.org" not in caplog.text

    def test_an_unreadable_address_is_skipped(
        self, addresses, caplog, settings
    ):
        """An address sealed under an earlier secret key cannot be opened;
        the others are still told."""
        survivor = addresses["survivor"]
        ContactAddress.objects.filter(user=survivor).update(
            sealed_email=b"\x00" * 120
        )
        sent = pend_and_send(
            [str(survivor.pk), str(addresses["committee1"].pk)]
        )
        assert sent == 1
        assert [m.to for m in mail.outbox] == [[MEMBER_ADDRESS]]
        assert f"person {survivor.pk}" in caplog.text
        assert "canary" not in caplog.text
