from faced.access import deployment_role, signed_in
from faced.orgs.roles import Role

# Entry pages also check that the entry is the signed-in survivor's own.
RULES = {
    "matching:escrow": signed_in(),
    "matching:add": signed_in(),
    "matching:entry": signed_in(),
    "counselor:home": deployment_role(Role.COUNSELOR),
    "counselor:match": deployment_role(Role.COUNSELOR),
}
