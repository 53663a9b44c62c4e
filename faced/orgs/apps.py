from django.apps import AppConfig


class OrgsConfig(AppConfig):
    name = "faced.orgs"
    label = "orgs"
    verbose_name = "Organizations and roles"
