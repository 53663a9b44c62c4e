"""What `faced grant` and `faced revoke` share."""

from django.contrib.auth import get_user_model
from django.core.management.base import CommandError

from faced.accounts.models import normalize_username
from faced.orgs.models import Organization
from faced.orgs.roles import Role


def add_role_arguments(parser) -> None:
    parser.add_argument("username")
    parser.add_argument("role", choices=[role.value for role in Role])
    parser.add_argument(
        "--org",
        default=None,
        help="The organization's short name (not for counselor or operator).",
    )


def resolve(username: str, role: str, org: str | None):
    user = (
        get_user_model()
        .objects.filter(username=normalize_username(username))
        .first()
    )
    if user is None:
        raise CommandError(
            f"There is nobody called {username!r}. Create them first with "
            "`faced createuser`."
        )
    organization = None
    if org is not None:
        organization = Organization.objects.filter(slug=org).first()
        if organization is None:
            raise CommandError(f"There is no organization called {org!r}.")
    return user, Role(role), organization
