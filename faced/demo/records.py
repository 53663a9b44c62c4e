"""The demo's records, so that every survivor page shows something real."""

import io

from faced.accounts.custody import keys_unlock
from faced.orgs.models import Organization
from faced.vault.models import VaultRecord
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
    the advocate."""
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


def create_demo_cases(users: dict, password: str) -> None:
    """Two reports: one just received; one heard by a panel of both
    committee members, with a signed finding and a measure notice that
    leadership has yet to acknowledge."""
    from faced.cases.services import (
        case_acknowledge,
        case_submit,
        conflict_declare,
        finding_draft,
        finding_sign,
        measure_issue,
        panel_assign,
    )

    survivor = users["survivor"]
    keys = keys_unlock(user=survivor, password=password)
    demo = Organization.objects.get(slug="demo")
    heard_record = record_save(
        owner=survivor,
        keys=keys,
        fields={
            "when": "Last autumn, at the regional conference",
            "what": "Demo report: a member followed me to my room and "
            "would not leave when I asked.",
        },
    ).version.record
    heard = case_submit(
        survivor=survivor,
        keys=keys,
        record=heard_record,
        organization=demo,
        included_fields=["when", "what"],
        outcomes=["heard", "no_contact", "exclusion"],
        respondent="A member of the branch (demo: no real person)",
    )
    first, second = users["committee1"], users["committee2"]
    first_keys = keys_unlock(user=first, password=password)
    second_keys = keys_unlock(user=second, password=password)
    panel_assign(
        case=heard, members=[first, second], assigned_by=first, keys=first_keys
    )
    for member in (first, second):
        conflict_declare(case=heard, member=member, has_conflict=False)
    case_acknowledge(case=heard, member=first)
    finding = finding_draft(
        case=heard,
        member=first,
        keys=first_keys,
        outcome="upheld",
        rationale="Demo finding: the panel heard both accounts and a "
        "witness, and believes the survivor.",
        measures="Excluded from all chapter events and from holding office "
        "until 1 June 2027.",
    )
    finding_sign(finding=finding, member=first, keys=first_keys)
    finding_sign(finding=finding, member=second, keys=second_keys)
    measure_issue(
        case=heard,
        member=first,
        keys=first_keys,
        subject="A member of the branch (demo)",
        measure="Excluded from all chapter events and from holding office",
        until="1 June 2027",
    )
    case_submit(
        survivor=survivor,
        keys=keys,
        record=VaultRecord.objects.filter(owner=survivor)
        .order_by("created_at")
        .first(),
        organization=demo,
        included_fields=["when", "where", "what"],
        outcomes=["heard"],
    )


def create_demo_draft(users: dict) -> None:
    """A draft left half-way (last: saving a new record clears it)."""
    draft_save(
        owner=users["survivor"],
        fields={"when": "Last week", "what": "I have started writing..."},
        step=2,
    )
