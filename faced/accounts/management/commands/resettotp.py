from django.core.management.base import BaseCommand, CommandError
from django_otp.plugins.otp_totp.models import TOTPDevice

from faced.accounts.selectors import person_named


class Command(BaseCommand):
    help = (
        "Remove a person's authenticator app after they lost it; they set up "
        "a new one at their next sign-in, with their password."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")

    def handle(self, *args, username: str, **options):
        user = person_named(username)
        if user is None:
            raise CommandError(f"There is nobody called {username!r}.")
        removed, _ = TOTPDevice.objects.filter(user=user).delete()
        self.stdout.write(
            f"Removed {removed} authenticator app(s) of {user.username}."
        )
