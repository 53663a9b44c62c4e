from faced.access import organization_role, public, signed_in
from faced.orgs.roles import Role

# Every record page also checks that the record is the signed-in person's
# own (or, for an advocate, shared with them): others get "not found".
RULES = {
    "survivor:start": public(),
    "survivor:start_receipt": public(),
    "survivor:signup": public(),
    "survivor:receipt_signin": public(),
    "survivor:home": signed_in(),
    "survivor:write": signed_in(),
    "survivor:record": signed_in(),
    "survivor:edit": signed_in(),
    "survivor:version": signed_in(),
    "survivor:proof": signed_in(),
    "survivor:choices": signed_in(),
    "survivor:attach": signed_in(),
    "survivor:attachment": signed_in(),
    "survivor:share": signed_in(),
    "survivor:delete": signed_in(),
    "advocate:home": organization_role(Role.ADVOCATE),
    "advocate:record": organization_role(Role.ADVOCATE),
}
