"""The `faced` console command: Django's management commands for faced."""

import os
import sys


def main() -> None:
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
