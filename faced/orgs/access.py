from faced.access import deployment_role, organization_role
from faced.orgs.roles import Role

RULES = {
    "staff:coordinator_home": organization_role(Role.COORDINATOR),
    "staff:operator_home": deployment_role(Role.OPERATOR),
}
