from django.apps import AppConfig


class MatchingConfig(AppConfig):
    name = "faced.matching"
    label = "matching"
    verbose_name = "Matching escrow"
