from faced.access import organization_role, signed_in
from faced.orgs.roles import Role

# Case pages also check that the case is the signed-in survivor's own.
RULES = {
    "cases:report": signed_in(),
    "cases:case": signed_in(),
    "committee:home": organization_role(Role.COMMITTEE),
}
