from django.core.management.base import BaseCommand, CommandError

from faced.orgs.services import organization_create


class Command(BaseCommand):
    help = "Create an organization."

    def add_arguments(self, parser):
        parser.add_argument("name", help='Its name, e.g. "Riverside Branch".')
        parser.add_argument(
            "--slug",
            default="",
            help="Its short name in addresses (default: made from the name).",
        )

    def handle(self, *args, name: str, slug: str, **options):
        try:
            organization = organization_create(name=name, slug=slug)
        except ValueError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(
            f"Created {organization.name} (short name: {organization.slug})."
        )
