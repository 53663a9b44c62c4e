"""The demo's records, so that every survivor page shows something real."""

import io

from faced.accounts.custody import keys_unlock
from faced.orgs.models import Organization
from faced.vault.services import (
    attachment_add,
    draft_save,
    record_save,
    share_with,
)

FIRST = {
    "when": "A Saturday in March, after the spring assembly",
    "where": "The back room of the union hall",
    "what": (
        "This is a demo record, written to show what faced keeps. After "
        "the assembly a member stayed behind to help me stack chairs and "
        "would not let me leave. I said no twice."
    ),
    "who": "A member of the branch (demo: no real person)",
    "witnesses": "I told a friend the next morning.",
    "evidence": "Messages he sent that night.",
    "wellbeing": "I want to keep going to meetings without meeting him.",
}


def create_demo_records(users: dict, password: str) -> None:
    """The survivor persona's record: two versions, a file, shared with
    the advocate; and a draft left half-way."""
    owner = users["survivor"]
    keys = keys_unlock(user=owner, password=password)
    saved = record_save(owner=owner, keys=keys, fields=FIRST)
    record = saved.version.record
    record_save(
        owner=owner,
        keys=keys,
        fields={**FIRST, "evidence": FIRST["evidence"] + " Screenshots."},
        record=record,
    )
    attachment_add(
        record=record,
        owner=owner,
        keys=keys,
        name="messages-screenshot.txt",
        source=io.BytesIO(b"Demo file: a stand-in for a screenshot.\n"),
    )
    share_with(
        record=record,
        owner=owner,
        keys=keys,
        reader=users["advocate"],
        organization=Organization.objects.get(slug="demo"),
    )
    draft_save(
        owner=owner,
        fields={"when": "Last week", "what": "I have started writing..."},
        step=2,
    )
