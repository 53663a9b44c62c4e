"""One URL map. Every name here has a rule in an access.py."""

from django.urls import include, path

from faced import views
from faced.cases.urls import (
    appeals_urlpatterns,
    committee_urlpatterns,
    leadership_urlpatterns,
)
from faced.matching.urls import counselor_urlpatterns
from faced.vault.urls import advocate_urlpatterns

urlpatterns = [
    path("", views.landing, name="landing"),
    path("leave/", views.leave, name="leave"),
    path("healthz", views.healthz, name="healthz"),
    path("", include("faced.accounts.urls")),
    path("", include("faced.vault.urls")),
    path("", include(advocate_urlpatterns)),
    path("", include("faced.cases.urls")),
    path("", include(committee_urlpatterns)),
    path("", include(leadership_urlpatterns)),
    path("", include(appeals_urlpatterns)),
    path("", include("faced.matching.urls")),
    path("", include(counselor_urlpatterns)),
    path("", include("faced.orgs.urls")),
    path("ledger/", include("faced.ledger.urls")),
]

handler400 = "faced.views.bad_request"
handler403 = "faced.views.forbidden"
handler404 = "faced.views.not_found"
handler500 = "faced.views.server_error"
