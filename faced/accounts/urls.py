from django.urls import path

from faced.accounts import views

app_name = "accounts"

urlpatterns = [
    path("signin/", views.signin, name="signin"),
    path("signin/code/", views.signin_code, name="signin_code"),
    path("signin/set-up/", views.signin_enrol, name="signin_enrol"),
    path("signout/", views.signout, name="signout"),
    path("home/", views.home, name="home"),
    path(
        "account/choose-password/",
        views.choose_password,
        name="choose_password",
    ),
    path("account/password/", views.change_password, name="change_password"),
    path("account/contact/", views.contact, name="contact"),
    path("recover/", views.recover, name="recover"),
]
