import signal
import subprocess
import sys
from typing import ClassVar

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from faced.demo.personas import DEMO_PASSWORD, PERSONAS, create_personas
from faced.demo.records import (
    create_demo_cases,
    create_demo_draft,
    create_demo_matching,
    create_demo_records,
)
from faced.ledger.log_key import log_key_create, log_key_path
from faced.matching.keyserver import matching_key_create
from faced.matching.keyservice import matching_key_path


def _stop(signum, frame):
    raise KeyboardInterrupt


class Command(BaseCommand):
    # The demo makes the log key the system checks would ask for.
    requires_system_checks: ClassVar[list[str]] = []
    help = (
        "Set up the demo (database, demo organization, one person per role) "
        "and serve it with the background worker. Demo only."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--no-serve",
            action="store_true",
            help="Set up and print the logins, then stop.",
        )

    def handle(self, *args, no_serve: bool = False, **options):
        if not settings.DEMO:
            raise CommandError(
                "`faced demo` creates people with a published password, so "
                "it runs only in the demo (FACED_DEMO=true, or `make demo`)."
            )
        if not log_key_path().exists():
            log_key_create(f"{settings.LISTEN}/ledger")
        if not matching_key_path().exists():
            matching_key_create(matching_key_path())
        call_command("migrate", interactive=False, verbosity=0)
        call_command("createcachetable", verbosity=0)
        call_command("collectstatic", interactive=False, verbosity=0)
        if not get_user_model().objects.filter(username="survivor").exists():
            users = create_personas()
            create_demo_records(users, DEMO_PASSWORD)
            create_demo_cases(users, DEMO_PASSWORD)
            create_demo_draft(users)
            create_demo_matching(users, DEMO_PASSWORD)
        self.print_logins()
        if no_serve:
            return
        call_command("schedule", stdout=self.stdout)
        worker = subprocess.Popen([sys.executable, "-m", "faced", "db_worker"])
        # A plain `kill` (SIGTERM) must stop the worker too, not orphan it.
        signal.signal(signal.SIGTERM, _stop)
        try:
            call_command("serve")
        except KeyboardInterrupt:
            self.stdout.write("Stopped.")
        finally:
            worker.terminate()
            worker.wait(timeout=10)

    def print_logins(self) -> None:
        out = self.stdout
        out.write("")
        out.write("faced demo: Demo Collective (and Other Collective)")
        out.write(f"Every persona's password: {DEMO_PASSWORD}")
        out.write("")
        width = max(len(p.username) for p in PERSONAS)
        for persona in PERSONAS:
            code = (
                f"code: .venv/bin/faced totp {persona.username}"
                if persona.needs_code
                else "no code needed"
            )
            out.write(
                f"  {persona.username.ljust(width)}  "
                f"{persona.description:<45} {code}"
            )
        out.write("")
        out.write(
            "The survivor persona has records, a draft and two reports: "
            "one just received, one with a signed finding and a measure "
            "notice for leadership to acknowledge."
        )
        out.write(f"Open http://{settings.LISTEN}/ and sign in.")
        out.write("")
