from faced.access import organization_role, signed_in
from faced.orgs.roles import Role

# Case pages also check that the case is the signed-in survivor's own.
RULES = {
    "cases:report": signed_in(),
    "cases:case": signed_in(),
    "committee:home": organization_role(Role.COMMITTEE),
    # Also: the case must be the organization's, and the survivor must not
    # have kept the member off it (otherwise: not found).
    "committee:case": organization_role(Role.COMMITTEE),
    "leadership:home": organization_role(Role.LEADERSHIP),
}
