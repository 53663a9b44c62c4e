from django.urls import path

from faced.vault.views import advocate, survivor

app_name = "survivor"

urlpatterns = [
    path("write/", survivor.start, name="start"),
    path("write/receipt/", survivor.start_receipt, name="start_receipt"),
    path("write/account/", survivor.signup, name="signup"),
    path("receipt/", survivor.receipt_signin, name="receipt_signin"),
    path("my/", survivor.home, name="home"),
    path("my/write/<int:step>/", survivor.write, name="write"),
    path("my/records/<uuid:record_id>/", survivor.record, name="record"),
    path(
        "my/records/<uuid:record_id>/edit/<int:step>/",
        survivor.write,
        name="edit",
    ),
    path(
        "my/records/<uuid:record_id>/versions/<int:number>/",
        survivor.version,
        name="version",
    ),
    path(
        "my/records/<uuid:record_id>/versions/<int:number>/proof/",
        survivor.proof,
        name="proof",
    ),
    path(
        "my/records/<uuid:record_id>/choices/",
        survivor.choices,
        name="choices",
    ),
    path("my/records/<uuid:record_id>/files/", survivor.attach, name="attach"),
    path(
        "my/records/<uuid:record_id>/files/<uuid:attachment_id>/",
        survivor.attachment,
        name="attachment",
    ),
    path("my/records/<uuid:record_id>/share/", survivor.share, name="share"),
    path(
        "my/records/<uuid:record_id>/delete/", survivor.delete, name="delete"
    ),
]

advocate_urlpatterns = (
    [
        path("o/<slug:org>/advocate/", advocate.home, name="home"),
        path(
            "o/<slug:org>/advocate/records/<uuid:record_id>/",
            advocate.record,
            name="record",
        ),
    ],
    "advocate",
)
