import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django_otp.oath import TOTP

from faced.accounts.services import totp_device


class Command(BaseCommand):
    help = (
        "Print a demo persona's current sign-in code, for trying the demo "
        "without a phone app. Demo only."
    )

    def add_arguments(self, parser):
        parser.add_argument("persona", help="The persona's username.")

    def handle(self, *args, persona: str, **options):
        if not settings.DEMO:
            raise CommandError(
                "`faced totp` works only in the demo: real sign-in codes "
                "come from the person's own phone."
            )
        from django.contrib.auth import get_user_model

        user = get_user_model().objects.filter(username=persona).first()
        if user is None:
            raise CommandError(f"There is no persona called {persona!r}.")
        device = totp_device(user)
        if device is None:
            raise CommandError(
                f"{persona} signs in without a code (or has not set one up)."
            )
        totp = TOTP(
            device.bin_key,
            device.step,
            device.t0,
            device.digits,
            device.drift,
        )
        left = device.step - int(time.time() - device.t0) % device.step
        self.stdout.write(f"{totp.token():06d}")
        self.stderr.write(f"(valid for about {left} more seconds)")
