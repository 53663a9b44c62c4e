from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "faced.accounts"
    label = "accounts"
    verbose_name = "People and sign-in"

    def ready(self) -> None:
        from faced.accounts.custody import keys_publish_for_role_holder
        from faced.orgs.signals import role_granted

        role_granted.connect(
            keys_publish_for_role_holder,
            dispatch_uid="faced.accounts.publish_keys",
        )
