from faced.accounts.models import User
from faced.orgs.management.commands._roles import RoleChangeCommand
from faced.orgs.models import Organization
from faced.orgs.roles import Role
from faced.orgs.services import role_revoke


class Command(RoleChangeCommand):
    help = "Take a role away from a person. The history is kept."

    def change(
        self,
        *,
        user: User,
        role: Role,
        organization: Organization | None,
        where: str,
    ) -> str:
        role_revoke(user=user, role=role, organization=organization)
        return f"{user.username} no longer holds {role.label} in {where}."
