from faced.access import organization_role, signed_in
from faced.orgs.roles import Role

# Case pages also check that the case is the signed-in survivor's own.
RULES = {
    "cases:report": signed_in(),
    "cases:case": signed_in(),
    "cases:entry_proof": signed_in(),
    "committee:home": organization_role(Role.COMMITTEE),
    # Also: the case must be the organization's, and the survivor must not
    # have kept the member off it (otherwise: not found).
    "committee:case": organization_role(Role.COMMITTEE),
    # Also: only for the case's panel.
    "committee:entry_proof": organization_role(Role.COMMITTEE),
    "committee:deadlines": organization_role(Role.COMMITTEE),
    "appeals:home": organization_role(Role.APPEALS),
    # Also: only for members who may hear the appeal (otherwise: not found).
    "appeals:appeal": organization_role(Role.APPEALS),
    "leadership:home": organization_role(Role.LEADERSHIP),
}
