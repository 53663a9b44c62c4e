from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand
from waitress import serve

from faced.wsgi import application


class Command(BaseCommand):
    help = (
        "Serve faced with the waitress WSGI server on FACED_LISTEN. It logs "
        "no requests and so no addresses."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--listen",
            default=None,
            help="host:port to listen on (default: FACED_LISTEN).",
        )

    def handle(self, *args, listen: str | None = None, **options):
        listen = listen or settings.LISTEN
        # Periodic tasks (deadline checks) start, or restart after an
        # outage, with the server.
        call_command("schedule", stdout=self.stdout)
        self.stdout.write(f"Serving faced on http://{listen}/ (Ctrl+C stops)")
        serve(
            application,
            listen=listen,
            threads=settings.SERVER_THREADS,
            # Only the scheme is trusted from a proxy; faced.privacy drops
            # every address header anyway.
            trusted_proxy_headers=(
                {"x-forwarded-proto"} if settings.BEHIND_PROXY else set()
            ),
            trusted_proxy="*" if settings.BEHIND_PROXY else None,
            clear_untrusted_proxy_headers=True,
            ident="faced",
        )
