"""Telling people "there is an update in faced", and nothing more."""

from collections.abc import Iterable

from django.db import transaction

from faced.accounts.models import ContactAddress, User
from faced.notify.tasks import send_update_notices


def notify(users: Iterable[User | None]) -> None:
    """Send a contentless notice to each of USERS who gave an address.

    The notice is queued only once the surrounding transaction commits, so
    that a change that is rolled back tells nobody anything. Addresses are
    not opened here: only the background task opens them, and only to send.
    """
    wanted = {user.pk for user in users if user is not None and user.pk}
    if not wanted:
        return
    with_address = sorted(
        ContactAddress.objects.filter(user_id__in=wanted).values_list(
            "user_id", flat=True
        )
    )
    if not with_address:
        return
    user_ids = [str(pk) for pk in with_address]
    # robust: a queue that cannot be written to after the change committed
    # is logged (with no address: only the callback's name) rather than
    # turned into an error page for a change that did happen.
    transaction.on_commit(
        lambda: send_update_notices.enqueue(user_ids), robust=True
    )
