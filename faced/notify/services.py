"""Telling people "there is an update in faced", and nothing more."""

from collections.abc import Iterable

from django.db import transaction

from faced.accounts.models import ContactAddress, User
from faced.notify.tasks import send_pending_notices


def notify(users: Iterable[User | None]) -> None:
    """Send a contentless notice to each of USERS who gave an address.

    Marks their addresses as having a notice pending, inside the
    surrounding transaction, so that a change that is rolled back tells
    nobody anything; once it commits, the sending task is queued. The task
    takes no arguments: the queue's rows never say whom a change concerns.
    Addresses are not opened here: only the task opens them, to send.
    """
    wanted = {user.pk for user in users if user is not None and user.pk}
    if not wanted:
        return
    marked = ContactAddress.objects.filter(user_id__in=wanted).update(
        notice_pending=True
    )
    if not marked:
        return
    # robust: a queue that cannot be written to after the change committed
    # is logged (with no address: only the callback's name) rather than
    # turned into an error page for a change that did happen; the next
    # notice sends this one too.
    transaction.on_commit(send_pending_notices.enqueue, robust=True)
