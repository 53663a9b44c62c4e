from django.apps import AppConfig


class LedgerConfig(AppConfig):
    name = "faced.ledger"
    label = "ledger"
    verbose_name = "Tamper-evident ledger"

    def ready(self) -> None:
        from faced.ledger import checks  # noqa: F401 (registers the check)
