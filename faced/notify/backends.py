"""A mail backend for a server whose operator has not set up mail yet."""

import logging

from django.core.mail.backends.base import BaseEmailBackend

logger = logging.getLogger(__name__)


class MailNotConfiguredBackend(BaseEmailBackend):
    """Drops every message and says once, without any address, that mail
    is not set up.

    Django's console backend would print whole messages, addresses
    included, into the logs; this one prints nothing of them.
    """

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._warned = False

    def send_messages(self, email_messages) -> int:
        messages = list(email_messages)
        if messages and not self._warned:
            self._warned = True
            logger.warning(
                "E-mail is not configured (set FACED_SMTP_HOST): "
                "notices are not sent."
            )
        return 0
