"""Someone who can write the database, and nothing else (no password, no
receipt, no log key), tries to make faced say that a survivor did
something they did not do.

Each forgery is made with what such a person has: the rows, and the
public algorithms that build them. `ledger_append` without a signer
writes exactly the rows they could write themselves (the leaf, its hash,
the subtree hashes and the head are all computed from public data), so
the tests use it to append a forged entry. The rule each test protects,
written out: an act a survivor takes on a report (withdraw, pause,
resume, agree to a path) counts only with a signature by the key that
report's submission declared, over that act in this log, after the exact
entry before it; a missed deadline counts only with the log key's.
"""

import base64
import json

import pytest
from django.test import Client
from django.urls import reverse

from faced.cases.models import CaseState
from faced.cases.services.report import case_pause, case_resume
from faced.cases.tests.cases_setup import case_reported, keys_for
from faced.conftest import sign_in
from faced.crypto.signing import generate_signing_key
from faced.ledger.acts import act_sign, act_statement
from faced.ledger.log_key import log_signer
from faced.ledger.models import LedgerEntry
from faced.ledger.services import ledger_append
from faced.ledger.verify import LedgerBroken, ledger_verify

ALARM = "cannot be trusted"


def forge(event_type, event):
    """Append EVENT as a database writer could: rows only."""
    return ledger_append(event_type=event_type, payload=event)


def case_ref(case):
    return f"case/{case.pk}"


def withdraw_in_the_database(case):
    """What a forged withdrawal also needs: the case's state column."""
    type(case).objects.filter(pk=case.pk).update(state=CaseState.WITHDRAWN)


def paused_genuinely(case, survivor):
    """The survivor pauses CASE; the signed event as the ledger holds it."""
    case_pause(case=case, survivor=survivor, keys=keys_for(survivor))
    return json.loads(
        LedgerEntry.objects.get(
            subject=case_ref(case), event_type="case_paused"
        ).leaf_data
    )["event"]


def pages_show_the_alarm(personas, case):
    survivor = sign_in(Client(), personas["survivor"], with_keys=True)
    page = survivor.get(reverse("cases:case", args=[case.pk]))
    assert ALARM in page.content.decode()
    member = sign_in(Client(), personas["committee1"], with_keys=True)
    page = member.get(reverse("committee:case", args=["demo", case.pk]))
    assert ALARM in page.content.decode()


class ForgedSurvivorActTests:
    def test_the_genuine_acts_hold(self, personas, heard):
        """Positive control: the survivor's own signed submission and
        pause pass `faced ledger verify`, and no page raises the alarm."""
        case, _first, _second = heard
        survivor = personas["survivor"]
        case_pause(case=case, survivor=survivor, keys=keys_for(survivor))
        ledger_verify()
        client = sign_in(Client(), survivor, with_keys=True)
        page = client.get(reverse("cases:case", args=[case.pk]))
        assert ALARM not in page.content.decode()

    def test_an_unsigned_withdrawal_is_caught(self, personas, heard):
        """Given a report being heard, when a database writer appends a
        withdrawal and sets the case's state, then `faced ledger verify`
        fails naming that entry, and the survivor's and the panel's pages
        both say the entry cannot be trusted."""
        case, _first, _second = heard
        entry = forge("case_withdrawn", {"case": case_ref(case)})
        withdraw_in_the_database(case)
        with pytest.raises(LedgerBroken, match=f"entry {entry.sequence}"):
            ledger_verify()
        pages_show_the_alarm(personas, case)

    def test_a_withdrawal_signed_with_another_key_is_caught(
        self, personas, heard
    ):
        """A withdrawal that names the survivor as its signer but is
        signed with the writer's own key does not hold."""
        case, _first, _second = heard
        seed, _verify_key = generate_signing_key()
        previous = (
            LedgerEntry.objects.filter(subject=case_ref(case))
            .order_by("-sequence")
            .first()
        )
        event = {
            "case": case_ref(case),
            "previous": previous.sequence,
            "signer": "survivor",
        }
        statement = act_statement(
            origin=log_signer()[0],
            event_type="case_withdrawn",
            event=event,
            follows=bytes(previous.leaf_hash),
        )
        event["signature"] = act_sign(seed, statement)
        entry = LedgerEntry.objects.get(
            sequence=forge("case_withdrawn", event).sequence
        )
        # ledger_append names the previous entry itself, as the writer did.
        assert json.loads(entry.leaf_data)["event"]["signer"] == "survivor"
        with pytest.raises(LedgerBroken, match=f"entry {entry.sequence}"):
            ledger_verify()
        pages_show_the_alarm(personas, case)

    def test_a_genuine_act_replayed_later_is_caught(self, personas, heard):
        """The survivor paused and resumed; a database writer appends a
        copy of the genuine, signed pause. Its signature was made after
        another entry, so the copy does not hold."""
        case, _first, _second = heard
        survivor = personas["survivor"]
        pause = paused_genuinely(case, survivor)
        case_resume(case=case, survivor=survivor, keys=keys_for(survivor))
        copy = {
            name: value for name, value in pause.items() if name != "previous"
        }
        entry = forge("case_paused", copy)
        with pytest.raises(LedgerBroken, match=f"entry {entry.sequence}"):
            ledger_verify()
        pages_show_the_alarm(personas, case)

    def test_an_act_moved_to_another_case_is_caught(self, personas, heard):
        """A genuine signed pause of one report, written into another
        report's history, does not hold there."""
        case, _first, _second = heard
        survivor = personas["survivor"]
        pause = paused_genuinely(case, survivor)
        other = case_reported(
            survivor,
            {"what": "another"},
            included_fields=["what"],
            outcomes=["heard"],
        )
        moved = {
            **{n: v for n, v in pause.items() if n != "previous"},
            "case": case_ref(other),
        }
        entry = forge("case_paused", moved)
        with pytest.raises(LedgerBroken, match=f"entry {entry.sequence}"):
            ledger_verify()


class ForgedReportTests:
    def test_an_unsigned_report_after_signed_ones_is_caught(
        self, personas, heard
    ):
        """Given a log that holds signed reports, when a database writer
        makes a case row for the survivor and appends its submission with
        no key and no signature (as a report from before faced signed
        acts would look), then `faced ledger verify` fails naming it and
        the survivor's page of that case says it cannot be trusted."""
        case, _first, _second = heard
        fake = type(case).objects.create(
            organization=case.organization,
            reference="C-FAKE-0001",
            survivor=personas["survivor"],
            acknowledge_by=case.acknowledge_by,
            respond_by=case.respond_by,
        )
        entry = forge(
            "case_submitted",
            {
                "case": case_ref(fake),
                "organization": "demo",
                "acknowledge_by": "2027-01-01",
            },
        )
        with pytest.raises(LedgerBroken, match=f"entry {entry.sequence}"):
            ledger_verify()
        survivor = sign_in(Client(), personas["survivor"], with_keys=True)
        page = survivor.get(reverse("cases:case", args=[fake.pk]))
        assert ALARM in page.content.decode()


class ForgedServerWordTests:
    def test_a_deadline_missed_without_the_log_key_is_caught(
        self, personas, heard
    ):
        """Given a case, when a database writer appends a missed deadline
        (which only the server states, with its log key), then `faced
        ledger verify` fails naming it and the case pages say so."""
        case, _first, _second = heard
        entry = forge(
            "deadline_missed",
            {
                "case": case_ref(case),
                "deadline": "acknowledge",
                "signer": "server",
                "signature": base64.b64encode(bytes(64)).decode(),
            },
        )
        with pytest.raises(LedgerBroken, match=f"entry {entry.sequence}"):
            ledger_verify()
        pages_show_the_alarm(personas, case)


class ForgedPanelActTests:
    @pytest.mark.parametrize(
        "event_type, actor_field, extra",
        [
            ("conflict_declared", "person", {"conflict": True}),
            ("case_acknowledged", "by", {"on_time": True}),
            ("case_opened", "person", {}),
            ("panel_assigned", "by", {"members": []}),
            ("finding_drafted", "by", {}),
            ("panel_record_added", "by", {}),
            ("measure_acknowledged", "by", {"notice": "measure/1"}),
        ],
    )
    def test_an_act_the_member_did_not_sign_is_caught(
        self, personas, heard, event_type, actor_field, extra
    ):
        """Given a case heard by committee1, when a database writer
        appends an act in committee1's name (a conflict, an
        acknowledgement, a reading, a panel, a draft, a panel record, a
        measure's acknowledgement) without their signature, then `faced
        ledger verify` fails naming it and the case pages say so."""
        case, first, _second = heard
        entry = forge(
            event_type,
            {
                "case": case_ref(case),
                actor_field: f"person/{first.pk}",
                **extra,
                "signer": f"person/{first.pk}",
                "signature": base64.b64encode(bytes(64)).decode(),
            },
        )
        with pytest.raises(LedgerBroken, match=f"entry {entry.sequence}"):
            ledger_verify()
        pages_show_the_alarm(personas, case)


class ForgedDeadlinesTests:
    def test_deadlines_the_committee_did_not_set_are_caught(self, personas):
        """A change of the organization's deadlines in a committee
        member's name, appended without their signature, fails `faced
        ledger verify` naming it."""
        member = personas["committee1"]
        entry = forge(
            "deadlines_set",
            {
                "organization": "demo",
                "by": f"person/{member.pk}",
                "acknowledge_days": 60,
                "respond_days": 365,
                "appeal_days": 7,
                "measure_acknowledge_days": 60,
                "signer": f"person/{member.pk}",
                "signature": base64.b64encode(bytes(64)).decode(),
            },
        )
        with pytest.raises(LedgerBroken, match=f"entry {entry.sequence}"):
            ledger_verify()


class ForgedCounselorActTests:
    def test_an_opening_the_counselor_did_not_sign_is_caught(self, personas):
        """A counselor's opening of a match, appended in their name
        without their signature, fails `faced ledger verify` naming it."""
        counselor = personas["counselor"]
        entry = forge(
            "match_opened",
            {
                "match": "match/1",
                "by": f"person/{counselor.pk}",
                "signer": f"person/{counselor.pk}",
                "signature": base64.b64encode(bytes(64)).decode(),
            },
        )
        with pytest.raises(LedgerBroken, match=f"entry {entry.sequence}"):
            ledger_verify()


class SwappedKeyTests:
    def test_a_second_key_appended_for_a_member_is_not_used(
        self, personas, heard
    ):
        """Given committee2 with keys on the ledger, when a database writer
        appends new keys for them (keys_created, unsigned by their
        previous key) and swaps the stored public key to match, then
        `faced ledger verify` fails naming the entry, and the next report
        is not sealed to the swapped key: committee2 gets no copy (the
        positive control: committee1 does)."""
        from faced.accounts.models import KeyCustody
        from faced.cases.models import CaseKey
        from faced.crypto.keys import generate_person_keys

        member = personas["committee2"]
        attacker = generate_person_keys()
        entry = forge(
            "keys_created",
            {
                "person": f"person/{member.pk}",
                "box_public_key": base64.b64encode(
                    attacker.box_public_key
                ).decode(),
                "verify_key": base64.b64encode(attacker.verify_key).decode(),
            },
        )
        KeyCustody.objects.filter(user=member).update(
            box_public_key=attacker.box_public_key,
            verify_key=attacker.verify_key,
        )
        with pytest.raises(LedgerBroken, match=f"entry {entry.sequence}"):
            ledger_verify()
        report = case_reported(
            personas["survivor"],
            {"what": "sealed to whom?"},
            included_fields=["what"],
            outcomes=["heard"],
        )
        assert not CaseKey.objects.filter(case=report, reader=member)
        assert CaseKey.objects.filter(
            case=report, reader=personas["committee1"]
        )
