"""The vault tests' own fixtures: personas with their keys, a record of
the survivor's, and a client signed in as the survivor."""

import pytest
from django.core.cache import cache
from django.test import Client

from faced.accounts.custody import keys_unlock
from faced.conftest import PASSWORD, sign_in
from faced.vault.services import record_save


@pytest.fixture
def survivor(personas):
    """The survivor persona and their keys."""
    cache.clear()
    user = personas["survivor"]
    return user, keys_unlock(user=user, password=PASSWORD)


@pytest.fixture
def advocate(personas):
    """The advocate persona and their keys."""
    user = personas["advocate"]
    return user, keys_unlock(user=user, password=PASSWORD)


@pytest.fixture
def own_record(survivor):
    """A record of the survivor's, with nothing written in it."""
    user, keys = survivor
    return record_save(owner=user, keys=keys, fields={}).version.record


@pytest.fixture
def survivor_client(survivor):
    """A client signed in as the survivor, with their keys."""
    return sign_in(Client(), survivor[0], with_keys=True)
