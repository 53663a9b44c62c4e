"""Response headers that every faced page carries."""

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.cache import add_never_cache_headers


class ResponseHeadersMiddleware:
    """Adds Permissions-Policy everywhere and forbids caching of pages.

    Every page faced renders may show that someone uses faced, so none is
    kept in a browser's cache or a proxy's: a shared computer must not
    give away what was read on it. Static files (the same for everyone)
    keep the cache lifetimes WhiteNoise gives them.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers["Permissions-Policy"] = settings.PERMISSIONS_POLICY
        if not request.path.startswith(settings.STATIC_URL):
            add_never_cache_headers(response)
        return response
