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


def panel_heard(case, panel, *, acknowledged_by, password: str) -> None:
    """PANEL's first member sets PANEL on CASE; each declares no conflict;
    ACKNOWLEDGED_BY acknowledges the report. Each signs with their own
    keys (PASSWORD opens them)."""
    from faced.cases.services.panel import (
        case_acknowledge,
        conflict_declare,
        panel_assign,
    )

    panel_assign(
        case=case,
        members=panel,
        assigned_by=panel[0],
        keys=keys_unlock(user=panel[0], password=password),
    )
    for member in panel:
        conflict_declare(
            case=case,
            member=member,
            keys=keys_unlock(user=member, password=password),
            has_conflict=False,
        )
    case_acknowledge(
        case=case,
        member=acknowledged_by,
        keys=keys_unlock(user=acknowledged_by, password=password),
    )


def create_demo_cases(users: dict, password: str) -> None:
    """Reports in several states: one heard to a signed finding, appealed
    and decided by a separate appeals panel, with one measure leadership
    acknowledged and one it has yet to; one whose path waits for the
    survivor's agreement; one overdue for acknowledgement."""
    import datetime as dt

    from faced.cases.models import Case
    from faced.cases.services.appeals import (
        appeal_conflict_declare,
        appeal_lodge,
        appeal_panel_assign,
        decision_draft,
        decision_sign,
    )
    from faced.cases.services.conversation import message_send
    from faced.cases.services.deadlines import deadlines_check
    from faced.cases.services.findings import finding_draft, finding_sign
    from faced.cases.services.measures import (
        measure_acknowledge,
        measure_issue,
    )
    from faced.cases.services.panel import (
        panel_record_add,
        path_propose,
    )
    from faced.cases.services.report import case_submit, path_agree

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
    panel_heard(
        heard, [first, second], acknowledged_by=first, password=password
    )
    message_send(
        case=heard,
        author=first,
        keys=first_keys,
        text="Thank you for telling us. We are two committee members and "
        "will hear this with care. Would an investigation feel right to "
        "you? (Demo message.)",
    )
    message_send(
        case=heard,
        author=survivor,
        keys=keys,
        text="Yes, I would like it looked into properly. (Demo message.)",
    )
    path_propose(case=heard, member=first, path="investigation")
    path_agree(case=heard, survivor=survivor, keys=keys, path="investigation")
    panel_record_add(
        case=heard,
        member=second,
        keys=second_keys,
        kind="statement",
        text="Demo statement: the respondent says they misread the "
        "situation and left when asked a second time.",
    )
    panel_record_add(
        case=heard,
        member=first,
        keys=first_keys,
        kind="note",
        text="Demo note: a witness confirms the survivor asked twice.",
    )
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
    interim = measure_issue(
        case=heard,
        member=first,
        keys=first_keys,
        subject="A member of the branch (demo)",
        measure="No contact with the person who reported",
        until="the finding",
    )
    measure_acknowledge(
        notice=interim,
        leader=users["leadership"],
        keys=keys_unlock(user=users["leadership"], password=password),
    )
    measure_issue(
        case=heard,
        member=first,
        keys=first_keys,
        subject="A member of the branch (demo)",
        measure="Excluded from all chapter events and from holding office",
        until="1 June 2027",
        stage="final",
    )
    appeal = appeal_lodge(
        case=heard,
        appellant=first,
        keys=first_keys,
        grounds="Demo appeal for the respondent: they ask that the "
        "exclusion from office be shortened.",
    )
    hearing = [users["appeals"], users["appeals2"]]
    appeal_panel_assign(
        appeal=appeal,
        members=hearing,
        assigned_by=hearing[0],
        keys=keys_unlock(user=hearing[0], password=password),
    )
    for member in hearing:
        appeal_conflict_declare(
            appeal=appeal,
            member=member,
            keys=keys_unlock(user=member, password=password),
            has_conflict=False,
        )
    decision = decision_draft(
        appeal=appeal,
        member=hearing[0],
        keys=keys_unlock(user=hearing[0], password=password),
        decision="uphold",
        rationale="Demo decision: the finding and its measures were "
        "reasonable; the appeal is not allowed.",
    )
    for member in hearing:
        decision_sign(
            decision=decision,
            member=member,
            keys=keys_unlock(user=member, password=password),
        )
    first_record = (
        VaultRecord.objects.filter(owner=survivor)
        .order_by("created_at")
        .first()
    )
    proposed = case_submit(
        survivor=survivor,
        keys=keys,
        record=first_record,
        organization=demo,
        included_fields=["when", "where", "what"],
        outcomes=["heard", "restorative"],
    )
    panel_heard(
        proposed, [first, second], acknowledged_by=second, password=password
    )
    path_propose(case=proposed, member=second, path="restorative")
    overdue = case_submit(
        survivor=survivor,
        keys=keys,
        record=first_record,
        organization=demo,
        included_fields=["what"],
        outcomes=["heard"],
    )
    # Received ten days ago and not acknowledged: the scheduled check
    # flags it, as it would have on the eighth day.
    ago = dt.timedelta(days=10)
    Case.objects.filter(pk=overdue.pk).update(
        submitted_at=overdue.submitted_at - ago,
        acknowledge_by=overdue.acknowledge_by - ago,
        respond_by=overdue.respond_by - ago,
    )
    deadlines_check()


def create_demo_draft(users: dict) -> None:
    """A draft left half-way (last: saving a new record clears it)."""
    draft_save(
        owner=users["survivor"],
        fields={"when": "Last week", "what": "I have started writing..."},
        step=2,
    )


def create_demo_matching(users: dict, password: str) -> None:
    """Two survivors, of different organizations, name the same person's
    phone number written differently: a match the counselor can open. The
    first survivor also holds a report to go together, and keeps a lone
    entry (an e-mail address) that nobody can open."""
    from faced.matching.services import (
        entry_add,
        matches_publish,
        report_hold,
    )

    survivor, other = users["survivor"], users["survivor2"]
    keys = keys_unlock(user=survivor, password=password)
    other_keys = keys_unlock(user=other, password=password)
    record_save(
        owner=other,
        keys=other_keys,
        fields={"what": "Demo record of a second survivor."},
    )
    entry = entry_add(
        owner=survivor,
        keys=keys,
        kind="phone",
        value="07400 123456",
        region="GB",
        contact="Demo: text me on the number I gave the committee, "
        "weekdays after 6pm.",
        message="Demo: I am not sure I want to go further, but I want to "
        "know.",
    )
    report_hold(
        entry=entry,
        owner=survivor,
        keys=keys,
        record=VaultRecord.objects.filter(owner=survivor)
        .order_by("created_at")
        .first(),
        organization=Organization.objects.get(slug="demo"),
        included_fields=["when", "where", "what"],
        outcomes=["heard", "no_contact"],
    )
    entry_add(
        owner=survivor,
        keys=keys,
        kind="email",
        value="Someone.Else@Example.org",
        contact="Demo: e-mail me at the address on my account.",
    )
    entry_add(
        owner=other,
        keys=other_keys,
        kind="phone",
        value="+44 (0)7400-123-456",
        contact="Demo: call me on Saturdays.",
    )
    # What the worker does every quarter of an hour: the counselor now
    # sees the match; the survivors see it once the counselor opens it.
    matches_publish()
