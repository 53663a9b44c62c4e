from django.apps import AppConfig


class MatchingConfig(AppConfig):
    name = "faced.matching"
    label = "matching"
    verbose_name = "Matching escrow"

    def ready(self) -> None:
        from faced.matching.services import counselor_leaves
        from faced.orgs.signals import role_revoked

        role_revoked.connect(
            counselor_leaves, dispatch_uid="faced.matching.counselor_leaves"
        )
