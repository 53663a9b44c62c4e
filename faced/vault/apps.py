from django.apps import AppConfig


class VaultConfig(AppConfig):
    name = "faced.vault"
    label = "vault"
    verbose_name = "Survivors' records"
