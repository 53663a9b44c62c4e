from pathlib import Path
from typing import ClassVar

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from faced.matching.keyserver import encode_public_key, matching_key_create
from faced.matching.keyservice import (
    KeyServiceError,
    key_service,
    matching_key_path,
    oprf_outputs,
)


class Command(BaseCommand):
    help = (
        "The matching key: `init` makes it (once, at install, for the "
        "in-process key service); `key` prints the public key in use; "
        "`check` has the key service evaluate one throwaway value and "
        "checks its proof."
    )
    # `init` may run before the ledger's key exists, which the checks
    # demand.
    requires_system_checks: ClassVar[list[str]] = []

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True)
        actions.add_parser("init", help="Make the matching key.")
        actions.add_parser("key", help="Print the public key in use.")
        actions.add_parser("check", help="Check the key service answers.")

    def handle(self, *args, action: str, **options):
        if action == "init":
            self.init()
        elif action == "key":
            self.stdout.write(encode_public_key(self.public_key()))
        elif action == "check":
            try:
                oprf_outputs([b"faced matching check"])
            except KeyServiceError as error:
                raise CommandError(f"{error} (the log says more).") from None
            where = settings.KEYSERVER_URL or "in-process"
            self.stdout.write(
                f"OK: the key service ({where}) answered, and its proof "
                f"verifies against {encode_public_key(self.public_key())}."
            )

    def init(self) -> None:
        if settings.KEYSERVER_URL:
            raise CommandError(
                "FACED_KEYSERVER_URL is set: the matching key lives on the "
                "keyserver, not here. Make it there with `faced keyserver "
                "init --key-file PATH`."
            )
        path = matching_key_path()
        try:
            public_key = matching_key_create(path)
        except FileExistsError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(
            f"Made the matching key {path}. Keep it secret and back it up: "
            "without it, no new entry can match the ones stored so far. "
            f"Its public key:\n{encode_public_key(public_key)}"
        )

    def public_key(self) -> bytes:
        try:
            return key_service().public_key()
        except KeyServiceError:
            raise CommandError(
                f"The matching key is missing or damaged "
                f"({Path(settings.MATCHING_KEY_FILE)}). Make it once with "
                "`faced matching init`."
            ) from None
