"""faced's URLs plus one that has no access rule, for the table tests."""

from django.http import HttpResponse
from django.urls import path

from faced.urls import urlpatterns as faced_urlpatterns


def unruled(request):
    return HttpResponse("this must never be shown")


urlpatterns = [*faced_urlpatterns, path("unruled/", unruled, name="unruled")]
