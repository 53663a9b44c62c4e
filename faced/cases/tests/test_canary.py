"""Canary sentences written into every part of a case — the report, the
respondent's name, messages, the panel's records, a measure, the finding,
the grounds of appeal and the decision — are nowhere in the database as a
thief would copy it (the raw SQLite file, or a PostgreSQL dump)."""

import pytest

from faced.accounts.custody import keys_unlock
from faced.cases.services.appeals import (
    appeal_lodge,
    appeal_panel_assign,
    decision_sign,
)
from faced.cases.services.conversation import message_send
from faced.cases.services.measures import measure_issue
from faced.cases.services.panel import panel_record_add
from faced.cases.tests.cases_setup import (
    case_reported,
    decision_drafted,
    declared,
    finding_signed,
    seat_panel,
)
from faced.conftest import PASSWORD
from faced.demo.personas import create_personas

CANARIES = {
    "report": "Heron-canary 5521 in the stairwell",
    "respondent": "Kestrel-canary Q. Respondent",
    "message": "Plover-canary message 8830",
    "note": "Bittern-canary panel note",
    "statement": "Curlew-canary statement of the respondent",
    "measure": "Avocet-canary no entry to the hall",
    "finding": "Dunlin-canary reasons of the panel",
    "grounds": "Godwit-canary grounds of appeal",
    "decision": "Lapwing-canary reasons of the appeal",
}


@pytest.mark.django_db(transaction=True)
def test_no_case_canary_is_in_the_raw_database(raw_database):
    users = create_personas(password=PASSWORD)
    keys = {
        name: keys_unlock(user=user, password=PASSWORD)
        for name, user in users.items()
        if name
        in ("survivor", "committee1", "committee2", "appeals", "appeals2")
    }
    survivor, first, second = (
        users["survivor"],
        users["committee1"],
        users["committee2"],
    )
    case = case_reported(
        survivor,
        {"what": CANARIES["report"]},
        included_fields=["what"],
        outcomes=["heard"],
        respondent=CANARIES["respondent"],
    )
    seat_panel(users, case, extra=second)
    declared(case, [first, second])
    message_send(
        case=case,
        author=first,
        keys=keys["committee1"],
        text=CANARIES["message"],
    )
    for kind in ("note", "statement"):
        panel_record_add(
            case=case,
            member=first,
            keys=keys["committee1"],
            kind=kind,
            text=CANARIES[kind],
        )
    measure_issue(
        case=case,
        member=first,
        keys=keys["committee1"],
        subject=CANARIES["respondent"],
        measure=CANARIES["measure"],
    )
    finding_signed(case, [first, second], rationale=CANARIES["finding"])
    appeal = appeal_lodge(
        case=case,
        appellant=survivor,
        keys=keys["survivor"],
        grounds=CANARIES["grounds"],
    )
    hearing = [users["appeals"], users["appeals2"]]
    appeal_panel_assign(
        appeal=appeal,
        members=hearing,
        assigned_by=hearing[0],
        keys=keys["appeals"],
    )
    declared(case, hearing, appeal=appeal)
    decision = decision_drafted(
        appeal, hearing[0], "uphold", rationale=CANARIES["decision"]
    )
    for name in ("appeals", "appeals2"):
        decision_sign(decision=decision, member=users[name], keys=keys[name])
    raw = raw_database()
    # The check can fail: the case's reference is in the clear, and found.
    assert case.reference.encode() in raw
    for where, canary in CANARIES.items():
        word = canary.split()[0].encode()
        assert word not in raw, where
        assert word.lower() not in raw.lower(), where
