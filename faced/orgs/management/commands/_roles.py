"""What `faced grant` and `faced revoke` share."""

from django.core.management.base import BaseCommand, CommandError

from faced.accounts.models import User
from faced.accounts.selectors import person_named
from faced.orgs.models import Organization
from faced.orgs.roles import Role
from faced.orgs.services import RoleError


class RoleChangeCommand(BaseCommand):
    """A change to one person's role: the arguments, finding the person
    and the organization, and a refusal turned into the command's error.
    Each command says in `change` what it does."""

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("role", choices=[role.value for role in Role])
        parser.add_argument(
            "--org",
            default=None,
            help=(
                "The organization's short name (not for counselor or "
                "operator)."
            ),
        )

    def handle(self, *args, username: str, role: str, org, **options):
        user = person_named(username)
        if user is None:
            raise CommandError(
                f"There is nobody called {username!r}. Create them first "
                "with `faced createuser`."
            )
        organization = None
        if org is not None:
            organization = Organization.objects.filter(slug=org).first()
            if organization is None:
                raise CommandError(f"There is no organization called {org!r}.")
        where = organization.name if organization else "the whole deployment"
        try:
            done = self.change(
                user=user,
                role=Role(role),
                organization=organization,
                where=where,
            )
        except RoleError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(done)

    def change(
        self,
        *,
        user: User,
        role: Role,
        organization: Organization | None,
        where: str,
    ) -> str:
        """Make the change; return what to tell the operator (WHERE names
        the organization, or the whole deployment)."""
        raise NotImplementedError
