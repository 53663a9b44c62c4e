from faced.access import pending_second_factor, public, signed_in

RULES = {
    "accounts:signin": public(),
    "accounts:signin_code": pending_second_factor(),
    "accounts:signin_enrol": pending_second_factor(),
    "accounts:signout": public(),
    "accounts:home": signed_in(),
    "accounts:choose_password": signed_in(),
    "accounts:change_password": signed_in(),
    # Receipt holders are turned away by the view, with the reason: an
    # address would tie their receipt to them.
    "accounts:contact": signed_in(),
    "accounts:recover": public(),
}
