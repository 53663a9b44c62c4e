"""Steps the cases tests take again and again: opening a persona's keys,
and seating a panel of two on a reported case.

These are plain functions rather than fixtures because tests call them in
the middle of their own steps, with arguments of their own."""

from faced.accounts.custody import keys_unlock
from faced.cases.services.panel import panel_assign
from faced.conftest import PASSWORD


def keys_of(personas, name):
    """The keys of the persona called NAME."""
    return keys_unlock(user=personas[name], password=PASSWORD)


def keys_for(user):
    """The keys of USER, a persona or anyone made with the personas'
    password."""
    return keys_unlock(user=user, password=PASSWORD)


def seat_panel(personas, case, extra=None):
    """A panel of committee1 and a committee member added for the test
    (committee2 was kept off by the survivor)."""
    from faced.accounts.services import user_create
    from faced.orgs.roles import Role
    from faced.orgs.services import role_grant

    third = extra
    if third is None:
        third, _recovery = user_create(
            username="committee3", password=PASSWORD
        )
        role_grant(
            user=third, role=Role.COMMITTEE, organization=case.organization
        )
    panel_assign(
        case=case,
        members=[personas["committee1"], third],
        assigned_by=personas["committee1"],
        keys=keys_of(personas, "committee1"),
    )
    return third
