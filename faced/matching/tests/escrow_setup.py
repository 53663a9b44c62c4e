"""Steps the escrow's tests take: opening a person's keys, naming
someone, holding a report and opening a match.

These are plain functions rather than fixtures because tests call them in
the middle of their own steps, with arguments of their own."""

from faced.accounts.custody import keys_unlock
from faced.conftest import PASSWORD
from faced.matching.models import Entry, HeldReport, Match
from faced.matching.services import (
    entry_add,
    match_open,
    matches_publish,
    report_hold,
)
from faced.orgs.models import Organization
from faced.vault.services import record_save


def keys_of(user):
    return keys_unlock(user=user, password=PASSWORD)


def name(user, value, kind="phone", **extra):
    return entry_add(
        owner=user,
        keys=keys_of(user),
        kind=kind,
        value=value,
        contact=f"call {user.username} after six",
        message=f"message of {user.username}",
        **extra,
    )


def hold_a_report(survivor, value, *, outcomes) -> tuple[Entry, HeldReport]:
    """SURVIVOR names VALUE and holds a report of a new record to Demo
    Collective's committee, to go together."""
    keys = keys_of(survivor)
    record = record_save(
        owner=survivor, keys=keys, fields={"what": "what happened"}
    ).version.record
    entry = name(survivor, value)
    held = report_hold(
        entry=entry,
        owner=survivor,
        keys=keys,
        record=record,
        organization=Organization.objects.get(slug="demo"),
        included_fields=["what"],
        outcomes=outcomes,
    )
    return entry, held


def publish_and_open(counselor) -> list[dict[str, object]]:
    """Publish the one match there is, and open it as COUNSELOR."""
    matches_publish()
    return match_open(
        match=Match.objects.get(), counselor=counselor, keys=keys_of(counselor)
    )
