from django.core.management.base import BaseCommand, CommandError

from faced.orgs.management.commands._roles import add_role_arguments, resolve
from faced.orgs.services import RoleError, role_revoke


class Command(BaseCommand):
    help = "Take a role away from a person. The history is kept."

    def add_arguments(self, parser):
        add_role_arguments(parser)

    def handle(self, *args, username: str, role: str, org, **options):
        user, role, organization = resolve(username, role, org)
        try:
            role_revoke(user=user, role=role, organization=organization)
        except RoleError as error:
            raise CommandError(str(error)) from None
        where = organization.name if organization else "the whole deployment"
        self.stdout.write(
            f"{user.username} no longer holds {role.label} in {where}."
        )
