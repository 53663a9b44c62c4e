"""The project's own pages: the landing page, quick exit and errors."""

from django.conf import settings
from django.contrib.auth import logout
from django.db import connection
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render


def landing(request: HttpRequest) -> HttpResponse:
    return render(request, "landing.html")


def leave(request: HttpRequest) -> HttpResponse:
    """Quick exit: end the session and go to a neutral site.

    Signing out means that the browser's back button, which reloads faced's
    uncached pages, shows nothing of what was open. The Referrer-Policy
    header keeps faced's address from the neutral site.
    """
    logout(request)
    return HttpResponseRedirect(settings.QUICK_EXIT_URL)


def healthz(request: HttpRequest) -> HttpResponse:
    """For the operator's monitoring: the app and its database answer."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return HttpResponse("ok\n", content_type="text/plain")


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    return render(request, "403_csrf.html", status=403)


def bad_request(request: HttpRequest, exception=None) -> HttpResponse:
    return render(request, "400.html", status=400)


def forbidden(request: HttpRequest, exception=None) -> HttpResponse:
    return render(request, "403.html", status=403)


def not_found(request: HttpRequest, exception=None) -> HttpResponse:
    return render(request, "404.html", status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    # No context processors here: whatever failed must not fail again.
    from django.template import loader

    template = loader.get_template("500.html")
    return HttpResponse(template.render({}), status=500)
