"""A canary sentence written into a record and a file is nowhere in the
database as a thief would copy it: the raw SQLite file, or a PostgreSQL
dump, or the attachments folder."""

import io

import pytest

from faced.accounts.custody import keys_unlock
from faced.conftest import PASSWORD
from faced.demo.personas import create_personas
from faced.vault.services import (
    attachment_add,
    attachments_folder,
    draft_save,
    record_save,
)

CANARY = "The canary sang at midnight by the blue door 7741"


@pytest.mark.django_db(transaction=True)
def test_the_canary_is_not_in_the_raw_database(raw_database):
    """Given a record, a draft and a file holding a canary sentence, and
    the record shared in a draft, the raw database (committed, as a copy
    or a dump would hold it) and the stored files do not contain it."""
    users = create_personas(password=PASSWORD)
    owner = users["survivor"]
    keys = keys_unlock(user=owner, password=PASSWORD)
    saved = record_save(
        owner=owner, keys=keys, fields={"what": CANARY, "who": CANARY}
    )
    record_save(
        owner=owner,
        keys=keys,
        fields={"what": CANARY + " again"},
        record=saved.version.record,
    )
    draft_save(owner=owner, fields={"what": CANARY}, step=3)
    attachment_add(
        record=saved.version.record,
        owner=owner,
        keys=keys,
        name="canary.txt",
        source=io.BytesIO(CANARY.encode() * 100),
    )
    raw = raw_database()
    assert len(raw) > 10_000
    assert b"canary.txt" not in raw
    for needle in (CANARY, "canary sang", "blue door 7741"):
        assert needle.encode() not in raw
        assert needle.encode("utf-16-le") not in raw
    for stored in attachments_folder().iterdir():
        assert CANARY.encode() not in stored.read_bytes()
