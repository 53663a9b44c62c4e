"""faced's URLs plus one whose view fails, for the error-page tests."""

from django.urls import path

from faced.urls import urlpatterns as faced_urlpatterns


def failing(request):
    raise RuntimeError("secret internals: /srv/faced/settings.py line 42")


urlpatterns = [*faced_urlpatterns, path("failing/", failing, name="failing")]
