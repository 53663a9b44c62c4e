from django.apps import AppConfig


class FacedConfig(AppConfig):
    """The project itself, for its commands (`faced serve`)."""

    name = "faced"
    label = "faced"
    verbose_name = "faced"
