"""Values every template can use."""

from django.conf import settings
from django.http import HttpRequest

from faced.orgs.selectors import request_roles


def faced_context(request: HttpRequest) -> dict[str, object]:
    idle_minutes = None
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        idle_minutes = (
            settings.STAFF_IDLE_MINUTES
            if request_roles(request)
            else settings.SURVIVOR_IDLE_MINUTES
        )
    return {
        "QUICK_EXIT_URL": settings.QUICK_EXIT_URL,
        "DEMO": settings.DEMO,
        "IDLE_MINUTES": idle_minutes,
    }
