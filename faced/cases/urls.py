from django.urls import path

from faced.cases import views

app_name = "cases"

urlpatterns = [
    path("my/records/<uuid:record_id>/report/", views.report, name="report"),
    path("my/cases/<uuid:case_id>/", views.case, name="case"),
    path(
        "my/cases/<uuid:case_id>/entries/<int:sequence>/proof/",
        views.entry_proof,
        name="entry_proof",
    ),
]

leadership_urlpatterns = (
    [path("o/<slug:org>/leadership/", views.leadership_home, name="home")],
    "leadership",
)

committee_urlpatterns = (
    [
        path("o/<slug:org>/committee/", views.committee_home, name="home"),
        path(
            "o/<slug:org>/committee/cases/<uuid:case_id>/",
            views.committee_case,
            name="case",
        ),
        path(
            "o/<slug:org>/committee/cases/<uuid:case_id>/entries/"
            "<int:sequence>/proof/",
            views.committee_entry_proof,
            name="entry_proof",
        ),
        path(
            "o/<slug:org>/committee/deadlines/",
            views.committee_deadlines,
            name="deadlines",
        ),
    ],
    "committee",
)

appeals_urlpatterns = (
    [
        path("o/<slug:org>/appeals/", views.appeals_home, name="home"),
        path(
            "o/<slug:org>/appeals/<uuid:appeal_id>/",
            views.appeal_case,
            name="appeal",
        ),
    ],
    "appeals",
)
