from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "faced.cases"
    label = "cases"
    verbose_name = "Reports to the committee"
