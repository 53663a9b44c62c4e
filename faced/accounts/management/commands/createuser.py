import getpass
import sys

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from faced.accounts.services import user_create


class Command(BaseCommand):
    help = (
        "Create a person who can sign in. The password is asked for, or read "
        "from standard input with --password-stdin."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument(
            "--password-stdin",
            action="store_true",
            help="Read the password from the first line of standard input.",
        )

    def handle(self, *args, username: str, password_stdin: bool, **options):
        if password_stdin:
            password = sys.stdin.readline().rstrip("\n")
        else:
            password = getpass.getpass("Password: ")
            if getpass.getpass("Password again: ") != password:
                raise CommandError("The two passwords differ.")
        try:
            user, _recovery = user_create(
                username=username, password=password, temporary=True
            )
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        except ValueError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(
            f"Created {user.username} with a temporary password. At first "
            "sign-in they choose their own password, and only then are "
            "their keys made, so nobody else can ever open them. Give them "
            "a role with `faced grant`; role holders also set up an "
            "authenticator app at first sign-in."
        )
