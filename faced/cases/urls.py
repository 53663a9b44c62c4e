from django.urls import path

from faced.cases.views import appeals, committee, leadership, survivor

app_name = "cases"

urlpatterns = [
    path(
        "my/records/<uuid:record_id>/report/", survivor.report, name="report"
    ),
    path("my/cases/<uuid:case_id>/", survivor.case, name="case"),
    path(
        "my/cases/<uuid:case_id>/entries/<int:sequence>/proof/",
        survivor.entry_proof,
        name="entry_proof",
    ),
]

leadership_urlpatterns = (
    [path("o/<slug:org>/leadership/", leadership.home, name="home")],
    "leadership",
)

committee_urlpatterns = (
    [
        path("o/<slug:org>/committee/", committee.home, name="home"),
        path(
            "o/<slug:org>/committee/cases/<uuid:case_id>/",
            committee.case,
            name="case",
        ),
        path(
            "o/<slug:org>/committee/cases/<uuid:case_id>/entries/"
            "<int:sequence>/proof/",
            committee.entry_proof,
            name="entry_proof",
        ),
        path(
            "o/<slug:org>/committee/deadlines/",
            committee.deadlines,
            name="deadlines",
        ),
    ],
    "committee",
)

appeals_urlpatterns = (
    [
        path("o/<slug:org>/appeals/", appeals.home, name="home"),
        path(
            "o/<slug:org>/appeals/<uuid:appeal_id>/",
            appeals.appeal_case,
            name="appeal",
        ),
    ],
    "appeals",
)
