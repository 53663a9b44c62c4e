"""Background tasks that send contentless notices."""

import contextlib
import logging

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.utils import translation
from django.utils.translation import gettext as _
from django_tasks import task

from faced.accounts.contact import contact_address_of
from faced.accounts.models import ContactAddress, User

logger = logging.getLogger(__name__)


def update_notice_subject() -> str:
    return _("There is an update in faced")


def update_notice_body() -> str:
    """The whole notice. It names no case, organization or person, so
    that whoever else reads the mailbox learns only that faced is used."""
    if settings.PUBLIC_URL:
        where = _("To see it, sign in at:\n%(url)s") % {
            "url": settings.PUBLIC_URL
        }
    else:
        where = _("To see it, sign in to faced as usual.")
    paragraphs = [
        _("Hello,"),
        _("There is an update for you in faced."),
        where,
        _(
            "For your safety, faced never sends any details by e-mail: not "
            "what the update is about, and not who it concerns."
        ),
        _(
            "You get this e-mail because you gave this address to faced. "
            "To stop these e-mails, sign in and remove the address on the "
            "page \u201cE-mail notices\u201d of your account."
        ),
    ]
    return "\n\n".join(paragraphs) + "\n"


@task()
def send_pending_notices() -> None:
    """Send one separate notice to each person with a notice pending.

    Each person gets a message of their own, so that no recipient learns
    who else uses faced. Each pending mark is cleared before its notice is
    sent, so that two runs at once never send one twice; a notice that
    could not be sent is marked pending again for the next run. Returns
    nothing: the task's stored result says nothing about anyone.
    """
    send_update_notices(
        ContactAddress.objects.filter(notice_pending=True)
        .order_by("pk")
        .values_list("user_id", flat=True)
    )


def send_update_notices(user_ids) -> int:
    """Send the notice to each of USER_IDS whose pending mark this run
    clears. Returns how many were handed to the mail server."""
    people = User.objects.filter(
        pk__in=list(user_ids), is_active=True
    ).order_by("pk")
    sent = 0
    with translation.override(settings.LANGUAGE_CODE):
        subject = update_notice_subject()
        body = update_notice_body()
        # The connection is not opened beforehand: each message then opens
        # and closes its own, so that one broken by a failure does not
        # carry over to the next person.
        connection = get_connection()
        try:
            for person in people:
                if not ContactAddress.objects.filter(
                    user=person, notice_pending=True
                ).update(notice_pending=False):
                    continue  # another run took it
                done = _send_one(connection, person, subject, body)
                if not done:
                    ContactAddress.objects.filter(user=person).update(
                        notice_pending=True
                    )
                sent += done
        finally:
            with contextlib.suppress(Exception):
                connection.close()
    return sent


def _send_one(connection, person: User, subject: str, body: str) -> int:
    # Only the person's number is ever logged: an exception from the mail
    # server (SMTPRecipientsRefused, for one) carries the address in its
    # text, so neither its message nor its traceback is logged.
    try:
        address = contact_address_of(person)
    except Exception as error:
        logger.warning(
            "The notice address of person %s could not be opened (%s).",
            person.pk,
            type(error).__name__,
        )
        return 0
    if address is None:
        return 0
    message = EmailMessage(
        subject=subject,
        body=body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[address],
        connection=connection,
        # Tells mail servers and auto-responders that nobody wrote this by
        # hand, so that no out-of-office reply is sent back to faced.
        headers={"Auto-Submitted": "auto-generated"},
    )
    try:
        return message.send()
    except Exception as error:
        logger.warning(
            "An update notice to person %s could not be sent (%s).",
            person.pk,
            type(error).__name__,
        )
        return 0
