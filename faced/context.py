"""Values every template can use."""

from django.conf import settings
from django.http import HttpRequest


def faced_context(request: HttpRequest) -> dict[str, object]:
    return {
        "QUICK_EXIT_URL": settings.QUICK_EXIT_URL,
        "DEMO": settings.DEMO,
    }
