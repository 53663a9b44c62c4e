from django.urls import path

from faced.matching import views

app_name = "matching"

urlpatterns = [
    path("my/escrow/", views.escrow, name="escrow"),
    path("my/escrow/add/", views.escrow_add, name="add"),
    path("my/escrow/<uuid:entry_id>/", views.escrow_entry, name="entry"),
]

counselor_urlpatterns = (
    [
        path("counselor/", views.counselor_home, name="home"),
        path(
            "counselor/matches/<uuid:match_id>/",
            views.counselor_match,
            name="match",
        ),
    ],
    "counselor",
)
