from django.urls import path

from faced.cases import views

app_name = "cases"

urlpatterns = [
    path("my/records/<uuid:record_id>/report/", views.report, name="report"),
    path("my/cases/<uuid:case_id>/", views.case, name="case"),
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
    ],
    "committee",
)
