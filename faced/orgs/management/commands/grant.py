from faced.accounts.models import User
from faced.orgs.management.commands._roles import RoleChangeCommand
from faced.orgs.models import Organization
from faced.orgs.roles import Role
from faced.orgs.services import role_grant


class Command(RoleChangeCommand):
    help = (
        "Give a person a role. Refused when it would join leadership with "
        "the committee or appeals in one organization."
    )

    def change(
        self,
        *,
        user: User,
        role: Role,
        organization: Organization | None,
        where: str,
    ) -> str:
        role_grant(user=user, role=role, organization=organization)
        return f"{user.username} is now {role.label} in {where}."
