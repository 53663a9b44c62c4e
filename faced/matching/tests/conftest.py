"""What the escrow's tests share as a fixture: a survivor of another
organization. The steps they take (naming someone, holding a report,
opening a match) are in escrow_setup.py."""

import pytest

from faced.conftest import PASSWORD


@pytest.fixture
def other_survivor(personas):
    """A survivor of Other Collective, with an account and keys."""
    from faced.accounts.custody import keys_create
    from faced.accounts.models import User

    user = User.objects.create_user(
        username="other-survivor", password=PASSWORD
    )
    keys_create(user=user, password=PASSWORD)
    return user
