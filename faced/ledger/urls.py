from django.urls import path

from faced.ledger import views

app_name = "ledger"

urlpatterns = [
    path("checkpoint", views.checkpoint, name="checkpoint"),
    path("key", views.key, name="key"),
    path("entries", views.entries, name="entries"),
    path("proof/inclusion", views.proof_inclusion, name="proof_inclusion"),
    path(
        "proof/consistency", views.proof_consistency, name="proof_consistency"
    ),
]
