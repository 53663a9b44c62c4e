"""Signs people out after a quiet spell."""

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _

from faced.orgs.selectors import request_roles

LAST_SEEN_KEY = "faced_last_seen"


class IdleTimeoutMiddleware:
    """Ends a session after STAFF_IDLE_MINUTES without a request.

    A committee member who walks away from a shared computer must not
    leave a case open to the next person at it.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            now = time.time()
            last_seen = request.session.get(LAST_SEEN_KEY, now)
            minutes = (
                settings.STAFF_IDLE_MINUTES
                if request_roles(request)
                else settings.SURVIVOR_IDLE_MINUTES
            )
            idle_limit = minutes * 60
            if now - last_seen > idle_limit:
                logout(request)
                messages.info(
                    request,
                    _(
                        "You were signed out after %(minutes)s minutes "
                        "without activity, to keep your account safe."
                    )
                    % {"minutes": minutes},
                )
            else:
                request.session[LAST_SEEN_KEY] = now
        return self.get_response(request)
