import sys
from pathlib import Path
from typing import ClassVar

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from faced.ledger.log_key import log_key_create, log_verifier_key
from faced.ledger.services import HistoryRewritten, checkpoint_sign
from faced.ledger.verify import LedgerBroken, ledger_verify


class Command(BaseCommand):
    help = (
        "The ledger: `init` makes the log key (once, at install); `verify` "
        "checks every entry, node and checkpoint; `checkpoint` signs one "
        "now; `watch URL --state FILE` checks from another computer that a "
        "server's log only ever grew."
    )
    # `init` must run before the log key exists, which the checks demand.
    requires_system_checks: ClassVar[list[str]] = []

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True)
        init = actions.add_parser("init", help="Make the log key.")
        init.add_argument(
            "--origin",
            default=None,
            help="The log's name, e.g. faced.example.org/ledger (default: "
            "the first of FACED_ALLOWED_HOSTS, then /ledger).",
        )
        verify = actions.add_parser("verify", help="Check the whole log.")
        verify.add_argument(
            "--checkpoint",
            type=Path,
            default=None,
            help="A checkpoint saved earlier: prove the log extends it.",
        )
        actions.add_parser("checkpoint", help="Sign a checkpoint now.")
        actions.add_parser("key", help="Print the log's verifier key.")

    def handle(self, *args, action: str, **options):
        if action == "init":
            origin = options["origin"] or f"{settings.ALLOWED_HOSTS[0]}/ledger"
            try:
                path = log_key_create(origin)
            except FileExistsError as error:
                raise CommandError(str(error)) from None
            self.stdout.write(
                f"Made the log key {path}. Keep it secret and back it up. "
                f"Its verifier key, which members use to check the log:\n"
                f"{log_verifier_key()}"
            )
        elif action == "verify":
            note = None
            if options["checkpoint"] is not None:
                try:
                    note = options["checkpoint"].read_text(encoding="utf-8")
                except OSError as error:
                    raise CommandError(
                        f"Cannot read {options['checkpoint']}: "
                        f"{error.strerror}."
                    ) from None
            try:
                result = ledger_verify(checkpoint_note=note)
            except LedgerBroken as broken:
                self.stderr.write(f"NOT OK: {broken}")
                sys.exit(1)
            self.stdout.write(str(result))
        elif action == "checkpoint":
            try:
                checkpoint = checkpoint_sign(force=True)
            except HistoryRewritten as error:
                raise CommandError(f"Refused to sign: {error}") from None
            self.stdout.write(checkpoint.note, ending="")
        elif action == "key":
            self.stdout.write(log_verifier_key())
