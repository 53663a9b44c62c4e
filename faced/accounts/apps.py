from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "faced.accounts"
    label = "accounts"
    verbose_name = "People and sign-in"
