import sys
from pathlib import Path
from typing import ClassVar

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from faced.ledger.log_key import (
    LogKeyMissing,
    log_key_create,
    log_verifier_key,
)
from faced.ledger.services import (
    CheckpointRefused,
    checkpoint_reanchor,
    checkpoint_sign,
)
from faced.ledger.verify import LedgerBroken, ledger_verify


class Command(BaseCommand):
    help = (
        "The ledger: `init` makes the log key (once, at install); `verify` "
        "checks every entry, node and checkpoint; `checkpoint` signs one "
        "now; `reanchor` starts the signer's memory of what it signed "
        "again; `watch URL --state FILE` checks from another computer that "
        "a server's log only ever grew."
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
        reanchor = actions.add_parser(
            "reanchor",
            help="Forget what the checkpoint signer remembers signing and "
            "start again from the log as it is, after checking it against "
            "the database's latest signed checkpoint. For a lost or damaged "
            "FACED_LEDGER_SIGNER_STATE_FILE; the old file is kept aside.",
        )
        reanchor.add_argument(
            "--accept-rollback",
            action="store_true",
            help="Also when the signer's memory is intact and the log does "
            "not extend it (a database restored from an older backup): "
            "signs a log that members' watchers will report as rolled "
            "back. Tell the members first.",
        )
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
            except (CheckpointRefused, LogKeyMissing) as error:
                raise CommandError(f"Refused to sign: {error}") from None
            if checkpoint is not None:  # FORCE always signs or raises.
                self.stdout.write(checkpoint.note, ending="")
        elif action == "reanchor":
            self.reanchor(accept_rollback=options["accept_rollback"])
        elif action == "key":
            self.stdout.write(log_verifier_key())

    def reanchor(self, *, accept_rollback: bool) -> None:
        try:
            done = checkpoint_reanchor(accept_rollback=accept_rollback)
        except (CheckpointRefused, LogKeyMissing) as error:
            raise CommandError(f"Refused to re-anchor: {error}") from None
        size = done.checkpoint.tree_size
        if done.remembered_size is None:
            before = "The signer's memory was missing or did not hold"
        else:
            before = (
                f"The signer remembered signing {done.remembered_size} entries"
            )
        kept = (
            f"; the old memory is kept in {done.set_aside}"
            if done.set_aside is not None
            else ""
        )
        self.stdout.write(
            f"{before}{kept}. Signed the log as it is now, {size} entries, "
            "and remember it from here on:"
        )
        self.stdout.write(done.checkpoint.note, ending="")
