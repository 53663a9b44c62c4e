from django.apps import AppConfig


class NotifyConfig(AppConfig):
    name = "faced.notify"
    label = "notify"
    verbose_name = "Contentless notices and periodic tasks"
