from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "faced.cases"
    label = "cases"
    verbose_name = "Reports to the committee"

    def ready(self) -> None:
        from faced.cases.services.panel import seats_vacate_on_revoke
        from faced.orgs.signals import role_revoked

        role_revoked.connect(
            seats_vacate_on_revoke, dispatch_uid="faced.cases.vacate_seats"
        )
