"""The `faced` console command: Django's management commands for faced."""

import os
import sys


def main() -> None:
    if sys.argv[1:3] == ["ledger", "watch"]:
        # A member's verifier runs on their own computer with no settings,
        # no database and no secret key: only the server's address.
        from faced.ledger.watch import main as watch

        sys.exit(watch(sys.argv[3:]))
    if sys.argv[1:3] == ["ledger", "check-proof"]:
        # A survivor checks a proof bundle on any computer, with no
        # settings, no database and no secret key: only the bundle.
        from faced.ledger.bundle import main as check_proof

        sys.exit(check_proof(sys.argv[3:]))
    if sys.argv[1:2] == ["keyserver"]:
        # The matching keyserver runs apart from the app, often on another
        # machine, with no settings, no database and no secret key: only
        # its key file.
        from faced.matching.keyserver import main as keyserver

        sys.exit(keyserver(sys.argv[2:]))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "faced.settings")
    from django.core.exceptions import ImproperlyConfigured
    from django.core.management import execute_from_command_line

    try:
        execute_from_command_line(sys.argv)
    except ImproperlyConfigured as error:
        # A configuration mistake is the operator's to fix: say what, not
        # where in the code.
        sys.stderr.write(f"faced cannot start: {error}\n")
        sys.exit(2)


if __name__ == "__main__":
    main()
