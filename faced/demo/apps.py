from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "faced.demo"
    label = "demo"
    verbose_name = "Demo organization and personas"
