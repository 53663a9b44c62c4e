from django.urls import path

from faced.vault import views

app_name = "survivor"

urlpatterns = [
    path("write/", views.start, name="start"),
    path("write/receipt/", views.start_receipt, name="start_receipt"),
    path("write/account/", views.signup, name="signup"),
    path("receipt/", views.receipt_signin, name="receipt_signin"),
    path("my/", views.home, name="home"),
    path("my/write/<int:step>/", views.write, name="write"),
    path("my/records/<uuid:record_id>/", views.record, name="record"),
    path(
        "my/records/<uuid:record_id>/edit/<int:step>/",
        views.write,
        name="edit",
    ),
    path(
        "my/records/<uuid:record_id>/versions/<int:number>/",
        views.version,
        name="version",
    ),
    path(
        "my/records/<uuid:record_id>/versions/<int:number>/proof/",
        views.proof,
        name="proof",
    ),
    path(
        "my/records/<uuid:record_id>/choices/", views.choices, name="choices"
    ),
    path("my/records/<uuid:record_id>/files/", views.attach, name="attach"),
    path(
        "my/records/<uuid:record_id>/files/<uuid:attachment_id>/",
        views.attachment,
        name="attachment",
    ),
    path("my/records/<uuid:record_id>/share/", views.share, name="share"),
    path("my/records/<uuid:record_id>/delete/", views.delete, name="delete"),
]

advocate_urlpatterns = (
    [
        path("o/<slug:org>/advocate/", views.advocate_home, name="home"),
        path(
            "o/<slug:org>/advocate/records/<uuid:record_id>/",
            views.advocate_record,
            name="record",
        ),
    ],
    "advocate",
)
