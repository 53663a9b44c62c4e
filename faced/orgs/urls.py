from django.urls import path

from faced.orgs import views

app_name = "staff"

urlpatterns = [
    path(
        "o/<slug:org>/caucus/", views.coordinator_home, name="coordinator_home"
    ),
    path("operator/", views.operator_home, name="operator_home"),
]
